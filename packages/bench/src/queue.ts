/**
 * The leaderboard grid across machines, on BullMQ (Redis). The coordinator enqueues one job per (method, seed)
 * with a stable id, follows them, validates each returned record and is the only writer of the records store;
 * workers on any number of machines take jobs, train, evaluate and return records. Stalled jobs (a worker
 * killed mid-job) are re-run by BullMQ; failing jobs are retried with backoff and then recorded as failed.
 */
import { createHash } from 'node:crypto';
import { rm } from 'node:fs/promises';
import { type BackendName, selectBackend } from '@semix/core';
import { loadDataset, take, writeAtomic } from '@semix/datasets';
import { describeMethod, METHOD_NAMES, type MethodName } from '@semix/mixup';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { loadPresetData, type PresetData, runJob } from './job';
import type { Leaderboard } from './leaderboard';
import { type Preset, PresetSchema } from './preset';
import {
  type FailedRecord,
  failedFile,
  jobId,
  RecordSchema,
  type ResultRecord,
  readRecord,
  recordFile,
} from './records';
import { checkWritable, packageVersions, rebuildLeaderboard } from './run';

export const QUEUE_NAME = 'semix-bench';

/** A job's payload: a validated JSON config, never code. */
export const JobPayloadSchema = z
  .object({
    v: z.literal(1),
    preset: PresetSchema,
    method: z.enum(METHOD_NAMES as unknown as [string, ...string[]]),
    seed: z.number().int().nonnegative(),
    datasetChecksum: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
export type JobPayload = z.infer<typeof JobPayloadSchema>;

/** JSON with object keys sorted, so equal configs hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The job id: a hash of (preset, method with all its options, seed, data set checksum). Re-submitting a grid
 * adds nothing that is queued, running or done; changing any option makes a new job.
 */
export function queueJobId(p: Pick<JobPayload, 'preset' | 'method' | 'seed' | 'datasetChecksum'>): string {
  const key = canonical({
    preset: p.preset,
    method: describeMethod(p.method as MethodName),
    seed: p.seed,
    dataset: p.datasetChecksum,
  });
  return `semix-${createHash('sha256').update(key).digest('hex').slice(0, 40)}`;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(invalid URL)';
  }
}

/**
 * A Redis connection from a `redis://` or `rediss://` (TLS) URL, with password and database as the URL says.
 * It reconnects forever with a capped backoff, so a Redis restart pauses the run rather than failing it.
 */
export function redisConnection(url: string, extra: RedisOptions = {}): Redis {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      `--queue: '${redactUrl(url)}' is not a URL; expected redis://[:password@]host:port[/db] or rediss://…`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`--queue: protocol '${parsed.protocol}' is not allowed; allowed: redis:, rediss: (TLS)`);
  }
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    lazyConnect: false,
    ...extra,
  });
}

export type QueueEvent =
  | { type: 'enqueued'; id: string; method: string; seed: number; state: 'added' | 'existing' | 'retried' }
  | { type: 'job-skip'; id: string; reason: string }
  | { type: 'job-bad-record'; id: string; file: string; error: string }
  | { type: 'progress'; done: number; failed: number; active: number; waiting: number; total: number }
  | { type: 'job-done'; id: string; record: ResultRecord }
  | { type: 'job-failed'; id: string; failure: FailedRecord }
  | { type: 'redis-error'; error: string };

export interface QueuedBenchOptions {
  preset: Preset;
  outDir: string;
  url: string;
  command?: string;
  /** Retries of a failing job (BullMQ attempts), with exponential backoff from `backoffMs`. Default 3 and 2 s. */
  attempts?: number;
  backoffMs?: number;
  pollMs?: number;
  onEvent?: (e: QueueEvent) => void;
  signal?: AbortSignal;
}

export interface QueuedBenchResult {
  leaderboard: Leaderboard;
  files: string[];
  done: number;
  failed: number;
  skipped: number;
  /** Seconds from the first enqueue to the last record, and the sum of the workers' own job times. */
  wallSeconds: number;
  jobSeconds: number;
}

/** The data checksum the workers must reproduce: the training set the preset trains on. */
export async function presetChecksum(preset: Preset): Promise<string> {
  const { train } = await loadDataset(preset.dataset);
  return (preset.train.trainImages ? take(train, preset.train.trainImages) : train).checksum;
}

/**
 * Coordinator: enqueues the grid's unfinished jobs, follows them until each has a record or a failure record,
 * and rebuilds the leaderboard. Only this process writes the records store (atomically, after validating each
 * record). Stopping it leaves the queue running; starting it again picks up where it was.
 */
export async function runQueuedBench(options: QueuedBenchOptions): Promise<QueuedBenchResult> {
  const { preset, outDir, onEvent } = options;
  const unknown = preset.methods.filter((m) => !(METHOD_NAMES as readonly string[]).includes(m));
  if (unknown.length) throw new Error(`methods: ${unknown.join(', ')} not known; allowed: ${METHOD_NAMES.join(', ')}`);
  await checkWritable(outDir);
  const datasetChecksum = await presetChecksum(preset);
  const connection = redisConnection(options.url);
  connection.on('error', (error) => onEvent?.({ type: 'redis-error', error: error.message }));
  const queue = new Queue<JobPayload, ResultRecord>(QUEUE_NAME, { connection });
  queue.on('error', (error) => onEvent?.({ type: 'redis-error', error: error.message }));
  const attempts = options.attempts ?? 3;
  /** Adds a job under its stable id (first submission, or again after Redis lost it). */
  const enqueue = async (id: string, payload: JobPayload) => {
    const jobOptions = {
      jobId: id,
      attempts,
      backoff: { type: 'exponential' as const, delay: options.backoffMs ?? 2000 },
      removeOnComplete: false,
      removeOnFail: false,
    };
    await retryRedis(() => queue.add(`${payload.method}/seed${payload.seed}`, payload, jobOptions), options, onEvent);
    onEvent?.({ type: 'enqueued', id, method: payload.method, seed: payload.seed, state: 'added' });
  };
  const pending = new Map<string, { payload: JobPayload; recordId: string }>();
  let skipped = 0;
  const started = performance.now();
  let jobSeconds = 0;
  let done = 0;
  let failedCount = 0;
  try {
    for (const method of preset.methods) {
      for (const seed of preset.seeds) {
        const recordId = jobId(preset.name, method, seed);
        const existing = await readRecord(recordFile(outDir, recordId));
        if (existing?.ok) {
          skipped += 1;
          onEvent?.({ type: 'job-skip', id: recordId, reason: 'record exists' });
          continue;
        }
        if (existing && !existing.ok) {
          onEvent?.({ type: 'job-bad-record', id: recordId, file: existing.file, error: existing.error });
          continue;
        }
        const payload: JobPayload = { v: 1, preset, method, seed, datasetChecksum };
        const id = queueJobId(payload);
        pending.set(id, { payload, recordId });
        const job = await retryRedis(() => queue.getJob(id), options, onEvent);
        if (!job) await enqueue(id, payload);
        else if ((await job.getState()) === 'failed') {
          // A re-submitted grid runs its failed jobs again.
          await job.retry('failed');
          await rm(failedFile(outDir, recordId), { force: true });
          onEvent?.({ type: 'enqueued', id, method, seed, state: 'retried' });
        } else onEvent?.({ type: 'enqueued', id, method, seed, state: 'existing' });
      }
    }
    const total = pending.size;
    while (pending.size > 0) {
      options.signal?.throwIfAborted();
      let active = 0;
      let waiting = 0;
      for (const [id, { payload, recordId }] of [...pending]) {
        const job = await retryRedis(() => queue.getJob(id), options, onEvent);
        if (!job) {
          // Lost (Redis restarted without persistence): enqueue it again under the same id.
          await enqueue(id, payload);
          continue;
        }
        const state = await retryRedis(() => job.getState(), options, onEvent);
        if (state === 'completed') {
          const parsed = RecordSchema.safeParse(job.returnvalue);
          if (parsed.success && parsed.data.job_id === recordId) {
            await writeAtomic(recordFile(outDir, recordId), `${JSON.stringify(parsed.data, null, 2)}\n`);
            jobSeconds += parsed.data.wall_time_s;
            done += 1;
            pending.delete(id);
            onEvent?.({ type: 'job-done', id: recordId, record: parsed.data });
          } else {
            const why = parsed.success
              ? `record is for job '${parsed.data.job_id}', expected '${recordId}'`
              : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
            await recordFailure(job, recordId, `the worker returned an invalid record (${why})`);
          }
        } else if (state === 'failed') {
          await recordFailure(job, recordId, job.failedReason || 'failed without a reason');
        } else if (state === 'active') active += 1;
        else waiting += 1;
      }
      onEvent?.({ type: 'progress', done, failed: failedCount, active, waiting, total });
      if (pending.size > 0) await sleep(options.pollMs ?? 500, options.signal);
    }
  } finally {
    await queue.close().catch(() => {});
    connection.disconnect();
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const { leaderboard, files } = await rebuildLeaderboard(
    outDir,
    options.command ?? `semix bench --preset ${preset.name} --queue redis://…`,
    preset.name,
  );
  return { leaderboard, files, done, failed: failedCount, skipped, wallSeconds, jobSeconds };

  async function recordFailure(job: Job<JobPayload, ResultRecord>, recordId: string, error: string) {
    const failure: FailedRecord = {
      schema: 'semix-failed-v1',
      job_id: recordId,
      preset: preset.name,
      method: job.data.method,
      seed: job.data.seed,
      error,
      attempts: job.attemptsMade,
      failed_at: new Date().toISOString(),
    };
    await writeAtomic(failedFile(outDir, recordId), `${JSON.stringify(failure, null, 2)}\n`);
    pending.delete(job.id as string);
    failedCount += 1;
    onEvent?.({ type: 'job-failed', id: recordId, failure });
  }
}

/** Retries an operation while Redis is unreachable (it reconnects by itself), reporting each error once. */
async function retryRedis<T>(
  op: () => Promise<T>,
  options: { signal?: AbortSignal },
  onEvent?: (e: QueueEvent) => void,
): Promise<T> {
  for (;;) {
    try {
      return await op();
    } catch (error) {
      options.signal?.throwIfAborted();
      const message = (error as Error).message;
      if (!/ECONNREFUSED|ECONNRESET|Connection is closed|connect|EPIPE|LOADING|ETIMEDOUT/i.test(message)) throw error;
      onEvent?.({ type: 'redis-error', error: message });
      await sleep(500, options.signal);
    }
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

export type WorkerEvent =
  | { type: 'ready'; backend: string }
  | { type: 'job-start'; id: string; method: string; seed: number; attempt: number }
  | { type: 'job-done'; id: string; seconds: number }
  | { type: 'job-error'; id: string; error: string }
  | { type: 'redis-error'; error: string };

export interface WorkerOptions {
  url: string;
  backend?: BackendName | 'auto';
  /** How long a job's lock lasts without renewal; a killed worker's job is taken over after it. Default 30 s. */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for. Default 15 s. */
  stalledIntervalMs?: number;
  onEvent?: (e: WorkerEvent) => void;
  signal?: AbortSignal;
}

/**
 * A worker: takes jobs one at a time (training uses the whole backend), validates the payload (unknown presets
 * or methods are refused without retries), checks that its data has the coordinator's checksum, trains,
 * evaluates and returns the record. Runs until the signal aborts; the current job is finished first.
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const { onEvent } = options;
  const selection = await selectBackend(options.backend ?? 'auto');
  const versions = packageVersions();
  const dataCache = new Map<string, PresetData>();
  const connection = redisConnection(options.url);
  connection.on('error', (error) => onEvent?.({ type: 'redis-error', error: error.message }));
  const worker = new Worker<JobPayload, ResultRecord>(
    QUEUE_NAME,
    async (job) => {
      const parsed = JobPayloadSchema.safeParse(job.data);
      if (!parsed.success) {
        const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
        throw new UnrecoverableError(`refused: the job's config is not valid (${why})`);
      }
      const { preset, method, seed, datasetChecksum } = parsed.data;
      onEvent?.({ type: 'job-start', id: job.id as string, method, seed, attempt: job.attemptsMade + 1 });
      const key = canonical(preset);
      let data = dataCache.get(key);
      if (!data) {
        data = await loadPresetData(preset);
        dataCache.clear();
        dataCache.set(key, data);
      }
      if (data.train.checksum !== datasetChecksum) {
        throw new UnrecoverableError(
          `refused: this worker's ${preset.dataset} has checksum ${data.train.checksum}, the job expects ${datasetChecksum}`,
        );
      }
      const started = performance.now();
      const record = await runJob(method, seed, { preset, data, backend: selection.name, versions });
      const checked = RecordSchema.parse(record);
      onEvent?.({ type: 'job-done', id: job.id as string, seconds: (performance.now() - started) / 1000 });
      return checked;
    },
    {
      connection,
      concurrency: 1,
      lockDuration: options.lockDurationMs ?? 30_000,
      stalledInterval: options.stalledIntervalMs ?? 15_000,
      maxStalledCount: 2,
    },
  );
  worker.on('failed', (job, error) => onEvent?.({ type: 'job-error', id: job?.id ?? '?', error: error.message }));
  worker.on('error', (error) => onEvent?.({ type: 'redis-error', error: error.message }));
  await worker.waitUntilReady();
  onEvent?.({ type: 'ready', backend: selection.name });
  await new Promise<void>((resolve) => {
    if (options.signal?.aborted) resolve();
    options.signal?.addEventListener('abort', () => resolve(), { once: true });
  });
  await worker.close();
  connection.disconnect();
}
