import { readFileSync } from 'node:fs';
import { PresetObject } from '@semix/bench';
import { z } from 'zod';
import { UsageError } from './options';

/**
 * `--config semix.config.json`: the settings of `semix train` (and `eval`) in a file. Command-line flags win over
 * the file, the file over the preset it names. Unknown keys are errors, so a typo is never silently ignored.
 */
export const ConfigSchema = z
  .object({
    preset: z.string().optional(),
    dataset: PresetObject.shape.dataset.optional(),
    method: z.string().optional(),
    model: PresetObject.shape.model.partial().strict().optional(),
    seed: z.number().int().nonnegative().optional(),
    backend: z.enum(['auto', 'tensorflow', 'wasm', 'cpu']).optional(),
    out: z.string().optional(),
    train: PresetObject.shape.train.partial().strict().optional(),
    evaluation: PresetObject.shape.evaluation.partial().strict().optional(),
  })
  .strict();

export type Config = z.infer<typeof ConfigSchema>;

export function readConfig(path: string | undefined): Config {
  if (!path) return {};
  let value: unknown;
  try {
    value = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`--config ${path}: cannot read it as JSON (${(error as Error).message})`);
  }
  const result = ConfigSchema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.map((i) => {
      const field = i.path.join('.') || '(root)';
      if ('keys' in i)
        return `${field}: unknown key(s) ${(i.keys as string[]).map((k) => `'${k}'`).join(', ')}; allowed: ${allowedKeys(i.path)}`;
      return `${field}: ${i.message}`;
    });
    throw new UsageError(`--config ${path}: ${issues.join('; ')}`);
  }
  return result.data;
}

function allowedKeys(path: (string | number)[]): string {
  let schema: z.ZodTypeAny = ConfigSchema;
  for (const p of path) {
    let inner = schema;
    while (inner instanceof z.ZodOptional || inner instanceof z.ZodDefault) inner = inner._def.innerType;
    if (!(inner instanceof z.ZodObject)) return '?';
    schema = inner.shape[p as string];
  }
  while (schema instanceof z.ZodOptional || schema instanceof z.ZodDefault) schema = schema._def.innerType;
  return schema instanceof z.ZodObject ? Object.keys(schema.shape).join(', ') : '?';
}
