import { access, constants, mkdir, rm, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { type BackendName, type ProgressEvent, selectBackend } from '@semix/core';
import { writeAtomic } from '@semix/datasets';
import { METHOD_NAMES } from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';
import pkg from '../package.json';
import { type DataProgress, loadPresetData, runJob } from './job';
import { runJobPool } from './job_pool';
import { buildLeaderboard, type Leaderboard, writeLeaderboard } from './leaderboard';
import type { Preset } from './preset';
import { jobId, RecordSchema, type ResultRecord, readFailed, readRecord, readRecords, recordFile } from './records';

/** Versions that go into every record. */
export function packageVersions(): Record<string, string> {
  return { '@semix/bench': pkg.version, '@tensorflow/tfjs-core': tf.version_core };
}

export type BenchEvent =
  | { type: 'backend'; name: string }
  | ({ type: 'data' } & DataProgress)
  | { type: 'job-start'; id: string; index: number; total: number }
  | { type: 'job-skip'; id: string; reason: string }
  | { type: 'job-bad-record'; id: string; file: string; error: string }
  | { type: 'train'; id: string; event: ProgressEvent }
  | { type: 'job-done'; id: string; record: ResultRecord };

export interface BenchOptions {
  preset: Preset;
  outDir: string;
  backend?: BackendName | 'auto';
  /** The command that reproduces the run, printed beside the results. */
  command?: string;
  onEvent?: (event: BenchEvent) => void;
  signal?: AbortSignal;
  /**
   * Jobs run at once, each on its own worker thread (default 1: in this thread). Every job is still one
   * single-threaded training run, so records are those of a sequential run; only timings differ.
   */
  jobs?: number;
}

export interface BenchResult {
  leaderboard: Leaderboard;
  files: string[];
  ran: number;
  skipped: number;
  bad: Array<{ file: string; error: string }>;
}

/** `--jobs`: 'auto' (or nothing) is one job per core; otherwise an integer >= 1. */
export function parseJobs(value: string | undefined, field = '--jobs'): number {
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

/**
 * Runs a preset's grid of (method, seed) jobs in process; each writes one record atomically. Finished jobs are
 * skipped, so a stopped run continues where it stopped; a record that cannot be parsed is reported by name and
 * left alone. The leaderboard is then rebuilt from the records only.
 */
export async function runBench(options: BenchOptions): Promise<BenchResult> {
  const { preset, outDir, onEvent } = options;
  const unknown = preset.methods.filter((m) => !(METHOD_NAMES as readonly string[]).includes(m));
  if (unknown.length) {
    throw new Error(
      `methods: ${unknown.map((m) => `'${m}'`).join(', ')} not known; allowed: ${METHOD_NAMES.join(', ')}`,
    );
  }
  if (options.jobs !== undefined && !(Number.isInteger(options.jobs) && options.jobs >= 1)) {
    throw new Error(`jobs: ${options.jobs} is not valid; expected an integer >= 1`);
  }
  await checkWritable(outDir);
  const selection = await selectBackend(options.backend ?? 'auto');
  onEvent?.({ type: 'backend', name: selection.name });
  const versions = packageVersions();
  const jobs = preset.methods.flatMap((method) => preset.seeds.map((seed) => ({ method, seed })));
  let ran = 0;
  let skipped = 0;
  const bad: Array<{ file: string; error: string }> = [];
  const pending: Array<{ method: string; seed: number; index: number }> = [];
  for (const [index, { method, seed }] of jobs.entries()) {
    const id = jobId(preset.name, method, seed);
    const file = recordFile(outDir, id);
    const existing = await readRecord(file);
    if (existing?.ok) {
      skipped += 1;
      onEvent?.({ type: 'job-skip', id, reason: 'record exists' });
    } else if (existing && !existing.ok) {
      bad.push({ file, error: existing.error });
      onEvent?.({ type: 'job-bad-record', id, file, error: existing.error });
    } else pending.push({ method, seed, index });
  }
  const store = async (method: string, seed: number, record: ResultRecord) => {
    const id = jobId(preset.name, method, seed);
    // Validated before it is stored, as the queue's coordinator does.
    await writeAtomic(recordFile(outDir, id), `${JSON.stringify(RecordSchema.parse(record), null, 2)}\n`);
    ran += 1;
    onEvent?.({ type: 'job-done', id, record });
  };
  if (pending.length > 0) {
    // Loaded here also when threads run the jobs: a missing corruption suite is generated once, not per thread.
    const data = await loadPresetData(preset, (p) => onEvent?.({ type: 'data', ...p }));
    const threads = Math.min(options.jobs ?? 1, pending.length);
    if (threads > 1) {
      await runJobPool({
        init: { preset, backend: selection.name, versions },
        jobs: pending,
        size: threads,
        signal: options.signal,
        onStart: ({ method, seed, index }) =>
          onEvent?.({ type: 'job-start', id: jobId(preset.name, method, seed), index, total: jobs.length }),
        onTrain: ({ method, seed }, event) => onEvent?.({ type: 'train', id: jobId(preset.name, method, seed), event }),
        onDone: ({ method, seed }, record) => store(method, seed, record),
      });
    } else {
      for (const { method, seed, index } of pending) {
        const id = jobId(preset.name, method, seed);
        onEvent?.({ type: 'job-start', id, index, total: jobs.length });
        const record = await runJob(method, seed, {
          preset,
          data,
          backend: selection.name,
          versions,
          signal: options.signal,
          onTrainProgress: (event) => onEvent?.({ type: 'train', id, event }),
        });
        await store(method, seed, record);
      }
    }
  }
  const { leaderboard, files } = await rebuildLeaderboard(
    outDir,
    options.command ?? `semix bench --preset ${preset.name}`,
    preset.name,
  );
  return { leaderboard, files, ran, skipped, bad };
}

/** Rebuilds tables and charts from the records of a results directory (records of one preset). */
export async function rebuildLeaderboard(outDir: string, command: string, presetName?: string) {
  const { records, bad } = await readRecords(outDir);
  const failed = await readFailed(outDir);
  const chosen = presetName ? records.filter((r) => r.preset === presetName) : records;
  if (chosen.length === 0 && failed.length === 0)
    throw new Error(`leaderboard: no records in ${join(outDir, 'records')}`);
  const leaderboard = buildLeaderboard(chosen, failed);
  const files = await writeLeaderboard(outDir, leaderboard, command);
  return { leaderboard, files, bad };
}
