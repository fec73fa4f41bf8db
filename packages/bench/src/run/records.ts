import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { canonical, type JobIdentity, jobId } from '../plan/identity';

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

/**
 * A stored record or failure record that could not be used. `damaged`: its content is wrong (not JSON, not the
 * schema, a digest that does not match, another job's): never shown, and `semix bench` moves it aside and re-runs
 * its job. Otherwise the file could not be read (permissions, I/O): reported and left alone.
 */
export interface BadRecord {
  ok: false;
  file: string;
  error: string;
  damaged: boolean;
}
export type RecordRead = { ok: true; record: ResultRecord } | BadRecord;

/**
 * SHA-256 (hex) of a record's canonical JSON (keys sorted, `digest` itself left out): every measured field, the
 * identity and how it ran. Written with the record and checked when it is read, so a record edited by hand or
 * damaged on disk (or on its way from a worker) is reported, never shown.
 */
export function recordDigest(record: object): string {
  const { digest: _digest, ...content } = record as Record<string, unknown>;
  return createHash('sha256').update(canonical(content)).digest('hex');
}

/** A record's file content: validated against its schema, then sealed with its digest. */
export function recordText(record: ResultRecord): string {
  const content = RecordSchema.parse(record);
  return `${JSON.stringify({ ...content, digest: recordDigest(content) }, null, 2)}\n`;
}

const RERUN = 'not shown; `semix bench` re-runs its job';

/**
 * Parses a stored record or failure record and checks its digest over what the schema keeps. `what` names the
 * kind in messages.
 */
function verify<T extends object>(
  schema: z.ZodType<T>,
  text: string,
  file: string,
  what: string,
): { ok: true; value: T } | BadRecord {
  const bad = (error: string): BadRecord => ({ ok: false, file, error: `${error}; ${RERUN}`, damaged: true });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return bad(`not valid JSON (${(error as Error).message})`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    return bad(`not a ${what} (${why})`);
  }
  const digest = (value as { digest?: unknown }).digest;
  if (typeof digest !== 'string')
    return bad('it has no digest (written by a semix before records were sealed, or edited): unverifiable');
  if (digest !== recordDigest(parsed.data)) return bad('its content does not match its digest (edited or damaged)');
  return { ok: true, value: parsed.data };
}

/** Reads a file; null when there is none, a BadRecord (not damaged) when it cannot be read. */
async function readText(file: string): Promise<string | null | BadRecord> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { ok: false, file, error: (error as Error).message, damaged: false };
  }
}

/**
 * Reads and verifies a record file; a file that cannot be parsed or verified is reported, never treated as absent
 * or shown. Its digest must match its content, and its stored identity must hash to its id; with `expectedId`, it
 * must be that job's: a record edited by hand, damaged, or written for another configuration is reported, never
 * shown.
 */
export async function readRecord(file: string, expectedId?: string): Promise<RecordRead | null> {
  const text = await readText(file);
  if (text === null || typeof text !== 'string') return text;
  const checked = verify(RecordSchema, text, file, 'semix-record-v2 record');
  if (!checked.ok) return checked;
  const record = checked.value;
  const bad = (error: string): BadRecord => ({ ok: false, file, error: `${error}; ${RERUN}`, damaged: true });
  if (jobId(record.identity as unknown as JobIdentity) !== record.job_id)
    return bad(`its identity does not hash to its job_id ${record.job_id} (edited?)`);
  if (expectedId !== undefined && record.job_id !== expectedId)
    return bad(`it holds job ${record.job_id}, expected ${expectedId}`);
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

/** A failure record's file content, sealed with its digest as records are. */
export function failedText(record: FailedRecord): string {
  const content = FailedRecordSchema.parse(record);
  return `${JSON.stringify({ ...content, digest: recordDigest(content) }, null, 2)}\n`;
}

export type FailedRead = { ok: true; record: FailedRecord } | BadRecord;

/**
 * A job's failure record, verified as records are (its digest, and that it is this job's), or null when there is
 * none. One that does not verify is reported, never shown as a failure.
 */
export async function readFailed(dir: string, id: string): Promise<FailedRead | null> {
  const file = failedFile(dir, id);
  const text = await readText(file);
  if (text === null || typeof text !== 'string') return text;
  const checked = verify(FailedRecordSchema, text, file, 'semix-failed-v2 failure record');
  if (!checked.ok) return checked;
  if (checked.value.job_id !== id)
    return { ok: false, file, error: `it holds job ${checked.value.job_id}, expected ${id}; ${RERUN}`, damaged: true };
  return { ok: true, record: checked.value };
}
