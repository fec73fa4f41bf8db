/**
 * A worker: takes jobs one at a time, validates each payload (its id must be the hash of its identity), checks
 * that its data has the coordinator's identity, trains, evaluates and returns the record.
 */
import { type BackendName, computeIdentity, sameCompute, selectBackend } from '@semix/core';
import { UnrecoverableError, Worker } from 'bullmq';
import { canonical, identityDiff } from '../identity';
import { JobFailedError, loadPresetData, type PresetData, runJob } from '../job';
import { RecordSchema, type ResultRecord } from '../records';
import { packageVersions } from '../run';
import { FAILURE_PREFIX, type JobPayload, parsePayload, QUEUE_NAME, redisConnection } from './shared';

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
  const versions = packageVersions(selection);
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
      const differs = identityDiff(data.identity, expected);
      if (differs.length) {
        throw new UnrecoverableError(
          `refused: this worker's ${preset.dataset} data differs from the coordinator's at ${differs.join(', ')} (checksums ${JSON.stringify(data.identity)} against ${JSON.stringify(expected)})`,
        );
      }
      const started = performance.now();
      let record: ResultRecord;
      try {
        record = await runJob(gridJob.method, gridJob.seed, { preset, data, compute, versions });
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
