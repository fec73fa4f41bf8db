import type { Worker } from 'node:worker_threads';
import type { ProgressEvent } from '@semix/core';
import { startWorker } from '@semix/core/internal';
import type { ResolvedMethod } from '@semix/mixup';
import type { Preset } from './preset';
import type { FailedRecord, ResultRecord } from './records';

/** A job as the pool runs it: the method travels as validated data, which the thread builds itself. */
export interface PoolJob {
  id: string;
  method: ResolvedMethod;
  seed: number;
  index: number;
}

export type JobFailure = Pick<FailedRecord, 'reason' | 'error' | 'step' | 'losses' | 'clean_acc'>;

export interface JobWorkerInit {
  preset: Preset;
  backend: string;
  versions: Record<string, string>;
}

export type JobRequest = { type: 'job'; method: ResolvedMethod; seed: number } | { type: 'abort' };

export type JobReply =
  | { type: 'ready' }
  | { type: 'train'; event: ProgressEvent }
  | { type: 'done'; record: ResultRecord }
  | { type: 'failed'; failure: JobFailure }
  | { type: 'error'; message: string };

/**
 * Runs bench jobs on `size` worker threads, one job per thread at a time. Each job is still one single-threaded
 * run, so its record is the one a sequential run writes (only timings differ). A job that diverges or ends near
 * chance is reported through `onFailed` and the pool goes on; any other error stops the others and is what the
 * pool rejects with.
 */
export async function runJobPool(options: {
  init: JobWorkerInit;
  jobs: PoolJob[];
  size: number;
  signal?: AbortSignal;
  onStart: (job: PoolJob) => void;
  onTrain: (job: PoolJob, event: ProgressEvent) => void;
  onDone: (job: PoolJob, record: ResultRecord) => Promise<void>;
  onFailed: (job: PoolJob, failure: JobFailure) => Promise<void>;
}): Promise<void> {
  const script = new URL(import.meta.url.endsWith('.ts') ? './job_worker.ts' : './job_worker.js', import.meta.url);
  const queue = [...options.jobs];
  const workers: Worker[] = [];
  let failure: Error | null = null;
  const abortAll = () => {
    for (const w of workers) w.postMessage({ type: 'abort' } satisfies JobRequest);
  };
  options.signal?.addEventListener('abort', abortAll, { once: true });
  const lane = async (rank: number) => {
    const worker = startWorker(script, options.init);
    workers.push(worker);
    let waiting: { resolve: (r: JobReply) => void; reject: (e: Error) => void } | null = null;
    let job: PoolJob | null = null;
    const next = () =>
      new Promise<JobReply>((resolve, reject) => {
        waiting = { resolve, reject };
      });
    worker.on('message', (message: JobReply) => {
      if (message.type === 'train') {
        if (job) options.onTrain(job, message.event);
        return;
      }
      waiting?.resolve(message);
    });
    worker.on('error', (e) => waiting?.reject(new Error(`bench job thread ${rank}: ${e.message}`)));
    worker.on('exit', (code) => waiting?.reject(new Error(`bench job thread ${rank} exited (code ${code})`)));
    try {
      const ready = await next();
      if (ready.type === 'error') throw new Error(`bench job thread ${rank}: ${ready.message}`);
      const stopped = () => failure !== null || options.signal?.aborted === true;
      for (let item = stopped() ? undefined : queue.shift(); item; item = stopped() ? undefined : queue.shift()) {
        job = item;
        options.onStart(item);
        const reply = next();
        worker.postMessage({ type: 'job', method: item.method, seed: item.seed } satisfies JobRequest);
        const result = await reply;
        if (result.type === 'error') throw new Error(result.message);
        if (result.type === 'done') await options.onDone(item, result.record);
        if (result.type === 'failed') await options.onFailed(item, result.failure);
      }
    } catch (error) {
      failure ??= error as Error;
      abortAll();
    } finally {
      worker.removeAllListeners('exit');
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: Math.min(options.size, queue.length) }, (_, i) => lane(i + 1)));
  options.signal?.removeEventListener('abort', abortAll);
  if (failure) throw failure;
  // Interrupted while every running job was past its training (evaluation does not stop): jobs were left.
  if (queue.length > 0) throw options.signal?.reason ?? new Error('interrupted');
}
