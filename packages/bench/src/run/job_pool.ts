/**
 * The job pool: bench jobs on job threads (one job each at a time), for `runBench` with `jobs` > 1. Each job thread
 * posts its job's record or failure back; the pool hands them to the runner, which stores them.
 */
import type { Worker } from 'node:worker_threads';
import type { ComputeIdentity, ProgressEvent } from '@semix/core';
import { type ErrorData, errorFromData, startWorker } from '@semix/core/internal';
import type { ResolvedMethod } from '@semix/mixup';
import { type Preset, presetShards } from '../plan/preset';
import type { JobFailure } from './failure';
import { jobThreads } from './job';
import type { ResultRecord } from './records';

/** A job as the pool runs it: the method travels as validated data, which the thread builds itself. */
export interface PoolJob {
  id: string;
  method: ResolvedMethod;
  seed: number;
  index: number;
}

/** What a job thread is started with (its `workerData`). */
export interface JobThreadInit {
  preset: Preset;
  /** The calling thread's backend and kernel arithmetic: every job thread computes as it does (`selectCompute`). */
  compute: ComputeIdentity;
  versions: Record<string, string>;
}

export type JobRequest =
  | { type: 'job'; method: ResolvedMethod; seed: number; threads: number }
  /** The running job may use this many threads from its next step on (more than it has; never fewer). */
  | { type: 'threads'; threads: number }
  | { type: 'abort' };

export type JobReply =
  | { type: 'ready' }
  | { type: 'train'; event: ProgressEvent }
  | { type: 'done'; record: ResultRecord }
  | { type: 'failed'; failure: JobFailure }
  /** Not a result: the job thread's error as data (its kind and fields), rebuilt by the pool. */
  | { type: 'error'; error: ErrorData };

/**
 * How many threads a job starting now may train on: its own, plus its share of the `free` threads (those of the
 * budget that no job thread holds) split evenly between it and the `queued` jobs that could still start and claim
 * some; at most the preset's shards, at least its `train.threads`. Decided once, when the job starts.
 */
export function offeredThreads(train: Preset['train'], free: number, queued: number): number {
  return jobThreads(train, 1 + Math.max(0, Math.floor(free / (1 + queued))));
}

/**
 * Runs bench jobs on up to `size` job threads (one job each at a time); `size` is also the budget of threads. A
 * job whose preset has `train.shards` > 1 may take the threads no job thread holds (job threads never started
 * because the grid is shorter, or finished because the queue is empty) as data-parallel threads of its own: when
 * it starts (`offeredThreads`), and while it runs, when a job thread finishes with nothing left to take (its
 * threads go to the running jobs that can use them, split evenly, from their next step on). The shards fix the
 * numbers, so a record is the one a sequential run writes whatever threads it got (only timings, and `threads`,
 * differ). A job that diverges or ends near chance is reported through `onFailed` and the pool goes on; any other
 * error stops the others and is what the pool rejects with.
 */
export async function runJobPool(options: {
  init: JobThreadInit;
  jobs: PoolJob[];
  size: number;
  signal?: AbortSignal;
  /** A job starts, on `threads` threads. */
  onStart: (job: PoolJob, threads: number) => void;
  onTrain: (job: PoolJob, event: ProgressEvent) => void;
  onDone: (job: PoolJob, record: ResultRecord) => Promise<void>;
  onFailed: (job: PoolJob, failure: JobFailure) => Promise<void>;
}): Promise<void> {
  const script = new URL(import.meta.url.endsWith('.ts') ? './job_thread.ts' : './job_thread.js', import.meta.url);
  const queue = [...options.jobs];
  const threadsStarted: Worker[] = [];
  const jobThreadCount = Math.min(options.size, queue.length);
  const train = options.init.preset.train;
  // Threads held: one per job thread alive, plus the extra data-parallel threads of the job each one runs.
  let held = jobThreadCount;
  const shards = presetShards(train);
  // The threads of each running job, by its job thread.
  const running = new Map<Worker, { threads: number }>();
  // Threads no job thread holds go to running jobs that could use more (the grid's last jobs, once job threads
  // finish).
  const redistribute = () => {
    const wanting = [...running].filter(([, r]) => r.threads < shards);
    wanting.forEach(([thread, r], i) => {
      const extra = Math.min(shards - r.threads, Math.floor((options.size - held) / (wanting.length - i)));
      if (extra <= 0) return;
      r.threads += extra;
      held += extra;
      thread.postMessage({ type: 'threads', threads: r.threads } satisfies JobRequest);
    });
  };
  let failure: Error | null = null;
  const abortAll = () => {
    for (const t of threadsStarted) t.postMessage({ type: 'abort' } satisfies JobRequest);
  };
  options.signal?.addEventListener('abort', abortAll, { once: true });
  const jobThread = async (rank: number) => {
    const thread = startWorker(script, options.init);
    threadsStarted.push(thread);
    let waiting: { resolve: (r: JobReply) => void; reject: (e: Error) => void } | null = null;
    let job: PoolJob | null = null;
    const next = () =>
      new Promise<JobReply>((resolve, reject) => {
        waiting = { resolve, reject };
      });
    thread.on('message', (message: JobReply) => {
      if (message.type === 'train') {
        if (job) options.onTrain(job, message.event);
        return;
      }
      waiting?.resolve(message);
    });
    thread.on('error', (e) => waiting?.reject(new Error(`bench job thread ${rank}: ${e.message}`)));
    thread.on('exit', (code) => waiting?.reject(new Error(`bench job thread ${rank} exited (code ${code})`)));
    try {
      const ready = await next();
      if (ready.type === 'error') throw errorFromData(ready.error, `bench job thread ${rank}: `);
      const stopped = () => failure !== null || options.signal?.aborted === true;
      for (let item = stopped() ? undefined : queue.shift(); item; item = stopped() ? undefined : queue.shift()) {
        job = item;
        const threads = offeredThreads(train, options.size - held, queue.length);
        const state = { threads };
        held += threads - 1;
        running.set(thread, state);
        try {
          options.onStart(item, threads);
          const reply = next();
          thread.postMessage({ type: 'job', method: item.method, seed: item.seed, threads } satisfies JobRequest);
          const result = await reply;
          if (result.type === 'error') throw errorFromData(result.error);
          if (result.type === 'done') await options.onDone(item, result.record);
          if (result.type === 'failed') await options.onFailed(item, result.failure);
        } finally {
          running.delete(thread);
          held -= state.threads - 1;
        }
      }
    } catch (error) {
      failure ??= error as Error;
      abortAll();
    } finally {
      held -= 1;
      if (failure === null) redistribute();
      thread.removeAllListeners('exit');
      await thread.terminate();
    }
  };
  await Promise.all(Array.from({ length: jobThreadCount }, (_, i) => jobThread(i + 1)));
  options.signal?.removeEventListener('abort', abortAll);
  if (failure) throw failure;
  // Interrupted while every running job was past its training (evaluation does not stop): jobs were left.
  if (queue.length > 0) throw options.signal?.reason ?? new Error('interrupted');
}
