/**
 * The in-process runner: plans a preset's grid, runs its unfinished jobs here or on job threads (the job pool),
 * stores each outcome through the record store, and rebuilds the leaderboard from the stored records.
 */
import { availableParallelism } from 'node:os';
import { type BackendName, computeIdentity, type ProgressEvent, selectBackend } from '@semix/core';
import { type Grid, type GridJob, planGrid, readGrid, writeGrid } from '../plan/grid';
import { type Preset, presetShards } from '../plan/preset';
import { buildLeaderboard, type Leaderboard } from '../report/leaderboard';
import { loadGallery } from '../report/report';
import { writeLeaderboard } from '../report/write';
import { type DataProgress, loadPresetData, loadPresetSplits, type PresetSplits } from './data';
import { JobFailedError, type JobFailure } from './failure';
import { jobThreads, runJob } from './job';
import { type PoolJob, runJobPool } from './job_pool';
import { packageVersions } from './provenance';
import { type FailedRecord, failureRecord, type ResultRecord } from './records';
import {
  gridRecords,
  pendingJobs,
  type RecordStore,
  recordStore,
  type StoreEvent,
  type UnreadableRecord,
} from './store';

export type BenchEvent =
  | { type: 'backend'; name: string }
  | ({ type: 'data' } & DataProgress)
  | {
      type: 'job-start';
      id: string;
      label: string;
      seed: number;
      index: number;
      total: number;
      /** Threads it trains on (its data-parallel shards computed by this many; 1 when the preset has one shard). */
      threads: number;
      /** @deprecated `threads` under its old name, for this release. */
      workers: number;
    }
  | StoreEvent
  /** Fewer jobs than threads in the budget, and a job of this preset cannot use more than one: `idle` stay unused. */
  | { type: 'idle-threads'; idle: number; budget: number; reason: string }
  | { type: 'train'; id: string; event: ProgressEvent }
  | { type: 'job-done'; id: string; label: string; seed: number; record: ResultRecord }
  | { type: 'job-failed'; id: string; label: string; seed: number; failure: FailedRecord };

export interface BenchOptions {
  preset: Preset;
  outDir: string;
  backend?: BackendName | 'auto';
  /** The command that reproduces the run, printed beside the results. */
  command?: string;
  onEvent?: (event: BenchEvent) => void;
  signal?: AbortSignal;
  /**
   * Jobs run at once, each on a job thread of its own (default 1: in this thread); also the budget of threads.
   * When fewer jobs than that remain and the preset has `train.shards` > 1, a starting job takes the idle threads
   * as data-parallel threads of its own (up to its shards). The shards fix the numbers, so records are those of a
   * sequential run whatever the threads; only timings (and each record's `threads`) differ.
   */
  jobs?: number;
  /**
   * The preset's training split and evaluated test images, when the caller has loaded them already (the CLI does,
   * to refuse a preset beyond its data before it takes the directory's lock); loaded here otherwise.
   */
  splits?: PresetSplits;
}

export type { UnreadableRecord };

export interface BenchResult {
  leaderboard: Leaderboard;
  files: string[];
  ran: number;
  skipped: number;
  failed: number;
  /** Record files of this grid that could not be read (the run exits 1 naming them). */
  bad: UnreadableRecord[];
}

/** `jobs`: 'auto' (or nothing) is one job per core; otherwise an integer >= 1. */
export function parseJobs(value: string | undefined, field = 'jobs'): number {
  if (value === undefined || value === 'auto') return Math.max(1, availableParallelism());
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new Error(`${field}: '${value}' is not valid; expected auto or an integer >= 1`);
  return n;
}

/**
 * Runs a preset's grid of (method, seed) jobs in process; each writes one record atomically under its id (a
 * hash of everything that determines it). Finished jobs are skipped, so a stopped run continues where it
 * stopped, and a changed preset re-runs exactly the jobs whose inputs changed. A job that diverges or ends near
 * chance is recorded as failed and the run goes on. The leaderboard is then rebuilt from the records of the
 * grid only.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const { preset, outDir, onEvent } = options;
  if (options.jobs !== undefined && !(Number.isInteger(options.jobs) && options.jobs >= 1)) {
    throw new Error(`jobs: ${options.jobs} is not valid; expected an integer >= 1`);
  }
  const selection = await selectBackend(options.backend ?? 'auto');
  onEvent?.({ type: 'backend', name: selection.name });
  const versions = packageVersions(selection);
  const compute = computeIdentity();
  // The preset's sizes are checked against its data here (a PresetError), before anything is written to outDir.
  const splits = options.splits ?? (await loadPresetSplits(preset, (p) => onEvent?.({ type: 'data', ...p })));
  const store = recordStore(outDir);
  await store.prepare();
  const grid = planGrid(preset, splits.identity, compute);
  await writeGrid(outDir, grid);
  const { pending, skipped } = await pendingJobs(store, grid, onEvent);
  let ran = 0;
  let failed = 0;
  const byId = new Map(grid.jobs.map((j) => [j.id, j]));
  // Every way this runner runs a job (here, or on a job thread) ends in the store: validated, sealed, atomic.
  const done = async (job: GridJob, record: ResultRecord) => {
    await store.writeRecord(record);
    ran += 1;
    onEvent?.({ type: 'job-done', id: job.id, label: job.label, seed: job.seed, record });
  };
  const fail = async (job: GridJob, failure: JobFailure) => {
    const record = failureRecord(preset.name, job, failure, 1);
    await store.writeFailed(record);
    failed += 1;
    onEvent?.({ type: 'job-failed', id: job.id, label: job.label, seed: job.seed, failure: record });
  };
  if (pending.length > 0) {
    // Loaded here also when job threads run the jobs: a missing corruption suite is generated once, not per thread.
    const data = await loadPresetData(preset, (p) => onEvent?.({ type: 'data', ...p }), splits);
    const budget = options.jobs ?? 1;
    const jobThreadCount = Math.min(budget, pending.length);
    if (budget > pending.length && presetShards(preset.train) === 1) {
      onEvent?.({
        type: 'idle-threads',
        idle: budget - pending.length,
        budget,
        reason: `train.shards is 1: each batch is one shard, so a job computes on one thread (train.shards > 1 lets idle threads help; it changes the numbers, so the job ids)`,
      });
    }
    const index = (job: GridJob) => grid.jobs.indexOf(job);
    const start = (job: GridJob, threads: number) =>
      onEvent?.({
        type: 'job-start',
        id: job.id,
        label: job.label,
        seed: job.seed,
        index: index(job),
        total: grid.jobs.length,
        threads,
        workers: threads,
      });
    if (jobThreadCount > 1) {
      const gridJob = (j: PoolJob) => byId.get(j.id) as GridJob;
      await runJobPool({
        init: { preset, compute, versions },
        jobs: pending.map((j) => ({ id: j.id, method: j.method, seed: j.seed, index: index(j) })),
        size: budget,
        signal: options.signal,
        onStart: (j, threads) => start(gridJob(j), threads),
        onTrain: (j, event) => onEvent?.({ type: 'train', id: j.id, event }),
        onDone: (j, record) => done(gridJob(j), record),
        onFailed: (j, failure) => fail(gridJob(j), failure),
      });
    } else {
      // One job at a time here: it may use the whole budget (a single pending job of `jobs` > 1).
      const threads = jobThreads(preset.train, budget);
      for (const job of pending) {
        start(job, threads);
        try {
          const record = await runJob(job.method, job.seed, {
            preset,
            data,
            compute,
            versions,
            threads,
            signal: options.signal,
            onTrainProgress: (event) => onEvent?.({ type: 'train', id: job.id, event }),
          });
          await done(job, record);
        } catch (error) {
          if (!(error instanceof JobFailedError)) throw error;
          await fail(job, error.failure);
        }
      }
    }
  }
  const rebuilt = await rebuildLeaderboard(outDir, options.command ?? `semix bench --preset ${preset.name}`);
  return { leaderboard: rebuilt.leaderboard, files: rebuilt.files, ran, skipped, failed, bad: rebuilt.bad };
}

/**
 * Rebuilds tables and charts from the records of the grid last run in a results directory (`grid.json`).
 * Records of other configurations are counted as stale and not shown; unreadable ones are returned (and their
 * rows marked incomplete), never silently dropped.
 */
export async function rebuildLeaderboard(
  outDir: string,
  command: string,
  store: RecordStore = recordStore(outDir),
): Promise<{ leaderboard: Leaderboard; files: string[]; bad: UnreadableRecord[]; stale: number }> {
  const grid: Grid = await readGrid(outDir);
  const { records, failures, bad, missing, stale } = await gridRecords(store, grid);
  const leaderboard = buildLeaderboard(grid, records, { failures, unreadable: bad, missing, stale });
  // The report's gallery shows a few evaluated test images; a failure to load them only costs the gallery.
  const gallery = await loadGallery(grid.preset).catch((error: Error) => ({ unavailable: error.message }));
  const files = await writeLeaderboard(outDir, leaderboard, command, { records, gallery });
  return { leaderboard, files, bad, stale };
}
