/**
 * The coordinator: enqueues the grid's unfinished jobs, follows them until each has a record or a failure
 * record, and rebuilds the leaderboard. The queue's only writer of the record store (the queue workers return
 * records; this process checks and stores them).
 */
import { type BackendName, computeIdentity, selectBackend } from '@semix/core';
import { type Job, Queue } from 'bullmq';
import { type GridJob, planGrid, writeGrid } from '../../plan/grid';
import type { Preset } from '../../plan/preset';
import type { Leaderboard } from '../../report/leaderboard';
import { loadPresetSplits, type PresetSplits } from '../data';
import type { JobFailure } from '../failure';
import { checkRecord, type FailedRecord, failureRecord, type ResultRecord } from '../records';
import { rebuildLeaderboard } from '../run';
import { pendingJobs, recordStore } from '../store';
import { openQueueConnection, rejectOnAbort } from './connection';
import { checkQueueUrl, FAILURE_PREFIX, type JobPayload, QUEUE_NAME, retryRedis, sleep } from './shared';

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
  /**
   * The backend the jobs are planned for (default auto: as `semix worker` picks it on this machine): with
   * its kernel arithmetic, part of every job's identity. Queue workers that compute otherwise refuse the jobs.
   */
  backend?: BackendName | 'auto';
  command?: string;
  /** Retries of a failing job (BullMQ attempts), with exponential backoff from `backoffMs`. Default 3 and 2 s. */
  attempts?: number;
  backoffMs?: number;
  pollMs?: number;
  /**
   * How long Redis may stay unreachable (at the start, or after losing it) before the run gives up with a
   * QueueConnectionError; refused credentials give up at once. Default DEFAULT_CONNECT_TIMEOUT_MS (30 s).
   */
  connectTimeoutMs?: number;
  onEvent?: (e: QueueEvent) => void;
  /** The preset's splits, when the caller has loaded them already (see BenchOptions.splits). */
  splits?: PresetSplits;
  /** Stops following (the reason is thrown); the queued jobs stay in Redis for the next run or the queue workers. */
  signal?: AbortSignal;
}

export interface QueuedBenchResult {
  leaderboard: Leaderboard;
  files: string[];
  done: number;
  failed: number;
  skipped: number;
  /** Seconds from the first enqueue to the last record, and the sum of the queue workers' own job times. */
  wallSeconds: number;
  jobSeconds: number;
}

/**
 * Coordinator: enqueues the grid's unfinished jobs, follows them until each has a record or a failure record,
 * and rebuilds the leaderboard. Only this process writes the records store (atomically, after validating each
 * record). Stopping it leaves the queue running; starting it again picks up where it was. Throws a
 * QueueConnectionError when Redis refuses the credentials or stays unreachable for `connectTimeoutMs`.
 */
export async function runQueuedBench(options: QueuedBenchOptions): Promise<QueuedBenchResult> {
  const { preset, outDir, onEvent } = options;
  // Usage errors before anything is written to outDir: the URL, then the preset's sizes against its data.
  checkQueueUrl(options.url);
  // The same ids as the in-process bench: the hash of each job's identity on this machine's data and backend.
  await selectBackend(options.backend ?? 'auto');
  const compute = computeIdentity();
  const splits = options.splits ?? (await loadPresetSplits(preset));
  const store = recordStore(outDir);
  await store.prepare();
  const grid = planGrid(preset, splits.identity, compute);
  await writeGrid(outDir, grid);
  options.signal?.throwIfAborted();
  const { connection, lost, close } = openQueueConnection(options.url, { connectTimeoutMs: options.connectTimeoutMs });
  // Every wait below ends on a stop or on giving up on Redis; giving up also fails the commands in flight.
  const signal = options.signal ? AbortSignal.any([options.signal, lost]) : lost;
  // A stop disconnects at once: a command waiting for an unreachable Redis would otherwise hold the stop up.
  signal.addEventListener('abort', close, { once: true });
  connection.on('error', (error) => onEvent?.({ type: 'redis-error', error: error.message }));
  /**
   * A queue operation, again while Redis is away; it ends on a stop or on giving up (a command queued while the
   * connection was down may never settle once it is closed).
   */
  const redis = <T>(op: () => Promise<T>) =>
    retryRedis(() => Promise.race([op(), rejectOnAbort(signal)]), { signal }, onEvent);
  const queue = new Queue<JobPayload, ResultRecord>(QUEUE_NAME, { connection });
  queue.on('error', (error) => onEvent?.({ type: 'redis-error', error: error.message }));
  const attempts = options.attempts ?? 3;
  const payloadOf = (job: GridJob): JobPayload => ({
    v: 3,
    id: job.id,
    preset: preset as unknown as Record<string, unknown>,
    method: job.method as unknown as Record<string, unknown>,
    seed: job.seed,
    data: splits.identity as unknown as JobPayload['data'],
    compute,
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
    await redis(() => queue.add(`${job.label}/seed${job.seed}`, payloadOf(job), jobOptions));
    onEvent?.({ type: 'enqueued', id: job.id, label: job.label, seed: job.seed, state: 'added' });
  };
  const { pending: todo, skipped } = await pendingJobs(store, grid, (e) => {
    if (e.type === 'job-skip') onEvent?.({ type: 'job-skip', id: e.id, reason: e.reason });
    if (e.type === 'job-bad-record') onEvent?.(e);
  });
  const pending = new Map(todo.map((j) => [j.id, j]));
  const started = performance.now();
  let jobSeconds = 0;
  let done = 0;
  let failedCount = 0;
  const recordFailure = async (job: GridJob, failure: JobFailure, attemptsMade: number) => {
    const record = failureRecord(preset.name, job, failure, attemptsMade);
    await store.writeFailed(record);
    pending.delete(job.id);
    failedCount += 1;
    onEvent?.({ type: 'job-failed', id: job.id, failure: record });
  };
  try {
    for (const job of todo) {
      const existing = await redis(() => queue.getJob(job.id));
      if (!existing) await enqueue(job);
      else if ((await redis(() => existing.getState())) === 'failed') {
        // A re-submitted grid runs its failed jobs again (a failure record, if any, was written for it).
        await redis(() => existing.retry('failed'));
        await store.removeFailed(job.id);
        onEvent?.({ type: 'enqueued', id: job.id, label: job.label, seed: job.seed, state: 'retried' });
      } else onEvent?.({ type: 'enqueued', id: job.id, label: job.label, seed: job.seed, state: 'existing' });
    }
    const total = pending.size;
    while (pending.size > 0) {
      signal.throwIfAborted();
      let active = 0;
      let waiting = 0;
      for (const job of [...pending.values()]) {
        const queued = await redis(() => queue.getJob(job.id));
        if (!queued) {
          // Lost (Redis restarted without persistence): enqueue it again under the same id.
          await enqueue(job);
          continue;
        }
        const state = await redis(() => queued.getState());
        // A final state: read the job again. The copy above was fetched before getState, and the job may have
        // completed, or been retried and failed, in between (its returnvalue, attemptsMade and failedReason would
        // be an earlier attempt's); completed and failed are final, so this read is the last attempt's.
        const final =
          state === 'completed' || state === 'failed' ? ((await redis(() => queue.getJob(job.id))) ?? queued) : queued;
        if (state === 'completed') {
          // Checked as the store reads records (schema, identity, id) before it is sealed and stored.
          const checked = checkRecord(final.returnvalue, job.id);
          if (checked.ok) {
            await store.writeRecord(checked.record);
            jobSeconds += checked.record.wall_time_s;
            done += 1;
            pending.delete(job.id);
            onEvent?.({ type: 'job-done', id: job.id, record: checked.record });
          } else {
            await recordFailure(
              job,
              { reason: 'error', error: `the queue worker returned an invalid record (${checked.error})` },
              final.attemptsMade,
            );
          }
        } else if (state === 'failed') {
          await recordFailure(job, failureOf(final), final.attemptsMade);
        } else if (state === 'active') active += 1;
        else waiting += 1;
      }
      onEvent?.({ type: 'progress', done, failed: failedCount, active, waiting, total });
      if (pending.size > 0) await sleep(options.pollMs ?? 500, signal);
    }
  } catch (error) {
    // A command cut short by a stop or by giving up on Redis fails with "Connection is closed": say which it was.
    throw signal.aborted ? signal.reason : error;
  } finally {
    // Disconnected first: a Queue's close would otherwise wait for a Redis that is gone (it sends nothing needed).
    close();
    await queue.close().catch(() => {});
  }
  const wallSeconds = (performance.now() - started) / 1000;
  const { leaderboard, files } = await rebuildLeaderboard(
    outDir,
    options.command ?? `semix bench --preset ${preset.name} --queue redis://…`,
  );
  return { leaderboard, files, done, failed: failedCount, skipped, wallSeconds, jobSeconds };
}

/** A failed job's reason: a result failure (diverged, near chance) the queue worker encoded, or an error. */
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
