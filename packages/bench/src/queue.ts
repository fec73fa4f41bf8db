/**
 * The leaderboard grid across machines, on BullMQ (Redis). The coordinator enqueues one job per (method, seed)
 * with a stable id, follows them, validates each returned record and is the only writer of the records store;
 * workers on any number of machines take jobs, train, evaluate and return records. Stalled jobs (a worker
 * killed mid-job) are re-run by BullMQ; failing jobs are retried with backoff and then recorded as failed.
 */
import { rm } from 'node:fs/promises';
import { type BackendName, selectBackend } from '@semix/core';
import { writeAtomic } from '@semix/datasets';
import { resolveMethod } from '@semix/mixup';
import { type Job, Queue, UnrecoverableError, Worker } from 'bullmq';
import { Redis, type RedisOptions } from 'ioredis';
import { z } from 'zod';
import { type GridJob, planGrid, writeGrid } from './grid';
import { canonical, type DataIdentity, identityDiff, jobId, jobIdentity } from './identity';
import { JobFailedError, loadPresetData, loadPresetSplits, type PresetData, runJob } from './job';
import type { JobFailure } from './job_pool';
import type { Leaderboard } from './leaderboard';
import { type Preset, parsePreset } from './preset';
import { type FailedRecord, failedFile, RecordSchema, type ResultRecord, recordFile } from './records';
import { checkWritable, failureRecord, packageVersions, pendingJobs, rebuildLeaderboard } from './run';

export const QUEUE_NAME = 'semix-bench';

/**
 * A job's payload: validated data, never code. The method is a method configuration that the worker resolves
 * and builds itself (it imports nothing a payload names); `data` is the coordinator's data identity, which the
 * worker must reproduce; `id` is the hash of the job's identity, which the worker recomputes.
 */
export const JobPayloadSchema = z
  .object({
    v: z.literal(2),
    id: z.string().regex(/^semix-[0-9a-f]{24}$/),
    preset: z.record(z.unknown()),
    method: z.record(z.unknown()),
    seed: z.number().int().nonnegative(),
    data: z.object({ train: z.string(), test: z.string(), suites: z.array(z.record(z.unknown())) }).strict(),
  })
  .strict();
export type JobPayload = z.infer<typeof JobPayloadSchema>;

/** Marks a failure that is a result (diverged, near chance), carried through BullMQ's failed reason. */
const FAILURE_PREFIX = 'semix-job-failed:';

/** Validates a payload completely: its preset, its method, and that its id is the hash of its identity. */
export function parsePayload(value: unknown): { preset: Preset; job: GridJob; data: DataIdentity } {
  const parsed = JobPayloadSchema.safeParse(value);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  }
  const preset = parsePreset(parsed.data.preset, 'payload.preset');
  const method = resolveMethod(parsed.data.method, 'payload.method');
  const data = parsed.data.data as DataIdentity;
  const identity = jobIdentity(preset, method, parsed.data.seed, data);
  if (jobId(identity) !== parsed.data.id)
    throw new Error(`payload.id: ${parsed.data.id} is not the hash of the job's identity (${jobId(identity)})`);
  return { preset, job: { id: parsed.data.id, label: method.label, method, seed: parsed.data.seed, identity }, data };
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
      `queue url: '${redactUrl(url)}' is not a URL; expected redis://[:password@]host:port[/db] or rediss://…`,
    );
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new Error(`queue url: protocol '${parsed.protocol}' is not allowed; allowed: redis:, rediss: (TLS)`);
  }
  return new Redis(url, {
    maxRetriesPerRequest: null,
    retryStrategy: (times) => Math.min(100 * times, 2000),
    lazyConnect: false,
    ...extra,
  });
}

export type QueueEvent =
  | { type: 'enqueued'; id: string; label: string; seed: number; state: 'added' | 'existing' | 'retried' }
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

/**
 * Coordinator: enqueues the grid's unfinished jobs, follows them until each has a record or a failure record,
 * and rebuilds the leaderboard. Only this process writes the records store (atomically, after validating each
 * record). Stopping it leaves the queue running; starting it again picks up where it was.
 */
export async function runQueuedBench(options: QueuedBenchOptions): Promise<QueuedBenchResult> {
  const { preset, outDir, onEvent } = options;
  await checkWritable(outDir);
  // The same ids as the in-process bench: the hash of each job's identity on this machine's data.
  const splits = await loadPresetSplits(preset);
  const grid = planGrid(preset, splits.identity);
  await writeGrid(outDir, grid);
  const connection = redisConnection(options.url);
  connection.on('error', (error) => onEvent?.({ type: 'redis-error', error: error.message }));
  const queue = new Queue<JobPayload, ResultRecord>(QUEUE_NAME, { connection });
  queue.on('error', (error) => onEvent?.({ type: 'redis-error', error: error.message }));
  const attempts = options.attempts ?? 3;
  const payloadOf = (job: GridJob): JobPayload => ({
    v: 2,
    id: job.id,
    preset: preset as unknown as Record<string, unknown>,
    method: job.method as unknown as Record<string, unknown>,
    seed: job.seed,
    data: splits.identity as unknown as JobPayload['data'],
  });
  /** Adds a job under its stable id (first submission, or again after Redis lost it). */
  const enqueue = async (job: GridJob) => {
    const jobOptions = {
      jobId: job.id,
      attempts,
      backoff: { type: 'exponential' as const, delay: options.backoffMs ?? 2000 },
      removeOnComplete: false,
      removeOnFail: false,
    };
    await retryRedis(() => queue.add(`${job.label}/seed${job.seed}`, payloadOf(job), jobOptions), options, onEvent);
    onEvent?.({ type: 'enqueued', id: job.id, label: job.label, seed: job.seed, state: 'added' });
  };
  const { pending: todo, skipped } = await pendingJobs(outDir, grid, (e) => {
    if (e.type === 'job-skip') onEvent?.({ type: 'job-skip', id: e.id, reason: e.reason });
    if (e.type === 'job-bad-record') onEvent?.(e);
  });
  const pending = new Map(todo.map((j) => [j.id, j]));
  const started = performance.now();
  let jobSeconds = 0;
  let done = 0;
  let failedCount = 0;
  const recordFailure = async (job: GridJob, failure: JobFailure, attemptsMade: number) => {
    const record = failureRecord(preset, job, failure, attemptsMade);
    await writeAtomic(failedFile(outDir, job.id), `${JSON.stringify(record, null, 2)}\n`);
    pending.delete(job.id);
    failedCount += 1;
    onEvent?.({ type: 'job-failed', id: job.id, failure: record });
  };
  try {
    for (const job of todo) {
      const existing = await retryRedis(() => queue.getJob(job.id), options, onEvent);
      if (!existing) await enqueue(job);
      else if ((await existing.getState()) === 'failed') {
        // A re-submitted grid runs its failed jobs again (a failure record, if any, was written for it).
        await existing.retry('failed');
        await rm(failedFile(outDir, job.id), { force: true });
        onEvent?.({ type: 'enqueued', id: job.id, label: job.label, seed: job.seed, state: 'retried' });
      } else onEvent?.({ type: 'enqueued', id: job.id, label: job.label, seed: job.seed, state: 'existing' });
    }
    const total = pending.size;
    while (pending.size > 0) {
      options.signal?.throwIfAborted();
      let active = 0;
      let waiting = 0;
      for (const job of [...pending.values()]) {
        const queued = await retryRedis(() => queue.getJob(job.id), options, onEvent);
        if (!queued) {
          // Lost (Redis restarted without persistence): enqueue it again under the same id.
          await enqueue(job);
          continue;
        }
        const state = await retryRedis(() => queued.getState(), options, onEvent);
        if (state === 'completed') {
          const parsed = RecordSchema.safeParse(queued.returnvalue);
          if (parsed.success && parsed.data.job_id === job.id) {
            await writeAtomic(recordFile(outDir, job.id), `${JSON.stringify(parsed.data, null, 2)}\n`);
            jobSeconds += parsed.data.wall_time_s;
            done += 1;
            pending.delete(job.id);
            onEvent?.({ type: 'job-done', id: job.id, record: parsed.data });
          } else {
            const why = parsed.success
              ? `record is for job '${parsed.data.job_id}', expected '${job.id}'`
              : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
            await recordFailure(
              job,
              { reason: 'error', error: `the worker returned an invalid record (${why})` },
              queued.attemptsMade,
            );
          }
        } else if (state === 'failed') {
          await recordFailure(job, failureOf(queued), queued.attemptsMade);
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
  );
  return { leaderboard, files, done, failed: failedCount, skipped, wallSeconds, jobSeconds };
}

/** A failed job's reason: a result failure (diverged, near chance) the worker encoded, or an error. */
function failureOf(job: Job<JobPayload, ResultRecord>): JobFailure {
  const reason = job.failedReason || 'failed without a reason';
  if (reason.startsWith(FAILURE_PREFIX)) {
    try {
      return JSON.parse(reason.slice(FAILURE_PREFIX.length)) as JobFailure;
    } catch {
      // fall through: reported as the error it is
    }
  }
  return { reason: 'error', error: reason };
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

/** Waits `ms`, or rejects when the signal aborts; the abort listener is removed either way. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export type WorkerEvent =
  | { type: 'ready'; backend: string }
  | { type: 'job-start'; id: string; label: string; seed: number; attempt: number }
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
      let payload: ReturnType<typeof parsePayload>;
      try {
        payload = parsePayload(job.data);
      } catch (error) {
        throw new UnrecoverableError(`refused: the job's payload is not valid (${(error as Error).message})`);
      }
      const { preset, job: gridJob, data: expected } = payload;
      onEvent?.({
        type: 'job-start',
        id: gridJob.id,
        label: gridJob.label,
        seed: gridJob.seed,
        attempt: job.attemptsMade + 1,
      });
      const key = canonical(preset);
      let data = dataCache.get(key);
      if (!data) {
        data = await loadPresetData(preset);
        dataCache.clear();
        dataCache.set(key, data);
      }
      const differs = identityDiff(data.identity, expected);
      if (differs.length) {
        throw new UnrecoverableError(
          `refused: this worker's ${preset.dataset} data differs from the coordinator's at ${differs.join(', ')} (checksums ${JSON.stringify(data.identity)} against ${JSON.stringify(expected)})`,
        );
      }
      const started = performance.now();
      let record: ResultRecord;
      try {
        record = await runJob(gridJob.method, gridJob.seed, { preset, data, backend: selection.name, versions });
      } catch (error) {
        if (error instanceof JobFailedError)
          throw new UnrecoverableError(`${FAILURE_PREFIX}${JSON.stringify(error.failure)}`);
        throw error;
      }
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
