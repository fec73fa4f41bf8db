import type { Worker } from 'node:worker_threads';
import type { ComputeIdentity, ProgressEvent } from '@semix/core';
import { type ErrorData, errorFromData, startWorker } from '@semix/core/internal';
import type { ResolvedMethod } from '@semix/mixup';
import { type Preset, presetShards } from '../plan/preset';
import { jobWorkers } from './job';
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
  /** The calling thread's backend and kernel arithmetic: every job thread computes as it does (`selectCompute`). */
  compute: ComputeIdentity;
  versions: Record<string, string>;
}

export type JobRequest =
  | { type: 'job'; method: ResolvedMethod; seed: number; workers: number }
  /** The running job may use this many threads from its next step on (more than it has; never fewer). */
  | { type: 'threads'; workers: number }
  | { type: 'abort' };

export type JobReply =
  | { type: 'ready' }
  | { type: 'train'; event: ProgressEvent }
  | { type: 'done'; record: ResultRecord }
  | { type: 'failed'; failure: JobFailure }
  /** Not a result: the thread's error as data (its kind and fields), rebuilt by the pool. */
  | { type: 'error'; error: ErrorData };

/**
 * How many threads a job starting now may train on: its own, plus its share of the `free` threads (those of the
 * budget that no lane holds) split evenly between it and the `queued` jobs that could still start and claim
 * some; at most the preset's shards, at least its `train.workers`. Decided once, when the job starts.
 */
export function offeredWorkers(train: Preset['train'], free: number, queued: number): number {
  return jobWorkers(train, 1 + Math.max(0, Math.floor(free / (1 + queued))));
}

/**
 * Runs bench jobs on up to `size` lanes (worker threads, one job each at a time); `size` is also the budget of
 * threads. A job whose preset has `train.shards` > 1 may take the threads no lane holds (lanes never started
 * because the grid is shorter, or finished because the queue is empty) as data-parallel threads of its own: when
 * it starts (`offeredWorkers`), and while it runs, when a lane finishes with nothing left to take (its threads go
 * to the running jobs that can use them, split evenly, from their next step on). The shards fix the numbers, so a
 * record is the one a sequential run writes whatever threads it got (only timings, and `workers`, differ). A job that diverges or ends near chance is reported
 * through `onFailed` and the pool goes on; any other error stops the others and is what the pool rejects with.
 */
export async function runJobPool(options: {
  init: JobWorkerInit;
  jobs: PoolJob[];
  size: number;
  signal?: AbortSignal;
  /** A job starts, on `workers` threads. */
  onStart: (job: PoolJob, workers: number) => void;
  onTrain: (job: PoolJob, event: ProgressEvent) => void;
  onDone: (job: PoolJob, record: ResultRecord) => Promise<void>;
  onFailed: (job: PoolJob, failure: JobFailure) => Promise<void>;
}): Promise<void> {
  const script = new URL(import.meta.url.endsWith('.ts') ? './job_worker.ts' : './job_worker.js', import.meta.url);
  const queue = [...options.jobs];
  const workers: Worker[] = [];
  const lanes = Math.min(options.size, queue.length);
  const train = options.init.preset.train;
  // Threads held: one per lane alive, plus the extra data-parallel threads of the job each lane runs.
  let held = lanes;
  const shards = presetShards(train);
  // The threads of each running job, by its lane's thread.
  const running = new Map<Worker, { threads: number }>();
  // Threads no lane holds go to running jobs that could use more (the grid's last jobs, once lanes finish).
  const redistribute = () => {
    const wanting = [...running].filter(([, r]) => r.threads < shards);
    wanting.forEach(([worker, r], i) => {
      const extra = Math.min(shards - r.threads, Math.floor((options.size - held) / (wanting.length - i)));
      if (extra <= 0) return;
      r.threads += extra;
      held += extra;
      worker.postMessage({ type: 'threads', workers: r.threads } satisfies JobRequest);
    });
  };
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
      if (ready.type === 'error') throw errorFromData(ready.error, `bench job thread ${rank}: `);
      const stopped = () => failure !== null || options.signal?.aborted === true;
      for (let item = stopped() ? undefined : queue.shift(); item; item = stopped() ? undefined : queue.shift()) {
        job = item;
        const threads = offeredWorkers(train, options.size - held, queue.length);
        const state = { threads };
        held += threads - 1;
        running.set(worker, state);
        try {
          options.onStart(item, threads);
          const reply = next();
          worker.postMessage({
            type: 'job',
            method: item.method,
            seed: item.seed,
            workers: threads,
          } satisfies JobRequest);
          const result = await reply;
          if (result.type === 'error') throw errorFromData(result.error);
          if (result.type === 'done') await options.onDone(item, result.record);
          if (result.type === 'failed') await options.onFailed(item, result.failure);
        } finally {
          running.delete(worker);
          held -= state.threads - 1;
        }
      }
    } catch (error) {
      failure ??= error as Error;
      abortAll();
    } finally {
      held -= 1;
      if (failure === null) redistribute();
      worker.removeAllListeners('exit');
      await worker.terminate();
    }
  };
  await Promise.all(Array.from({ length: lanes }, (_, i) => lane(i + 1)));
  options.signal?.removeEventListener('abort', abortAll);
  if (failure) throw failure;
  // Interrupted while every running job was past its training (evaluation does not stop): jobs were left.
  if (queue.length > 0) throw options.signal?.reason ?? new Error('interrupted');
}
