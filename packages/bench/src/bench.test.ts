import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MNIST_C_CORRUPTIONS } from '@semix/datasets';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gridFile, readGrid } from './plan/grid';
import { loadPreset, parsePreset } from './plan/preset';
import { runQueuedBench } from './run/queue/coordinator';
import type { ResultRecord } from './run/records';
import { rebuildLeaderboard, runBench } from './run/run';
import { failedFile, readRecord, recordFile } from './run/store';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semix-bench-'));
  process.env.SEMIX_CACHE = join(dir, 'cache');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A minimal well-formedness check: one root <svg>, every tag closed in order, attributes quoted. */
export function wellFormedSvg(text: string): boolean {
  if (!text.startsWith('<svg ') || !text.trimEnd().endsWith('</svg>')) return false;
  const stack: string[] = [];
  for (const m of text.matchAll(/<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z0-9:-]+="[^"<]*")*)\s*(\/?)>/g)) {
    const [, close, name, , self] = m;
    if (self) continue;
    if (close) {
      if (stack.pop() !== name) return false;
    } else stack.push(name);
  }
  const stripped = text.replace(/<(\/?)([a-zA-Z]+)((?:\s+[a-zA-Z0-9:-]+="[^"<]*")*)\s*(\/?)>/g, '');
  return stack.length === 0 && !/[<>]/.test(stripped);
}

const recordsOf = async (out: string): Promise<ResultRecord[]> => {
  const grid = await readGrid(out);
  const list: ResultRecord[] = [];
  for (const job of grid.jobs) {
    const r = await readRecord(recordFile(out, job.id), job.id);
    if (r?.ok) list.push(r.record);
  }
  return list;
};

describe('smoke preset end to end', () => {
  it('writes records under hashed ids, resumes, re-runs only what an edit changed, rebuilds from records', async () => {
    const preset = loadPreset('smoke');
    const out = join(dir, 'smoke');
    // First run is interrupted during its second job.
    const controller = new AbortController();
    const first = await runBench({
      preset,
      outDir: out,
      backend: 'wasm',
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'job-start' && e.index === 1) controller.abort(new Error('interrupted'));
      },
    }).catch((e: Error) => e);
    expect(first).toBeInstanceOf(Error);
    expect((await recordsOf(out)).map((r) => r.method.label)).toEqual(['erm']);
    // The second run skips the finished job and runs the rest.
    const result = await runBench({ preset, outDir: out, backend: 'wasm' });
    expect(result.skipped).toBe(1);
    expect(result.ran).toBe(1);
    const records = await recordsOf(out);
    expect(records.map((r) => r.method.label)).toEqual(['erm', 'mixup+sem']);
    const r = records[0];
    expect(r.job_id).toMatch(/^semix-[0-9a-f]{24}$/);
    expect(Object.keys(r.suites)).toEqual(['mnist-c', 'cifar10-c-15']);
    expect(Object.keys(r.suites['cifar10-c-15'].corruptions_acc)).toHaveLength(15);
    expect(r.suites['cifar10-c-15'].severities).toBe(5);
    expect(Object.keys(r.suites['mnist-c'].corruptions_acc)).toEqual(MNIST_C_CORRUPTIONS);
    expect(r.suites['mnist-c'].severities).toBe(1);
    // Clean accuracy and the suite use the same 100 images; one epoch of 1,024 images learns well above chance.
    expect(r.dataset.test_images).toBe(100);
    expect(r.clean_acc).toBeGreaterThan(0.5);
    expect(r.equivariance_gap).toBeGreaterThan(0);
    expect(r.history).toHaveLength(1);
    expect(records[1].method.sem).toMatchObject({
      distance: 'mse',
      weight: 0.1,
      stopGradTarget: true,
      normalize: true,
    });
    // Leaderboard rebuilt from records alone gives the same table.
    const md1 = await readFile(join(out, 'leaderboard.md'), 'utf8');
    await rm(join(out, 'leaderboard.md'));
    await rebuildLeaderboard(out, 'semix bench --preset smoke');
    expect(await readFile(join(out, 'leaderboard.md'), 'utf8')).toBe(md1);
    const tableRows = md1.split('\n').filter((l) => /^\| \d+ =? ?\| /.test(l));
    expect(tableRows.map((l) => l.split(' | ')[1]).sort()).toEqual(['erm', 'mixup+sem']);
    for (const svg of ['severity-cifar10-c-15.svg', 'corruptions-cifar10-c-15.svg', 'corruptions-mnist-c.svg']) {
      expect(wellFormedSvg(await readFile(join(out, svg), 'utf8'))).toBe(true);
    }
    expect(wellFormedSvg('<svg a="1"><g></svg>')).toBe(false);

    // An edited preset (erm's config unchanged, a new option for mixup+sem, a new description) re-runs exactly
    // the changed job; the old record stays on disk, counted as stale, never shown.
    const edited = parsePreset(
      { ...preset, description: 'edited', methods: ['erm', { name: 'mixup+sem', sem: { weight: 2 } }] },
      'edited',
    );
    const rerun = await runBench({ preset: edited, outDir: out, backend: 'wasm' });
    expect([rerun.ran, rerun.skipped]).toEqual([1, 1]);
    const md2 = await readFile(join(out, 'leaderboard.md'), 'utf8');
    expect(md2).toContain('mixup+sem β=2');
    expect(md2).not.toMatch(/\| mixup\+sem \|/);
    expect(md2).toContain('1 record(s) in records/ belong to other configurations');

    // A truncated record is reported by name and never shown (its row marked incomplete); bench moves it aside
    // and runs its job again.
    const grid = await readGrid(out);
    const bad = recordFile(out, grid.jobs[0].id);
    const text = await readFile(bad, 'utf8');
    await writeFile(bad, text.slice(0, 200));
    const board = await rebuildLeaderboard(out, 'x');
    expect(board.bad.map((b) => b.file)).toEqual([bad]);
    expect(board.bad[0].error).toMatch(/not valid JSON .*not shown; `semix bench` re-runs its job/);
    const md3 = await readFile(join(out, 'leaderboard.md'), 'utf8');
    expect(md3).toContain(`## Records not shown\n\n- erm: \`${bad}\` (not shown; \`semix bench\` re-runs its job)`);
    expect(md3).toContain('erm ⚠ incomplete: 0 of 1 seeds (1 not shown)');
    expect(md3).not.toMatch(/\| \d+ \| erm \|/);
    const again = await runBench({ preset: edited, outDir: out, backend: 'wasm' });
    expect([again.ran, again.skipped, again.bad]).toEqual([1, 1, []]);
    expect(await readFile(`${bad}.rejected`, 'utf8')).toBe(text.slice(0, 200));
    expect((await readRecord(bad, grid.jobs[0].id))?.ok).toBe(true);
    expect((await readdir(join(out, 'records'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    // A record whose contents were edited no longer matches its digest: reported, not shown.
    await writeFile(bad, text.replace(/"lr": 0\.002/, '"lr": 0.02'));
    const edits = await rebuildLeaderboard(out, 'x');
    expect(edits.bad[0]).toMatchObject({
      damaged: true,
      error: expect.stringMatching(/^its content does not match its digest \(edited or damaged\)/),
    });

    // Two jobs at once on job threads write the same records as the sequential run (timings aside).
    const parallelOut = join(dir, 'smoke-jobs');
    const threaded = await runBench({ preset, outDir: parallelOut, backend: 'wasm', jobs: 2 });
    expect(threaded.ran).toBe(2);
    const metrics = (rec: ResultRecord) => {
      const copy: Partial<ResultRecord> = { ...rec };
      for (const timing of ['wall_time_s', 'samples_per_s', 'created_at'] as const) delete copy[timing];
      return copy;
    };
    const parallelRecords = await recordsOf(parallelOut);
    expect(parallelRecords.map(metrics)).toEqual(records.map(metrics));
    await expect(runBench({ preset, outDir: parallelOut, jobs: 0 })).rejects.toThrow(
      'jobs: 0 is not valid; expected an integer >= 1',
    );
  }, 240_000);

  it('a diverging sweep point is recorded as failed with its step and loss parts; the others run', async () => {
    const smoke = loadPreset('smoke');
    // β = 1e39 is infinite in float32: the loss of the first step is not finite; β = 0.1 (the default) trains.
    const preset = parsePreset(
      {
        ...smoke,
        methods: [{ sweep: 'mixup+sem', vary: { 'sem.weight': [0.1, 1e39] } }],
      },
      'diverge',
    );
    expect(preset.methods.map((m) => m.label)).toEqual(['mixup+sem', 'mixup+sem β=1e+39']);
    for (const jobs of [1, 2]) {
      const out = join(dir, `diverge-${jobs}`);
      const result = await runBench({ preset, outDir: out, backend: 'wasm', jobs });
      expect([result.ran, result.failed]).toEqual([1, 1]);
      const grid = await readGrid(out);
      const failure = JSON.parse(await readFile(failedFile(out, grid.jobs[1].id), 'utf8'));
      expect(failure).toMatchObject({ schema: 'semix-failed-v2', reason: 'diverged', label: 'mixup+sem β=1e+39' });
      expect(failure.step).toBe(0);
      expect(failure.losses.sem).toBeNull(); // not finite: JSON has no Infinity
      expect(Object.keys(failure.losses).sort()).toEqual(['ce', 'sem', 'total']);
      const md = await readFile(join(out, 'leaderboard.md'), 'utf8');
      expect(md).toMatch(
        /\| – \| mixup\+sem β=1e\+39 \| 0 of 1 \| \*\*failed\*\* \(diverged at step 0: ce=[\d.]+, sem=non-finite/,
      );
      expect(md).toMatch(/## Failed jobs[\s\S]*diverged/);
      // A second run does not re-run a failed job, and says how to.
      const events: string[] = [];
      await runBench({
        preset,
        outDir: out,
        backend: 'wasm',
        jobs,
        onEvent: (e) => {
          if (e.type === 'job-skip') events.push(e.reason);
        },
      });
      expect(events).toContain(`failed before; delete ${failedFile(out, grid.jobs[1].id)} to run it again`);
    }
  }, 240_000);

  it('finite losses that grew without bound (Adam at lr 1000) fail as diverged before evaluation, not as a number', async () => {
    const smoke = loadPreset('smoke');
    const preset = parsePreset({ ...smoke, methods: ['erm'], train: { ...smoke.train, lr: 1000 } }, 'explode');
    const out = join(dir, 'explode');
    const result = await runBench({ preset, outDir: out, backend: 'wasm', jobs: 1 });
    expect([result.ran, result.failed]).toEqual([0, 1]);
    const grid = await readGrid(out);
    const failure = JSON.parse(await readFile(failedFile(out, grid.jobs[0].id), 'utf8'));
    expect(failure).toMatchObject({ schema: 'semix-failed-v2', reason: 'diverged', label: 'erm' });
    expect(failure.step).toBeUndefined();
    // finite, and over 10 × ln(10)
    expect(failure.losses.ce).toBeGreaterThan(10 * Math.log(10));
    expect(failure.error).toMatch(/the last epoch's cross-entropy [\d.e+]+ exceeds 10 × ln\(10\) = 23\.03/);
    const md = await readFile(join(out, 'leaderboard.md'), 'utf8');
    expect(md).toMatch(
      /\| – \| erm \| 0 of 1 \| \*\*failed\*\* \(diverged \(loss grew without bound\): last epoch ce=/,
    );
  }, 120_000);

  it('jobs on threads: an interrupt stops every thread and keeps what finished', async () => {
    const preset = { ...loadPreset('smoke'), seeds: [0, 1] };
    const out = join(dir, 'smoke-jobs-abort');
    const controller = new AbortController();
    const started: string[] = [];
    const result = await runBench({
      preset,
      outDir: out,
      backend: 'wasm',
      jobs: 2,
      signal: controller.signal,
      onEvent: (e) => {
        if (e.type === 'job-start') started.push(e.id);
        if (e.type === 'train' && e.event.globalStep === 2) controller.abort(new Error('interrupted'));
      },
    }).catch((e: Error) => e);
    expect(result).toBeInstanceOf(Error);
    expect((result as Error).message).toMatch(/interrupted/);
    expect(started.length).toBeLessThan(4);
    expect((await readdir(join(out, 'records'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  }, 120_000);

  it('leaderboard: a results directory without a grid is an error that says what to run', async () => {
    await expect(rebuildLeaderboard(join(dir, 'nothing-here'), 'x')).rejects.toThrow(
      `no ${gridFile(join(dir, 'nothing-here'))}; run \`semix bench --out`,
    );
  });
});

describe('unwritable output directories', () => {
  it('are refused by name', async () => {
    const smoke = loadPreset('smoke');
    await writeFile(join(dir, 'a-file'), '');
    await expect(runBench({ preset: smoke, outDir: join(dir, 'a-file') })).rejects.toThrow(
      /out: .* is not a writable directory/,
    );
  });
});

describe('usage errors before a byte is written', () => {
  // A preset asking for more training images than mnist-mini's 7000: refused, never cut.
  const tooMany = () => {
    const smoke = loadPreset('smoke');
    return { ...smoke, train: { ...smoke.train, trainImages: 100_000 } };
  };

  it('a preset beyond its data: runBench and the queue coordinator write nothing (no records/, no grid.json)', async () => {
    const out = join(dir, 'beyond');
    await expect(runBench({ preset: tooMany(), outDir: out })).rejects.toThrow(
      'train.trainImages: 100000 is more than the mnist-mini training split has (7000); allowed: 1 to 7000',
    );
    expect(existsSync(out)).toBe(false);
    // Nothing listens on port 1: sizes are checked before Redis is tried.
    await expect(runQueuedBench({ preset: tooMany(), outDir: out, url: 'redis://127.0.0.1:1' })).rejects.toThrow(
      'train.trainImages: 100000',
    );
    expect(existsSync(out)).toBe(false);
    // A results directory of an earlier run keeps its grid.json.
    await mkdir(out);
    await writeFile(join(out, 'grid.json'), 'earlier');
    await expect(runBench({ preset: tooMany(), outDir: out })).rejects.toThrow('train.trainImages');
    expect(await readdir(out)).toEqual(['grid.json']);
    expect(await readFile(join(out, 'grid.json'), 'utf8')).toBe('earlier');
  });

  it('a bad queue URL: refused by name with its password redacted, before grid.json or records/', async () => {
    const out = join(dir, 'bad-url');
    for (const [url, message] of [
      ['http://user:hunter2@host:6379', "queue url: protocol 'http:' is not allowed; allowed: redis:, rediss:"],
      ['redis://:hunter2@host:99999', "queue url: 'redis://:***@host:99999' is not a URL"],
      ['redis://:hunter2@:6379', "queue url: 'redis://:***@:6379' is not a URL"],
      ['redis:///0', "queue url: 'redis:///0' names no host"],
      ['redis://:hunter2@host:6379/db', "queue url: 'redis://:***@host:6379/db' has database '/db'"],
      ['not a url', "queue url: 'not a url' is not a URL"],
    ] as const) {
      const error = await runQueuedBench({ preset: loadPreset('smoke'), outDir: out, url }).catch((e: Error) => e);
      expect((error as Error).message, url).toContain(message);
      expect((error as Error).message, url).not.toContain('hunter2');
      expect(existsSync(out), url).toBe(false);
    }
  });
});
