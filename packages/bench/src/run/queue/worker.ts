/**
 * A queue worker: takes jobs one at a time, validates each payload (its id must be the hash of its identity),
 * checks that its data has the coordinator's identity, trains, evaluates and returns the record, which the
 * coordinator checks again and stores.
 */
import { type BackendName, computeIdentity, sameCompute, selectBackend } from '@semix/core';
import { UnrecoverableError, WaitingError, Worker } from 'bullmq';
import { canonical, identityDiff } from '../../plan/identity';
import { loadPresetData, type PresetData } from '../data';
import { JobFailedError } from '../failure';
import { runJob } from '../job';
import { packageVersions } from '../provenance';
import { checkRecord, type ResultRecord } from '../records';
import { openQueueConnection, rejectOnAbort } from './connection';
import { FAILURE_PREFIX, type JobPayload, parsePayload, QUEUE_NAME } from './shared';

export type WorkerEvent =
  | { type: 'ready'; backend: string }
  | { type: 'job-start'; id: string; label: string; seed: number; attempt: number }
  | { type: 'job-done'; id: string; seconds: number }
  | { type: 'job-released'; id: string }
  | { type: 'job-error'; id: string; error: string }
  | { type: 'redis-error'; error: string };

export interface WorkerOptions {
  url: string;
  backend?: BackendName | 'auto';
  /** How long a job's lock lasts without renewal; a killed worker's job is taken over after it. Default 30 s. */
  lockDurationMs?: number;
  /** How often stalled jobs are looked for. Default 15 s. */
  stalledIntervalMs?: number;
  /**
   * How long Redis may stay unreachable (at the start, or after losing it) before the worker gives up with a
   * QueueConnectionError; refused credentials give up at once. Default DEFAULT_CONNECT_TIMEOUT_MS (30 s).
   */
  connectTimeoutMs?: number;
  onEvent?: (e: WorkerEvent) => void;
  /** Stops the worker: its current job is released (moved back to waiting, no attempt spent), then it returns. */
  signal?: AbortSignal;
}

/**
 * A worker: takes jobs one at a time (training uses the whole backend), validates the payload (unknown presets
 * or methods are refused without retries), checks that its data has the coordinator's checksum, trains,
 * evaluates and returns the record. Runs until the signal aborts.
 *
 * On a stop the current job is released, not finished: its training stops at the next step and the job moves
 * back to waiting (BullMQ's moveToWait; the attempt is not counted), so another worker, or this one started
 * again, runs it from the start. Finishing it (BullMQ's close() waits for the active job) would hold a Ctrl-C up
 * for as long as a job trains, minutes or hours, and a service manager would kill the worker before it ended,
 * leaving the job locked until its lock lapses. A job's result does not depend on which worker runs it, so only
 * the interrupted training time is lost. A job already evaluating when the stop comes finishes.
 * Throws a QueueConnectionError when Redis refuses the credentials or stays unreachable for `connectTimeoutMs`.
 */
export async function runWorker(options: WorkerOptions): Promise<void> {
  const { onEvent } = options;
  const selection = await selectBackend(options.backend ?? 'auto');
  const versions = packageVersions(selection);
  const dataCache = new Map<string, PresetData>();
  const { connection, lost, close } = openQueueConnection(options.url, { connectTimeoutMs: options.connectTimeoutMs });
  connection.on('error', (error) => onEvent?.({ type: 'redis-error', error: error.message }));
  // Training stops on a stop of the worker, and when Redis is given up (its record could not be returned).
  const stop = options.signal ? AbortSignal.any([options.signal, lost]) : lost;
  /** Moves a stopped job back to waiting; throwing WaitingError tells BullMQ it is neither done nor failed. */
  const release = async (job: { id?: string; moveToWait(token?: string): Promise<number> }, token?: string) => {
    if (lost.aborted) throw lost.reason; // no Redis to release it to: its lock lapses and it is taken over
    await job.moveToWait(token);
    onEvent?.({ type: 'job-released', id: job.id ?? '?' });
    throw new WaitingError();
  };
  const worker = new Worker<JobPayload, ResultRecord>(
    QUEUE_NAME,
    async (job, token) => {
      if (stop.aborted) return release(job, token);
      let payload: ReturnType<typeof parsePayload>;
      try {
        payload = parsePayload(job.data);
      } catch (error) {
        throw new UnrecoverableError(`refused: the job's payload is not valid (${(error as Error).message})`);
      }
      const { preset, job: gridJob, data: expected, compute } = payload;
      const here = computeIdentity();
      if (!sameCompute(here, compute)) {
        throw new UnrecoverableError(
          `refused: this worker computes with ${JSON.stringify(here)}, the coordinator planned ${JSON.stringify(compute)} (differs at ${identityDiff(compute, here).join(', ')}); start the worker with the coordinator's --backend, or SEMIX_RELAXED_SIMD as the coordinator's`,
        );
      }
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
      if (stop.aborted) return release(job, token);
      const differs = identityDiff(data.identity, expected);
      if (differs.length) {
        throw new UnrecoverableError(
          `refused: this worker's ${preset.dataset} data differs from the coordinator's at ${differs.join(', ')} (checksums ${JSON.stringify(data.identity)} against ${JSON.stringify(expected)})`,
        );
      }
      const started = performance.now();
      let record: ResultRecord;
      try {
        record = await runJob(gridJob.method, gridJob.seed, { preset, data, compute, versions, signal: stop });
      } catch (error) {
        if (stop.aborted) return release(job, token);
        if (error instanceof JobFailedError)
          throw new UnrecoverableError(`${FAILURE_PREFIX}${JSON.stringify(error.failure)}`);
        throw error;
      }
      const checked = checkRecord(record, gridJob.id);
      if (!checked.ok) throw new Error(`the job's record is not valid (${checked.error})`);
      onEvent?.({ type: 'job-done', id: job.id as string, seconds: (performance.now() - started) / 1000 });
      return checked.record;
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
  try {
    // Until stopped or Redis is given up; a stop before Redis was ever reached ends here too.
    await Promise.race([
      worker.waitUntilReady().then(() => onEvent?.({ type: 'ready', backend: selection.name })),
      rejectOnAbort(stop),
    ]);
    await rejectOnAbort(stop);
  } catch (error) {
    if (!stop.aborted) throw error;
  } finally {
    // close() waits for the current job, which the stop has just released. Without a connection it is forced:
    // a graceful close would wait for Redis to say goodbye.
    const force = lost.aborted || connection.status !== 'ready';
    if (force) close();
    await worker.close(force).catch(() => {});
    close();
  }
  if (lost.aborted) throw lost.reason;
}
