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
  checkRecord,
  type FailedRecord,
  failedText,
  identityMismatches,
  type ResultRecord,
  recordDigest,
  recordText,
  recordThreads,
} from './records';
import { type BenchEvent, rebuildLeaderboard } from './run';
import { failedFile, pendingJobs, readFailed, readRecord, recordFile, recordStore } from './store';

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
    const { pending, skipped, bad } = await pendingJobs(recordStore(out), grid, (e) => events.push(e));
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

describe("a record's copies of its identity", () => {
  const sealed = (r: object) => `${JSON.stringify({ ...r, digest: recordDigest(r) }, null, 2)}\n`;

  it('are derived from it when written, so a record as the runners write it has none that disagree', () => {
    const r = record(semJob, 0.7);
    expect(identityMismatches(r)).toEqual([]);
    expect([r.seed, r.architecture, r.backend, r.dataset.name, r.dataset.checksum]).toEqual([
      semJob.seed,
      semJob.identity.model.arch,
      'cpu',
      'mnist-mini',
      't',
    ]);
    expect(r.train).toEqual({ ...semJob.identity.train, shards: 1 });
  });

  it('a copy that disagrees (sealed with a fresh digest, so only this check sees it) is refused, naming the field', async () => {
    const file = join(dir, 'copies.json');
    const cases: Array<[Partial<ResultRecord>, string]> = [
      [{ backend: 'wasm' }, 'backend is "wasm" where its identity says "cpu"'],
      [{ architecture: 'mlp' }, 'architecture is "mlp" where its identity says "cnn-small"'],
      [{ model: { arch: 'cnn-small', width: 2 } }, 'model is {"arch":"cnn-small","width":2} where its identity says'],
      [{ seed: 5 }, 'seed is 5 where its identity says 0'],
      [{ dataset: { name: 'mnist', checksum: 't', train_images: 2048, test_images: 500 } }, 'dataset.name is "mnist"'],
      [{ train: { ...ermJob.identity.train, shards: 1, lr: 1 } }, 'train is {'],
      [{ evaluation: { ...ermJob.identity.evaluation, images: 7 } }, 'evaluation is {'],
    ];
    for (const [edit, why] of cases) {
      await writeFile(file, sealed({ ...record(ermJob, 0.59), ...edit }));
      const read = await readRecord(file, ermJob.id);
      expect(read).toMatchObject({ ok: false, damaged: true });
      expect(read?.ok === false && read.error).toContain(`its copies of its identity disagree with it: ${why}`);
    }
    // The method, but its label (presentation): another option than the identity's is refused.
    const method = { ...record(ermJob, 0.59).method, label: 'renamed' };
    await writeFile(file, sealed({ ...record(ermJob, 0.59), method }));
    expect((await readRecord(file, ermJob.id))?.ok).toBe(true);
    const other = { ...semJob.method, label: ermJob.label };
    await writeFile(file, sealed({ ...record(ermJob, 0.59), method: other }));
    expect(await readRecord(file, ermJob.id)).toMatchObject({
      error: expect.stringMatching(/method differs from its identity's at method\./),
    });
    // Writers refuse to seal such a record: it would not read back.
    expect(() => recordText({ ...record(ermJob, 0.59), backend: 'wasm' })).toThrow(
      `record ${ermJob.id}: its copies of its identity disagree with it: backend is "wasm" where its identity says "cpu"`,
    );
  });

  it("checkRecord (what the queue coordinator applies to a queue worker's record) checks schema, identity and id", () => {
    expect(checkRecord(record(ermJob, 0.59), ermJob.id)).toEqual({ ok: true, record: record(ermJob, 0.59) });
    expect(checkRecord(record(ermJob, 0.59), semJob.id)).toEqual({
      ok: false,
      error: `it holds job ${ermJob.id}, expected ${semJob.id}`,
    });
    expect(checkRecord({ ...record(ermJob, 0.59), backend: 'wasm' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^its copies of its identity disagree with it: backend/),
    });
    expect(checkRecord({ ...record(ermJob, 0.59), clean_acc: 'high' })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^not a semix-record-v2 record \(clean_acc: /),
    });
    expect(checkRecord({ ...record(ermJob, 0.59), identity: { v: 4 } })).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^not a semix-record-v2 record \(identity\.dataset: Required/),
    });
  });

  it('threads: new records write it; records from before the rename read their workers as threads', () => {
    const r = record(ermJob, 0.59);
    expect([r.threads, r.workers, recordThreads(r)]).toEqual([1, undefined, 1]);
    const { threads: _threads, ...old } = { ...r, workers: 3 };
    expect(recordThreads(old)).toBe(3);
    expect(checkRecord(old).ok).toBe(true);
  });
});

describe('the record store', () => {
  it('writes records and failure records sealed and atomically, reads them verified, lists ids, sets bad ones aside', async () => {
    const store = recordStore(join(dir, 'store'));
    await store.prepare();
    expect(await store.readRecord(ermJob.id)).toBeNull();
    await store.writeRecord(record(ermJob, 0.61));
    expect(await store.readRecord(ermJob.id)).toEqual({ ok: true, record: record(ermJob, 0.61) });
    expect(await readFile(recordFile(store.dir, ermJob.id), 'utf8')).toBe(recordText(record(ermJob, 0.61)));
    await expect(store.writeRecord({ ...record(semJob, 0.6), backend: 'wasm' })).rejects.toThrow(/backend is "wasm"/);
    expect(await store.recordIds()).toEqual([ermJob.id]);
    await store.writeFailed(failure(semJob.id));
    expect(await store.readFailed(semJob.id)).toEqual({ ok: true, record: failure(semJob.id) });
    await store.removeFailed(semJob.id);
    expect(await store.readFailed(semJob.id)).toBeNull();
    await writeFile(recordFile(store.dir, semJob.id), '{');
    const bad = await store.readRecord(semJob.id);
    expect(bad).toMatchObject({ ok: false, damaged: true, error: expect.stringMatching(/^not valid JSON/) });
    if (bad?.ok !== false) throw new Error('expected a bad record');
    expect(await store.setAside(bad)).toBe(`${recordFile(store.dir, semJob.id)}.rejected`);
    expect(await store.recordIds()).toEqual([ermJob.id]);
  });

  it('prepare refuses a results directory that cannot be written, naming out', async () => {
    const file = join(dir, 'a-file');
    await writeFile(file, '');
    await expect(recordStore(file).prepare()).rejects.toThrow(`out: '${file}' is not a writable directory`);
  });
});
