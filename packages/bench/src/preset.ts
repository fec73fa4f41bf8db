import { readFileSync } from 'node:fs';
import { z } from 'zod';
import cifar10 from './presets/cifar10.json';
import cifar100 from './presets/cifar100.json';
import fashion from './presets/fashion.json';
import mnistFull from './presets/mnist-full.json';
import quick from './presets/quick.json';
import smoke from './presets/smoke.json';

const METHOD = z.string().min(1);

export const PresetObject = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/, 'lowercase letters, digits and dashes'),
    description: z.string(),
    dataset: z.enum(['mnist-mini', 'fashion-mnist', 'mnist', 'cifar10', 'cifar100']),
    model: z.object({ arch: z.enum(['mlp', 'cnn-small', 'preact-resnet18']), width: z.number().positive().default(1) }),
    methods: z.array(METHOD).min(1),
    seeds: z.array(z.number().int().nonnegative()).min(1),
    train: z.object({
      epochs: z.number().int().positive(),
      batchSize: z.number().int().positive(),
      optimizer: z.enum(['adam', 'sgd']),
      lr: z.number().positive(),
      schedule: z.object({
        type: z.enum(['constant', 'cosine', 'step']),
        milestones: z.array(z.number()).optional(),
        gamma: z.number().optional(),
        warmupEpochs: z.number().optional(),
      }),
      weightDecay: z.number().nonnegative(),
      trainImages: z.number().int().positive().optional(),
      augment: z.enum(['none', 'cifar']).optional(),
      /** Data-parallel threads (core's `train({ workers })`); results depend on it. Default 1. */
      workers: z.number().int().positive().optional(),
    }),
    evaluation: z.object({
      cleanImages: z.number().int().positive(),
      corruptionImages: z.number().int().positive(),
      corruptions: z.enum(['cifar10-c-15', 'none']),
      /** `generated`: semix's suite made from the test split; `official`: CIFAR-10-C / CIFAR-100-C files. */
      corruptionSource: z.enum(['generated', 'official']).default('generated'),
      gapImages: z.number().int().positive(),
    }),
  })
  .strict();

export const PresetSchema = PresetObject.refine(
  (p) => p.evaluation.corruptionSource !== 'official' || ['cifar10', 'cifar100'].includes(p.dataset),
  {
    message: 'official corruption files exist only for cifar10 and cifar100; use "generated"',
    path: ['evaluation', 'corruptionSource'],
  },
);

export type Preset = z.infer<typeof PresetSchema>;

export const BUILTIN_PRESETS: Record<string, unknown> = {
  quick,
  smoke,
  'mnist-full': mnistFull,
  fashion,
  cifar10,
  cifar100,
};

/** Validates a preset object; the error names the field and what is wrong with it. */
export function parsePreset(value: unknown, source: string): Preset {
  const result = PresetSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`preset ${source}: ${issues}`);
  }
  return result.data;
}

/** A built-in preset by name, or a preset file (JSON) by path. */
export function loadPreset(nameOrPath: string): Preset {
  if (nameOrPath in BUILTIN_PRESETS) return parsePreset(BUILTIN_PRESETS[nameOrPath], nameOrPath);
  if (nameOrPath.endsWith('.json')) {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(nameOrPath, 'utf8'));
    } catch (error) {
      throw new Error(`preset ${nameOrPath}: cannot read it as JSON (${(error as Error).message})`);
    }
    return parsePreset(value, nameOrPath);
  }
  throw new Error(
    `preset: '${nameOrPath}' is not a preset; allowed: ${Object.keys(BUILTIN_PRESETS).join(', ')}, or a .json file`,
  );
}
