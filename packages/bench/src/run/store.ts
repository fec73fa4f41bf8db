/**
 * The record store of a results directory: `records/<id>.json` (a job's record) and `failed/<id>.json` (a job that
 * failed for good). The one module that writes them (atomically, each validated and sealed with its digest), reads
 * them (verified: digest, schema, identity), lists them and sets a bad one aside. The in-process runner, the job
 * threads (through the runner) and the queue's coordinator all store through it.
 */
import { access, constants, mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '@semix/env/node';
import type { Grid, GridJob } from '../plan/grid';
import {
  type FailedRecord,
  FailedRecordSchema,
  failedText,
  type ResultRecord,
  recordText,
  verifyRecordText,
  verifySealed,
} from './records';

export const recordFile = (dir: string, id: string) => join(dir, 'records', `${id}.json`);
export const failedFile = (dir: string, id: string) => join(dir, 'failed', `${id}.json`);

/**
 * A stored record or failure record that could not be used. `damaged`: its content is wrong (not JSON, not the
 * schema, a digest that does not match, copies that disagree with its identity, another job's): never shown, and
 * `semix bench` moves it aside and re-runs its job. Otherwise the file could not be read (permissions, I/O):
 * reported and left alone.
 */
export interface BadRecord {
  ok: false;
  file: string;
  error: string;
  damaged: boolean;
}
export type RecordRead = { ok: true; record: ResultRecord } | BadRecord;
export type FailedRead = { ok: true; record: FailedRecord } | BadRecord;

const RERUN = 'not shown; `semix bench` re-runs its job';
const damaged = (file: string, error: string): BadRecord => ({
  ok: false,
  file,
  error: `${error}; ${RERUN}`,
  damaged: true,
});

/** Reads a file; null when there is none, a BadRecord (not damaged) when it cannot be read. */
async function readText(file: string): Promise<string | null | BadRecord> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    return { ok: false, file, error: (error as Error).message, damaged: false };
  }
}

/**
 * Reads and verifies a record file; a file that cannot be parsed or verified is reported, never treated as absent
 * or shown. Its digest must match its content, its copies of its identity agree with it, and its identity hash to
 * its id; with `expectedId`, it must be that job's: a record edited by hand, damaged, or written for another
 * configuration is reported, never shown.
 */
export async function readRecord(file: string, expectedId?: string): Promise<RecordRead | null> {
  const text = await readText(file);
  if (text === null || typeof text !== 'string') return text;
  const checked = verifyRecordText(text, expectedId);
  return checked.ok ? checked : damaged(file, checked.error);
}

/**
 * A job's failure record, verified as records are (its digest, and that it is this job's), or null when there is
 * none. One that does not verify is reported, never shown as a failure.
 */
export async function readFailed(dir: string, id: string): Promise<FailedRead | null> {
  const file = failedFile(dir, id);
  const text = await readText(file);
  if (text === null || typeof text !== 'string') return text;
  const checked = verifySealed(FailedRecordSchema, text, 'semix-failed-v2 failure record');
  if (!checked.ok) return damaged(file, checked.error);
  if (checked.value.job_id !== id) return damaged(file, `it holds job ${checked.value.job_id}, expected ${id}`);
  return { ok: true, record: checked.value };
}

/** The ids of every record file in a results directory (for stale-record counts). */
export async function recordIds(dir: string): Promise<string[]> {
  try {
    return (await readdir(join(dir, 'records')))
      .filter((f) => f.endsWith('.json'))
      .map((f) => f.replace(/\.json$/, ''))
      .sort();
  } catch {
    return [];
  }
}

/** The records of one results directory. */
export interface RecordStore {
  readonly dir: string;
  /** Makes `records/` if needed and checks that it is writable; an error names `out` and the directory. */
  prepare(): Promise<void>;
  readRecord(id: string): Promise<RecordRead | null>;
  readFailed(id: string): Promise<FailedRead | null>;
  /** Stores a job's record (validated, sealed, atomic); throws when it would not read back (see recordText). */
  writeRecord(record: ResultRecord): Promise<void>;
  /** Stores a job's failure record (validated, sealed, atomic). */
  writeFailed(record: FailedRecord): Promise<void>;
  /** Removes a job's failure record, if any, so that it counts as not run (the queue retries it). */
  removeFailed(id: string): Promise<void>;
  /** Moves a damaged file aside to `<file>.rejected` (kept, never shown); returns where it went. */
  setAside(bad: BadRecord): Promise<string>;
  /** Ids of every record file, of this grid or not. */
  recordIds(): Promise<string[]>;
}

export function recordStore(dir: string): RecordStore {
  return {
    dir,
    async prepare() {
      try {
        await mkdir(join(dir, 'records'), { recursive: true });
        await access(join(dir, 'records'), constants.W_OK);
        const probe = join(dir, 'records', '.write-test');
        await writeFile(probe, '');
        await rm(probe);
      } catch (error) {
        throw new Error(`out: '${dir}' is not a writable directory (${(error as Error).message})`);
      }
    },
    readRecord: (id) => readRecord(recordFile(dir, id), id),
    readFailed: (id) => readFailed(dir, id),
    writeRecord: async (record) => writeAtomic(recordFile(dir, record.job_id), recordText(record)),
    writeFailed: async (record) => writeAtomic(failedFile(dir, record.job_id), failedText(record)),
    removeFailed: (id) => rm(failedFile(dir, id), { force: true }),
    async setAside(bad) {
      const movedTo = `${bad.file}.rejected`;
      await rename(bad.file, movedTo);
      return movedTo;
    },
    recordIds: () => recordIds(dir),
  };
}

/** What `pendingJobs` tells as it reads a grid's records (the same events as runBench's). */
export type StoreEvent =
  | { type: 'job-skip'; id: string; label: string; seed: number; reason: string }
  /**
   * A record or failure record that does not verify: `movedTo` where it was moved aside (its job runs again);
   * absent when it could not be read at all (left alone).
   */
  | { type: 'job-bad-record'; id: string; file: string; error: string; movedTo?: string };

/**
 * A record or failure record of the grid that is not shown: `damaged` when it was read but its content is wrong
 * (edited, truncated, another job's: see BadRecord), otherwise it could not be read at all.
 */
export interface UnreadableRecord {
  file: string;
  error: string;
  damaged: boolean;
}

/**
 * Which jobs of a grid still have to run: a job with a verified record (its digest matches, its identity hashes to
 * the job's id and its copies agree with it) or a verified failure record is done. A record or failure record that
 * does not verify (edited, damaged, from before records were sealed) is reported, moved aside to `<file>.rejected`
 * (kept, not shown) and its job runs again; one that cannot be read at all is reported and left alone, and its job
 * does not run over it.
 */
export async function pendingJobs(
  store: RecordStore,
  grid: Grid,
  onEvent?: (e: StoreEvent) => void,
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
    const movedTo = await store.setAside(read);
    onEvent?.({ type: 'job-bad-record', id: job.id, file: read.file, error: read.error, movedTo });
    return true;
  };
  for (const job of grid.jobs) {
    const existing = await store.readRecord(job.id);
    if (existing?.ok) {
      skipped += 1;
      onEvent?.({ type: 'job-skip', id: job.id, label: job.label, seed: job.seed, reason: 'record exists' });
      continue;
    }
    if (existing && !(await reject(job, existing))) continue;
    const failed = await store.readFailed(job.id);
    if (failed?.ok) {
      skipped += 1;
      const reason = `failed before; delete ${failedFile(store.dir, job.id)} to run it again`;
      onEvent?.({ type: 'job-skip', id: job.id, label: job.label, seed: job.seed, reason });
    } else if (!failed || (await reject(job, failed))) pending.push(job);
  }
  return { pending, skipped, bad };
}

/**
 * The records and failure records of a grid's jobs as stored: those that verify, those that do not (never shown),
 * the jobs with neither, and how many record files belong to no job of the grid (stale: another configuration).
 */
export async function gridRecords(
  store: RecordStore,
  grid: Grid,
): Promise<{
  records: ResultRecord[];
  failures: FailedRecord[];
  bad: UnreadableRecord[];
  missing: GridJob[];
  stale: number;
}> {
  const records: ResultRecord[] = [];
  const failures: FailedRecord[] = [];
  const bad: UnreadableRecord[] = [];
  const missing: GridJob[] = [];
  for (const job of grid.jobs) {
    const r = await store.readRecord(job.id);
    if (r?.ok) records.push(r.record);
    else if (r) bad.push({ file: r.file, error: r.error, damaged: r.damaged });
    else {
      const f = await store.readFailed(job.id);
      if (f?.ok) failures.push(f.record);
      else if (f) bad.push({ file: f.file, error: f.error, damaged: f.damaged });
      else missing.push(job);
    }
  }
  const inGrid = new Set(grid.jobs.map((j) => j.id));
  const stale = (await store.recordIds()).filter((id) => !inGrid.has(id)).length;
  return { records, failures, bad, missing, stale };
}
