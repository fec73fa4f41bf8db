/**
 * Records, as values: the schema of a job's record and of a failure record, the digest that seals them, the
 * checks a stored record passes before it is shown, and the builders the runners use. Reading and writing files is
 * the record store's (store.ts).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { GridJob } from '../plan/grid';
import { canonical, type DataIdentity, identityDiff, type JobIdentity, jobId } from '../plan/identity';
import type { JobFailure } from './failure';
import { semShare } from './sem_share';

/**
 * A job's identity as a record stores it: everything that determined the result (see identity.ts), of whatever
 * identity version wrote it. The fields typed here are those every version since 4 has and a record copies.
 */
export interface StoredIdentity {
  v: number;
  dataset: string;
  model: { arch: string; width: number };
  train: { shards?: number } & Record<string, unknown>;
  evaluation: Record<string, unknown>;
  method: Record<string, unknown>;
  seed: number;
  data: DataIdentity;
  compute: { backend: string };
}

const IdentityShape = z
  .object({
    v: z.number().int(),
    dataset: z.string(),
    model: z.object({ arch: z.string(), width: z.number() }).passthrough(),
    train: z.object({ shards: z.number().int().positive().optional() }).passthrough(),
    evaluation: z.record(z.unknown()),
    method: z.record(z.unknown()),
    seed: z.number().int(),
    data: z.object({ train: z.string(), test: z.string(), suites: z.array(z.record(z.unknown())) }).passthrough(),
    compute: z.object({ backend: z.string() }).passthrough(),
  })
  .passthrough();

/**
 * Checked as IdentityShape says but kept as stored (z.custom passes the value through): the digest and the job id
 * are hashes of the identity as written, every key and its order included.
 */
const IdentitySchema = z.custom<StoredIdentity>().superRefine((value, ctx) => {
  const shape = IdentityShape.safeParse(value);
  if (!shape.success)
    for (const issue of shape.error.issues)
      ctx.addIssue({ code: z.ZodIssueCode.custom, path: issue.path, message: issue.message });
});

/**
 * A method as records store it: the identity's method, every option resolved, with its label; of the shape its
 * identity's version has (a `policy` since version 5, a `name` such as `mixup+sem` before).
 */
export interface StoredMethod {
  label: string;
  mix?: unknown;
  sem?: unknown;
}

const StoredMethodSchema = z.custom<StoredMethod>(
  (v) => typeof v === 'object' && v !== null && typeof (v as { label?: unknown }).label === 'string',
  'expected a method object with its label',
);

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

/**
 * One job's result. Field names follow RobustBench's model records where they overlap. `seed`, `dataset.name`,
 * `dataset.checksum`, `architecture`, `model`, `train`, `evaluation`, `backend` and `method` (but its label) are
 * copies of the identity, kept so that a record reads on its own: they are written from it (`resultRecord`) and a
 * stored record whose copy disagrees with its identity is refused (`identityMismatches`).
 */
export const RecordSchema = z.object({
  schema: z.literal('semix-record-v2'),
  job_id: z.string(),
  /** Everything that determined the result; `job_id` is its hash (see identity.ts). */
  identity: IdentitySchema,
  preset: z.string(),
  method: StoredMethodSchema,
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
  threads: z.number().int().positive().optional(),
  /**
   * `threads` under its old name, in records written before it was renamed (a thread count, not a queue worker).
   * @deprecated Read `recordThreads(record)`; new records write `threads`.
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
  /**
   * SEM's share of the loss: the last epoch's mean β·L_sem over its mean total loss (a ratio of `history`'s epoch
   * means; sem_share.ts); null for a method without SEM. Absent in records written before it was stated: the
   * board computes it from their history, the same way.
   */
  sem_share: z.number().nullable().optional(),
  created_at: z.string(),
});
export type ResultRecord = z.infer<typeof RecordSchema>;

/** The threads a record's job trained on, under either name; undefined in records from before it was stated. */
export const recordThreads = (record: ResultRecord): number | undefined => record.threads ?? record.workers;

/** What a record copies from its identity, by field path, as the identity says it. */
function identityCopies(identity: StoredIdentity): Record<string, unknown> {
  return {
    seed: identity.seed,
    'dataset.name': identity.dataset,
    'dataset.checksum': identity.data.train,
    architecture: identity.model.arch,
    model: { arch: identity.model.arch, width: identity.model.width },
    // The identity leaves one shard out (ids from before shards existed hold); the record states it.
    train: { ...identity.train, shards: identity.train.shards ?? 1 },
    evaluation: identity.evaluation,
    backend: identity.compute.backend,
  };
}

const at = (value: unknown, path: string): unknown =>
  path
    .split('.')
    .reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);

/**
 * Where a record's copies of its identity disagree with it, one sentence each (`backend is "cpu" where its
 * identity says "wasm"`); empty when they agree. The identity is what the job id
 * proves, so a copy that disagrees is an edit or a writer's bug, and the record is not shown.
 */
export function identityMismatches(
  record: Pick<ResultRecord, 'identity' | 'method'> & Record<string, unknown>,
): string[] {
  const out: string[] = [];
  for (const [path, expected] of Object.entries(identityCopies(record.identity))) {
    const actual = at(record, path);
    if (canonical(actual) !== canonical(expected))
      out.push(`${path} is ${canonical(actual)} where its identity says ${canonical(expected)}`);
  }
  const { label: _label, ...method } = record.method as StoredMethod & Record<string, unknown>;
  const differs = identityDiff(method, record.identity.method, 'method');
  if (differs.length) out.push(`method differs from its identity's at ${differs.join(', ')}`);
  return out;
}

/**
 * SHA-256 (hex) of a record's canonical JSON (keys sorted, `digest` itself left out): every measured field, the
 * identity and how it ran. Written with the record and checked when it is read, so a record edited by hand or
 * damaged on disk (or on its way from a queue worker) is reported, never shown.
 */
export function recordDigest(record: object): string {
  const { digest: _digest, ...content } = record as Record<string, unknown>;
  return createHash('sha256').update(canonical(content)).digest('hex');
}

/**
 * Whether a value is a record of job `expectedId` (when given) that can be shown: its schema, its copies of the
 * identity, and that the identity hashes to its id. Not its digest (a value on its way to the store has none yet).
 * `error` says what is wrong.
 */
export function checkRecord(
  value: unknown,
  expectedId?: string,
): { ok: true; record: ResultRecord } | { ok: false; error: string } {
  const parsed = RecordSchema.safeParse(value);
  if (!parsed.success) return { ok: false, error: `not a semix-record-v2 record (${issuesText(parsed.error)})` };
  return checkParsed(parsed.data, expectedId);
}

function checkParsed(
  record: ResultRecord,
  expectedId?: string,
): { ok: true; record: ResultRecord } | { ok: false; error: string } {
  if (jobId(record.identity as unknown as JobIdentity) !== record.job_id)
    return { ok: false, error: `its identity does not hash to its job_id ${record.job_id} (edited?)` };
  if (expectedId !== undefined && record.job_id !== expectedId)
    return { ok: false, error: `it holds job ${record.job_id}, expected ${expectedId}` };
  const mismatches = identityMismatches(record);
  if (mismatches.length)
    return { ok: false, error: `its copies of its identity disagree with it: ${mismatches.join('; ')} (edited?)` };
  return { ok: true, record };
}

const issuesText = (error: z.ZodError) =>
  error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');

/**
 * A record's file content: validated against its schema and its identity, then sealed with its digest. Throws
 * when the record is not one that would read back (a writer's bug, not a result).
 */
export function recordText(record: ResultRecord): string {
  const content = RecordSchema.parse(record);
  const checked = checkParsed(content);
  if (!checked.ok) throw new Error(`record ${record.job_id}: ${checked.error}`);
  return `${JSON.stringify({ ...content, digest: recordDigest(content) }, null, 2)}\n`;
}

/** Everything a job's record holds that its identity does not fix: how it ran and what it measured. */
export interface RecordInput {
  identity: JobIdentity;
  /** The resolved method with its label (the leaderboard row); it must be the identity's method. */
  method: StoredMethod;
  /** The preset's name (presentation: not part of the identity). */
  preset: string;
  /** Images trained on and evaluated (the identity holds their checksums). */
  trainImages: number;
  testImages: number;
  versions: Record<string, string>;
  gitCommit: string | null;
  wallTimeS: number;
  samplesPerS: number;
  /** The most threads the job trained on. */
  threads: number;
  clean: { accuracy: number; nll: number; ece: number };
  suites: Record<string, SuiteResult>;
  gap: { angular: number; relativeL2: number };
  history: Array<Record<string, number>>;
}

/** A job's record: the copies of its identity derived from it, the rest as measured. */
export function resultRecord(input: RecordInput): ResultRecord {
  const { identity } = input;
  return {
    schema: 'semix-record-v2',
    job_id: jobId(identity),
    identity,
    preset: input.preset,
    method: input.method,
    seed: identity.seed,
    dataset: {
      name: identity.dataset,
      checksum: identity.data.train,
      train_images: input.trainImages,
      test_images: input.testImages,
    },
    architecture: identity.model.arch,
    model: { arch: identity.model.arch, width: identity.model.width },
    // The settings that determined the result (shards resolved); the threads are stated apart, as `threads`.
    train: { ...identity.train, shards: identity.train.shards ?? 1 },
    evaluation: { ...identity.evaluation },
    backend: identity.compute.backend,
    versions: input.versions,
    git_commit: input.gitCommit,
    wall_time_s: input.wallTimeS,
    samples_per_s: input.samplesPerS,
    threads: input.threads,
    clean_acc: input.clean.accuracy,
    nll: input.clean.nll,
    ece: input.clean.ece,
    suites: input.suites,
    equivariance_gap: input.gap.angular,
    equivariance_gap_l2: input.gap.relativeL2,
    history: input.history,
    sem_share: semShare(input.history, identity.method.sem !== null),
    created_at: new Date().toISOString(),
  };
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

/** A failure record's file content, sealed with its digest as records are. */
export function failedText(record: FailedRecord): string {
  const content = FailedRecordSchema.parse(record);
  return `${JSON.stringify({ ...content, digest: recordDigest(content) }, null, 2)}\n`;
}

/** The failure record of a grid job of preset `preset` that failed as `failure` says after `attempts` tries. */
export function failureRecord(preset: string, job: GridJob, failure: JobFailure, attempts: number): FailedRecord {
  return {
    schema: 'semix-failed-v2',
    job_id: job.id,
    preset,
    label: job.label,
    method: { ...job.method },
    seed: job.seed,
    ...failure,
    attempts,
    failed_at: new Date().toISOString(),
  };
}

/**
 * Parses a stored record's or failure record's text and checks its digest over what the schema keeps: the value,
 * or what is wrong with it. `what` names the kind in messages.
 */
export function verifySealed<T extends object>(
  schema: z.ZodType<T>,
  text: string,
  what: string,
): { ok: true; value: T } | { ok: false; error: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not valid JSON (${(error as Error).message})` };
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) return { ok: false, error: `not a ${what} (${issuesText(parsed.error)})` };
  const digest = (value as { digest?: unknown }).digest;
  if (typeof digest !== 'string')
    return {
      ok: false,
      error: 'it has no digest (written by a semix before records were sealed, or edited): unverifiable',
    };
  if (digest !== recordDigest(parsed.data))
    return { ok: false, error: 'its content does not match its digest (edited or damaged)' };
  return { ok: true, value: parsed.data };
}

/** A stored record's text, verified: its digest, then as `checkRecord` (schema, identity copies, id). */
export function verifyRecordText(
  text: string,
  expectedId?: string,
): { ok: true; record: ResultRecord } | { ok: false; error: string } {
  const sealed = verifySealed(RecordSchema, text, 'semix-record-v2 record');
  return sealed.ok ? checkParsed(sealed.value, expectedId) : sealed;
}
