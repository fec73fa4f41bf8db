import { readFileSync } from 'node:fs';
import { EvaluationSettings, formatIssues, ModelSettings, PresetObject, SeedSchema, TrainSettings } from '@semix/bench';
import { z } from 'zod';
import { BACKENDS, UsageError } from './options';

/**
 * `--config semix.config.json`: the settings of `semix train` (and `eval`) in a file. Command-line flags win over
 * the file, the file over the preset it names. Unknown keys are errors at every depth, so a typo is never
 * silently ignored. `method` is a name (`mixup`, `mixup+sem`) or a method object (`{ policy, label?, mix?, sem?,
 * layers?, eta? }`, `name` in place of `policy`); top-level `mix` and `sem` set options of that method, as the flags
 * do (a `sem` object turns the SEM term on).
 */
export const ConfigSchema = z
  .object({
    preset: z.string().optional(),
    dataset: PresetObject.shape.dataset.optional(),
    method: z.union([z.string(), z.record(z.unknown())]).optional(),
    mix: z.record(z.unknown()).optional(),
    sem: z.record(z.unknown()).optional(),
    model: ModelSettings.partial().strict().optional(),
    seed: SeedSchema.optional(),
    backend: z.enum(BACKENDS).optional(),
    out: z.string().optional(),
    train: TrainSettings.partial().strict().optional(),
    evaluation: EvaluationSettings.partial().strict().optional(),
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
  if (!result.success) throw new UsageError(`--config ${path}: ${formatIssues(ConfigSchema, result.error)}`);
  return result.data;
}
