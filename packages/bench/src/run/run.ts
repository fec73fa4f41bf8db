import { access, constants, mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import {
  type BackendName,
  type BackendSelection,
  computeIdentity,
  type ProgressEvent,
  selectBackend,
} from '@semix/core';
import { writeAtomic } from '@semix/datasets/node';
import * as tf from '@tensorflow/tfjs-core';
import pkg from '../../package.json';
import { type Grid, type GridJob, planGrid, readGrid, writeGrid } from '../plan/grid';
import { type Preset, presetShards } from '../plan/preset';
import { writeLeaderboard } from '../report/write';
import { buildLeaderboard, type Leaderboard } from '../report/leaderboard';
import { loadGallery } from '../report/report';
import { type DataProgress, JobFailedError, jobWorkers, loadPresetData, loadPresetSplits, runJob } from './job';
import { type JobFailure, type PoolJob, runJobPool } from './job_pool';
import {
  type BadRecord,
  type FailedRecord,
  failedFile,
  failedText,
  type ResultRecord,
  readFailed,
  readRecord,
  recordFile,
  recordIds,
  recordText,
} from './records';

/**
 * Versions that go into every record; with the backend's selection, also the wasm kernel pack's arithmetic
 * (`wasm kernels`: relaxed SIMD's fused multiply-add or the plain multiply and add, which round differently), or on
 * tensorflow tfjs-node's package and version and the libtensorflow it runs (`libtensorflow`: oneDNN's results may
 * differ between versions).
 */
export function packageVersions(
  selection?: Pick<BackendSelection, 'kernelPack' | 'relaxedSimd' | 'native'>,
): Record<string, string> {
  const versions: Record<string, string> = { '@semix/bench': pkg.version, '@tensorflow/tfjs-core': tf.version_core };
  if (selection && selection.kernelPack.length > 0) {
    versions['wasm kernels'] = selection.relaxedSimd ? 'relaxed SIMD (fused multiply-add)' : 'SIMD';
  }
  if (selection?.native) {
    versions[selection.native.module] = selection.native.version;
    versions.libtensorflow = selection.native.libtensorflow;
  }
  return versions;
}

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
      workers: number;
    }
  | { type: 'job-skip'; id: string; label: string; seed: number; reason: string }
  /** Fewer jobs than threads in the budget, and a job of this preset cannot use more than one: `idle` stay unused. */
  | { type: 'idle-threads'; idle: number; budget: number; reason: string }
  /**
   * A record or failure record that does not verify: `movedTo` where it was moved aside (its job runs again);
   * absent when it could not be read at all (left alone).
   */
  | { type: 'job-bad-record'; id: string; file: string; error: string; movedTo?: string }
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
   * Jobs run at once, each on its own worker thread (default 1: in this thread); also the budget of threads. When
   * fewer jobs than that remain and the preset has `train.shards` > 1, a starting job takes the idle threads as
   * data-parallel threads of its own (up to its shards). The shards fix the numbers, so records are those of a
   * sequential run whatever the threads; only timings (and each record's `workers`) differ.
   */
  jobs?: number;
  /**
   * The preset's training split and evaluated test images, when the caller has loaded them already (the CLI does,
   * to refuse a preset beyond its data before it takes the directory's lock); loaded here otherwise.
   */
  splits?: Awaited<ReturnType<typeof loadPresetSplits>>;
}

/**
 * A record or failure record of the grid that is not shown: `damaged` when it was read but its content is wrong
 * (edited, truncated, another job's: see BadRecord), otherwise it could not be read at all.
 */
export interface UnreadableRecord {
  file: string;
  error: string;
  damaged: boolean;
}

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

export async function checkWritable(dir: string): Promise<void> {
  try {
    await mkdir(join(dir, 'records'), { recursive: true });
    await access(join(dir, 'records'), constants.W_OK);
    const probe = join(dir, 'records', '.write-test');
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    throw new Error(`out: '${dir}' is not a writable directory (${(error as Error).message})`);
  }
}

/** A failure record for a job of the grid. */
export function failureRecord(preset: Preset, job: GridJob, failure: JobFailure, attempts: number): FailedRecord {
  return {
    schema: 'semix-failed-v2',
    job_id: job.id,
    preset: preset.name,
    label: job.label,
    method: job.method as unknown as Record<string, unknown>,
    seed: job.seed,
    ...failure,
    attempts,
    failed_at: new Date().toISOString(),
  };
}

/**
 * Which jobs of a grid still have to run: a job with a verified record (its digest matches, its identity hashes to
 * the job's id) or a verified failure record is done. A record or failure record that does not verify (edited,
 * damaged, from before records were sealed) is reported, moved aside to `<file>.rejected` (kept, not shown) and
 * its job runs again; one that cannot be read at all is reported and left alone, and its job does not run over it.
 */
export async function pendingJobs(
  outDir: string,
  grid: Grid,
  onEvent?: (e: BenchEvent) => void,
): Promise<{ pending: GridJob[]; skipped: number; bad: UnreadableRecord[] }> {
  const pending: GridJob[] = [];
  const bad: UnreadableRecord[] = [];
  let skipped = 0;
  const reject = async (job: GridJob, read: BadRecord): Promise<boolean> => {
    if (!read.damaged) {
      bad.push({ file: read.file, error: read.error, damaged: false });
      onEvent?.({ type: 'job-bad-record', id: job.id, file: read.file, error: read.error });
      return false;
    }
    const movedTo = `${read.file}.rejected`;
    await rename(read.file, movedTo);
    onEvent?.({ type: 'job-bad-record', id: job.id, file: read.file, error: read.error, movedTo });
    return true;
  };
  for (const job of grid.jobs) {
    const existing = await readRecord(recordFile(outDir, job.id), job.id);
    if (existing?.ok) {
      skipped += 1;
      onEvent?.({ type: 'job-skip', id: job.id, label: job.label, seed: job.seed, reason: 'record exists' });
      continue;
    }
    if (existing && !(await reject(job, existing))) continue;
    const failed = await readFailed(outDir, job.id);
    if (failed?.ok) {
      skipped += 1;
      const reason = `failed before; delete ${failedFile(outDir, job.id)} to run it again`;
      onEvent?.({ type: 'job-skip', id: job.id, label: job.label, seed: job.seed, reason });
    } else if (!failed || (await reject(job, failed))) pending.push(job);
  }
  return { pending, skipped, bad };
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
  await checkWritable(outDir);
  const grid = planGrid(preset, splits.identity, compute);
  await writeGrid(outDir, grid);
  const { pending, skipped } = await pendingJobs(outDir, grid, onEvent);
  let ran = 0;
  let failed = 0;
  const byId = new Map(grid.jobs.map((j) => [j.id, j]));
  const store = async (job: GridJob, record: ResultRecord) => {
    // Validated and sealed with its digest before it is stored, as the queue's coordinator does.
    await writeAtomic(recordFile(outDir, job.id), recordText(record));
    ran += 1;
    onEvent?.({ type: 'job-done', id: job.id, label: job.label, seed: job.seed, record });
  };
  const storeFailure = async (job: GridJob, failure: JobFailure) => {
    const record = failureRecord(preset, job, failure, 1);
    await writeAtomic(failedFile(outDir, job.id), failedText(record));
    failed += 1;
    onEvent?.({ type: 'job-failed', id: job.id, label: job.label, seed: job.seed, failure: record });
  };
  if (pending.length > 0) {
    // Loaded here also when threads run the jobs: a missing corruption suite is generated once, not per thread.
    const data = await loadPresetData(preset, (p) => onEvent?.({ type: 'data', ...p }), splits);
    const budget = options.jobs ?? 1;
    const threads = Math.min(budget, pending.length);
    if (budget > pending.length && presetShards(preset.train) === 1) {
      onEvent?.({
        type: 'idle-threads',
        idle: budget - pending.length,
        budget,
        reason: `train.shards is 1: each batch is one shard, so a job computes on one thread (train.shards > 1 lets idle threads help; it changes the numbers, so the job ids)`,
      });
    }
    const index = (job: GridJob) => grid.jobs.indexOf(job);
    const start = (job: GridJob, workers: number) =>
      onEvent?.({
        type: 'job-start',
        id: job.id,
        label: job.label,
        seed: job.seed,
        index: index(job),
        total: grid.jobs.length,
        workers,
      });
    if (threads > 1) {
      const gridJob = (j: PoolJob) => byId.get(j.id) as GridJob;
      await runJobPool({
        init: { preset, compute, versions },
        jobs: pending.map((j) => ({ id: j.id, method: j.method, seed: j.seed, index: index(j) })),
        size: budget,
        signal: options.signal,
        onStart: (j, workers) => start(gridJob(j), workers),
        onTrain: (j, event) => onEvent?.({ type: 'train', id: j.id, event }),
        onDone: (j, record) => store(gridJob(j), record),
        onFailed: (j, failure) => storeFailure(gridJob(j), failure),
      });
    } else {
      // One job at a time here: it may use the whole budget (a single pending job of `jobs` > 1).
      const workers = jobWorkers(preset.train, budget);
      for (const job of pending) {
        start(job, workers);
        try {
          const record = await runJob(job.method, job.seed, {
            preset,
            data,
            compute,
            versions,
            workers,
            signal: options.signal,
            onTrainProgress: (event) => onEvent?.({ type: 'train', id: job.id, event }),
          });
          await store(job, record);
        } catch (error) {
          if (!(error instanceof JobFailedError)) throw error;
          await storeFailure(job, error.failure);
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
): Promise<{ leaderboard: Leaderboard; files: string[]; bad: UnreadableRecord[]; stale: number }> {
  const grid = await readGrid(outDir);
  const records: ResultRecord[] = [];
  const failures: FailedRecord[] = [];
  const bad: UnreadableRecord[] = [];
  const missing: GridJob[] = [];
  for (const job of grid.jobs) {
    const r = await readRecord(recordFile(outDir, job.id), job.id);
    if (r?.ok) records.push(r.record);
    else if (r) bad.push({ file: r.file, error: r.error, damaged: r.damaged });
    else {
      const f = await readFailed(outDir, job.id);
      if (f?.ok) failures.push(f.record);
      else if (f) bad.push({ file: f.file, error: f.error, damaged: f.damaged });
      else missing.push(job);
    }
  }
  const inGrid = new Set(grid.jobs.map((j) => j.id));
  const stale = (await recordIds(outDir)).filter((id) => !inGrid.has(id)).length;
  const leaderboard = buildLeaderboard(grid, records, { failures, unreadable: bad, missing, stale });
  // The report's gallery shows a few evaluated test images; a failure to load them only costs the gallery.
  const gallery = await loadGallery(grid.preset).catch((error: Error) => ({ unavailable: error.message }));
  const files = await writeLeaderboard(outDir, leaderboard, command, { records, gallery });
  return { leaderboard, files, bad, stale };
}
