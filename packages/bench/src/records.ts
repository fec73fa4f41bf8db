import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { type JobIdentity, jobId } from './identity';

/** A method as records store it: every option resolved, plus its label. */
const StoredMethod = z
  .object({
    name: z.string(),
    label: z.string(),
    mix: z.record(z.unknown()).nullable(),
    sem: z.record(z.unknown()).nullable(),
  })
  .passthrough();

/** One corruption suite's results: accuracy and ECE per corruption per severity (index 0 = severity 1). */
export const SuiteResultSchema = z
  .object({
    description: z.string(),
    severities: z.number().int().positive(),
    corruptions_acc: z.record(z.array(z.number())),
    corruptions_ece: z.record(z.array(z.number())),
    /** Mean accuracy over corruptions × severities. */
    acc_mean: z.number(),
    /** Mean ECE over corruptions × severities. */
    ece_mean: z.number(),
  })
  .strict()
  .refine(
    (s) =>
      [...Object.values(s.corruptions_acc), ...Object.values(s.corruptions_ece)].every(
        (a) => a.length === s.severities,
      ),
    { message: 'every corruption has one value per severity' },
  );
export type SuiteResult = z.infer<typeof SuiteResultSchema>;

/** One job's result. Field names follow RobustBench's model records where they overlap. */
export const RecordSchema = z.object({
  schema: z.literal('semix-record-v2'),
  job_id: z.string(),
  /** Everything that determined the result; `job_id` is its hash (see identity.ts). */
  identity: z.record(z.unknown()),
  preset: z.string(),
  method: StoredMethod,
  seed: z.number().int(),
  dataset: z.object({ name: z.string(), checksum: z.string(), train_images: z.number(), test_images: z.number() }),
  architecture: z.string(),
  model: z.object({ arch: z.string(), width: z.number() }),
  train: z.record(z.unknown()),
  evaluation: z.record(z.unknown()),
  backend: z.string(),
  versions: z.record(z.string()),
  git_commit: z.string().nullable(),
  wall_time_s: z.number(),
  samples_per_s: z.number(),
  /**
   * Threads the job trained on (its `train.shards` computed by this many threads): like the wall time, how it
   * ran, not what it computed; not part of the identity. Absent in records from before it was stated.
   */
  workers: z.number().int().positive().optional(),
  /** Clean accuracy, NLL and ECE (a fraction) on the same test images the suites corrupt. */
  clean_acc: z.number(),
  nll: z.number(),
  ece: z.number(),
  /** One block per corruption suite, keyed by the suite's name; empty when the preset evaluates none. */
  suites: z.record(SuiteResultSchema),
  /**
   * The equivariance gap, angular: 1 − cos(f(mix), mix(f)), mean over random pairs of the first
   * `evaluation.gapImages` test images and λ ∈ {0.25, 0.5, 0.75} (see gap.ts); the one the default SEM loss sees
   * (normalised features). Job identities before version 4 recorded the relative L2 gap under this name.
   */
  equivariance_gap: z.number(),
  /** The relative L2 gap ‖f(mix) − mix(f)‖ / ‖mix(f)‖ on the same pairs: also counts a mismatch of norms. */
  equivariance_gap_l2: z.number(),
  /** Mean loss parts per epoch, of the epochs this run trained (after a resume: those since its checkpoint). */
  history: z.array(z.record(z.number())),
  created_at: z.string(),
});
export type ResultRecord = z.infer<typeof RecordSchema>;

export const recordFile = (dir: string, id: string) => join(dir, 'records', `${id}.json`);

export type RecordRead = { ok: true; record: ResultRecord } | { ok: false; file: string; error: string };

const DELETE_HINT = 'delete the file to re-run its job';

/**
 * Reads and validates a record file; a file that cannot be parsed is reported, never treated as absent. With
 * `expectedId`, the record must be that job's, and its stored identity must hash to its id: a record edited by
 * hand or written for another configuration is reported, never shown.
 */
export async function readRecord(file: string, expectedId?: string): Promise<RecordRead | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { ok: false, file, error: (error as Error).message };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, file, error: `not valid JSON (${(error as Error).message}); ${DELETE_HINT}` };
  }
  const parsed = RecordSchema.safeParse(value);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return { ok: false, file, error: `not a semix-record-v2 record (${why}); ${DELETE_HINT}` };
  }
  const record = parsed.data;
  if (jobId(record.identity as unknown as JobIdentity) !== record.job_id) {
    return {
      ok: false,
      file,
      error: `its identity does not hash to its job_id ${record.job_id} (edited?); ${DELETE_HINT}`,
    };
  }
  if (expectedId !== undefined && record.job_id !== expectedId) {
    return { ok: false, file, error: `it holds job ${record.job_id}, expected ${expectedId}; ${DELETE_HINT}` };
  }
  return { ok: true, record };
}

/** The ids of every record file in a results directory (for stale-record counts). */
export async function recordIds(dir: string): Promise<string[]> {
  try {
    return (await readdir(join(dir, 'records')))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
  } catch {
    return [];
  }
}

/**
 * A job that failed for good: it diverged (a non-finite loss: the step and the loss parts; or a last epoch whose
 * cross-entropy is over 10 × a uniform prediction's: its loss parts), ended near chance
 * accuracy, or threw after its retries. Kept so the leaderboard shows it as failed, never as a number.
 */
export const FailedRecordSchema = z.object({
  schema: z.literal('semix-failed-v2'),
  job_id: z.string(),
  preset: z.string(),
  label: z.string(),
  method: z.record(z.unknown()),
  seed: z.number().int(),
  reason: z.enum(['diverged', 'near-chance', 'error']),
  error: z.string(),
  /**
   * `diverged`: the step whose loss was not finite and that step's loss parts; or, for finite losses that grew
   * without bound (no step), the last epoch's loss parts.
   */
  step: z.number().int().optional(),
  losses: z.record(z.number().nullable()).optional(),
  /** `near-chance`: the clean accuracy it ended with. */
  clean_acc: z.number().optional(),
  attempts: z.number().int(),
  failed_at: z.string(),
});
export type FailedRecord = z.infer<typeof FailedRecordSchema>;
export const failedFile = (dir: string, id: string) => join(dir, 'failed', `${id}.json`);

/** A failure record, or null when there is none; an unreadable one is reported as a failure itself. */
export async function readFailed(dir: string, id: string): Promise<FailedRecord | null> {
  const file = failedFile(dir, id);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  try {
    return FailedRecordSchema.parse(JSON.parse(text));
  } catch (error) {
    return {
      schema: 'semix-failed-v2',
      job_id: id,
      preset: '?',
      label: '?',
      method: {},
      seed: -1,
      reason: 'error',
      error: `unreadable failure record ${file}: ${(error as Error).message}`,
      attempts: 0,
      failed_at: '',
    };
  }
}
