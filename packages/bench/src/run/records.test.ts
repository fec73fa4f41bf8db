import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComputeIdentity } from '@semix/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planGrid, writeGrid } from '../plan/grid';
import type { DataIdentity } from '../plan/identity';
import { loadPreset } from '../plan/preset';
import { handMadeRecord } from '../test_records';
import {
  type FailedRecord,
  failedFile,
  failedText,
  type ResultRecord,
  readFailed,
  readRecord,
  recordDigest,
  recordFile,
  recordText,
} from './records';
import { type BenchEvent, pendingJobs, rebuildLeaderboard } from './run';

const DATA: DataIdentity = { train: 't', test: 'e', suites: [] };
const COMPUTE: ComputeIdentity = { backend: 'cpu' };
const preset = {
  ...loadPreset('smoke'),
  evaluation: { ...loadPreset('smoke').evaluation, corruptions: 'none' as const },
};
const grid = planGrid(preset, DATA, COMPUTE);
const [ermJob, semJob] = grid.jobs;

const record = (job: (typeof grid.jobs)[number], clean: number): ResultRecord =>
  handMadeRecord(job, {
    preset: 'smoke',
    dataset: { name: 'mnist-mini', checksum: 't', train_images: 2048, test_images: 500 },
    backend: 'cpu',
    clean_acc: clean,
  });

const failure = (id: string): FailedRecord => ({
  schema: 'semix-failed-v2',
  job_id: id,
  preset: 'smoke',
  label: 'mixup+sem',
  method: {},
  seed: 0,
  reason: 'near-chance',
  error: 'clean accuracy 10.00% is near chance',
  clean_acc: 0.1,
  attempts: 1,
  failed_at: '',
});

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semix-records-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('record digests', () => {
  it('a record is written with the SHA-256 of its canonical content and reads back as written', async () => {
    const file = join(dir, 'one.json');
    await writeFile(file, recordText(record(ermJob, 0.59)));
    const stored = JSON.parse(await readFile(file, 'utf8'));
    expect(stored.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(stored.digest).toBe(recordDigest(record(ermJob, 0.59)));
    expect(await readRecord(file, ermJob.id)).toEqual({ ok: true, record: record(ermJob, 0.59) });
  });

  it('an edited metric (clean_acc 0.59 → 0.99), a record without a digest, and an edited failure record are refused', async () => {
    const file = join(dir, 'edited.json');
    await writeFile(file, recordText(record(ermJob, 0.59)).replace('"clean_acc": 0.59', '"clean_acc": 0.99'));
    expect(await readRecord(file, ermJob.id)).toEqual({
      ok: false,
      file,
      damaged: true,
      error: 'its content does not match its digest (edited or damaged); not shown; `semix bench` re-runs its job',
    });
    // Written before records were sealed: nothing to check it against.
    await writeFile(file, JSON.stringify(record(ermJob, 0.59)));
    expect(await readRecord(file, ermJob.id)).toMatchObject({
      ok: false,
      damaged: true,
      error: expect.stringMatching(/^it has no digest .*: unverifiable; not shown/),
    });
    // Edited consistently (the digest recomputed) but for another configuration: the identity check still holds.
    const moved = { ...record(ermJob, 0.59), identity: { ...ermJob.identity, seed: 7 } };
    await writeFile(file, JSON.stringify({ ...moved, digest: recordDigest(moved) }));
    expect(await readRecord(file, ermJob.id)).toMatchObject({ error: expect.stringMatching(/does not hash to/) });
    // Failure records: sealed and checked alike, and must be the job's own.
    await mkdir(join(dir, 'failed'), { recursive: true });
    const failed = failedFile(dir, semJob.id);
    await writeFile(failed, failedText(failure(semJob.id)));
    expect(await readFailed(dir, semJob.id)).toEqual({ ok: true, record: failure(semJob.id) });
    await writeFile(failed, failedText(failure(semJob.id)).replace('"attempts": 1', '"attempts": 2'));
    expect(await readFailed(dir, semJob.id)).toMatchObject({
      ok: false,
      damaged: true,
      error: expect.stringMatching(/^its content does not match its digest \(edited or damaged\)/),
    });
    await writeFile(failed, failedText(failure(ermJob.id)));
    expect(await readFailed(dir, semJob.id)).toMatchObject({ error: expect.stringMatching(/^it holds job /) });
  });

  it('the leaderboard names an edited record and never shows it; bench moves it aside and runs its job again', async () => {
    const out = join(dir, 'results');
    await mkdir(join(out, 'records'), { recursive: true });
    await mkdir(join(out, 'failed'), { recursive: true });
    await writeGrid(out, grid);
    const file = recordFile(out, ermJob.id);
    const edited = recordText(record(ermJob, 0.59)).replace('"clean_acc": 0.59', '"clean_acc": 0.99');
    await writeFile(file, edited);
    const failed = failedFile(out, semJob.id);
    const editedFailure = failedText(failure(semJob.id)).replace('near chance', 'fine');
    await writeFile(failed, editedFailure);
    const board = await rebuildLeaderboard(out, 'x');
    expect(board.bad.map((b) => b.file)).toEqual([file, failed]);
    // Rows without a usable record: marked incomplete, with no figures; the failure is not listed either.
    expect(board.leaderboard.rows.map((r) => [r.clean_acc.n, r.incomplete?.unreadable])).toEqual([
      [0, [file]],
      [0, [failed]],
    ]);
    expect(board.leaderboard.failed).toEqual([]);
    const md = await readFile(join(out, 'leaderboard.md'), 'utf8');
    expect(md).not.toContain('99.00');
    expect(md).toContain(`- erm: \`${file}\` (not shown; \`semix bench\` re-runs its job)`);

    const events: BenchEvent[] = [];
    const { pending, skipped, bad } = await pendingJobs(out, grid, (e) => events.push(e));
    expect(pending.map((j) => j.id)).toEqual([ermJob.id, semJob.id]);
    expect([skipped, bad]).toEqual([0, []]);
    expect(events).toMatchObject([
      { type: 'job-bad-record', file, movedTo: `${file}.rejected`, error: expect.stringMatching(/digest/) },
      { type: 'job-bad-record', file: failed, movedTo: `${failed}.rejected` },
    ]);
    // Kept aside, not counted as a record of another configuration.
    expect(await readFile(`${file}.rejected`, 'utf8')).toBe(edited);
    expect(await readFile(`${failed}.rejected`, 'utf8')).toBe(editedFailure);
    expect(await readdir(join(out, 'records'))).toEqual([`${ermJob.id}.json.rejected`]);
    expect((await rebuildLeaderboard(out, 'x')).stale).toBe(0);
  });
});
