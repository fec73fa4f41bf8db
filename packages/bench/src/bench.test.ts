import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPreset, parsePreset } from './preset';
import { type ResultRecord, readRecords, recordFile } from './records';
import { rebuildLeaderboard, runBench } from './run';
import { mce, meanStd, pairedDifference, relativeMce } from './stats';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semix-bench-'));
  process.env.SEMIX_CACHE = join(dir, 'cache');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A minimal well-formedness check: one root <svg>, every tag closed in order, attributes quoted. */
function wellFormedSvg(text: string): boolean {
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

describe('smoke preset end to end', () => {
  it('writes records, resumes after an interrupted job, rebuilds the leaderboard from records', async () => {
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
    let { records } = await readRecords(out);
    expect(records.map((r) => r.method.name)).toEqual(['erm']);
    // The second run skips the finished job and runs the rest.
    const events: string[] = [];
    const result = await runBench({ preset, outDir: out, backend: 'wasm', onEvent: (e) => events.push(e.type) });
    expect(result.skipped).toBe(1);
    expect(result.ran).toBe(1);
    ({ records } = await readRecords(out));
    expect(records).toHaveLength(2);
    const r = records[0];
    expect(Object.keys(r.corruptions_acc)).toHaveLength(15);
    expect(r.clean_acc).toBeGreaterThan(0.1);
    expect(r.equivariance_gap).toBeGreaterThan(0);
    expect(r.backend).toBe('wasm');
    for (const key of ['clean_acc', 'architecture', 'corruptions_acc', 'git_commit', 'samples_per_s'])
      expect(r).toHaveProperty(key);
    // Leaderboard rebuilt from records alone gives the same table.
    const md1 = await readFile(join(out, 'leaderboard.md'), 'utf8');
    await rm(join(out, 'leaderboard.md'));
    await rebuildLeaderboard(out, 'semix bench --preset smoke', 'smoke');
    expect(await readFile(join(out, 'leaderboard.md'), 'utf8')).toBe(md1);
    expect(md1).toMatch(/\| 1 \| (erm|mixup\+sem) \|/);
    for (const svg of ['severity.svg', 'corruptions.svg']) {
      expect(wellFormedSvg(await readFile(join(out, svg), 'utf8'))).toBe(true);
    }
    expect(wellFormedSvg('<svg a="1"><g></svg>')).toBe(false);
    // A corrupted record is reported by name and never overwritten.
    const bad = recordFile(out, 'smoke__erm__seed0');
    await writeFile(bad, '{ not json');
    const again = await runBench({ preset, outDir: out, backend: 'wasm' });
    expect(again.bad.map((b) => b.file)).toEqual([bad]);
    expect(await readFile(bad, 'utf8')).toBe('{ not json');
    expect((await readdir(join(out, 'records'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // Two jobs at once on worker threads write the same records as the sequential run (timings aside).
    const parallelOut = join(dir, 'smoke-jobs');
    const threaded = await runBench({ preset, outDir: parallelOut, backend: 'wasm', jobs: 2 });
    expect(threaded.ran).toBe(2);
    const sequential = new Map(records.map((rec) => [rec.job_id, rec]));
    const metrics = (rec: ResultRecord) => {
      const copy: Partial<ResultRecord> = { ...rec };
      for (const timing of ['wall_time_s', 'samples_per_s', 'created_at'] as const) delete copy[timing];
      return copy;
    };
    const parallelRecords = (await readRecords(parallelOut)).records;
    expect(parallelRecords).toHaveLength(2);
    for (const rec of parallelRecords)
      expect(metrics(rec)).toEqual(metrics(sequential.get(rec.job_id) as ResultRecord));
    await expect(runBench({ preset, outDir: parallelOut, jobs: 0 })).rejects.toThrow(
      'jobs: 0 is not valid; expected an integer >= 1',
    );
  }, 120_000);

  it('jobs on threads: a failing job fails the run with its message, as in process', async () => {
    const smoke = loadPreset('smoke');
    const preset = { ...smoke, seeds: [0, 1], train: { ...smoke.train, lr: 1e9 } };
    const out = join(dir, 'smoke-jobs-diverge');
    await expect(runBench({ preset, outDir: out, backend: 'wasm', jobs: 2 })).rejects.toThrow(
      /training diverged at step \d+: non-finite loss/,
    );
    expect((await readdir(join(out, 'records'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
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
});

describe('metrics on hand-computed cases', () => {
  it('relative mCE and mCE', () => {
    // One corruption, two severities. Model errors 0.3, 0.5 with clean 0.1 → Σ(E − Eclean) = 0.6.
    // Baseline errors 0.4, 0.6 with clean 0.2 → 0.6. Relative mCE = 1. Plain mCE = 0.8 / 1.0.
    expect(relativeMce({ fog: [0.3, 0.5] }, 0.1, { fog: [0.4, 0.6] }, 0.2)).toBeCloseTo(1, 12);
    expect(mce({ fog: [0.3, 0.5] }, { fog: [0.4, 0.6] })).toBeCloseTo(0.8, 12);
    expect(relativeMce({ a: [0.2], b: [0.3] }, 0.1, { a: [0.3], b: [0.3] }, 0.1)).toBeCloseTo((0.5 + 1) / 2, 12);
  });

  it('mean ± std and the paired 95% interval', () => {
    expect(meanStd([1, 2, 3])).toEqual({ mean: 2, std: 1, n: 3 });
    // Differences 1, 2, 3: mean 2, std 1, t(2) = 4.303 → 2 ± 4.303/√3.
    const d = pairedDifference([2, 4, 6], [1, 2, 3]);
    expect(d.mean).toBe(2);
    expect(d.high - d.mean).toBeCloseTo(4.303 / Math.sqrt(3), 6);
    expect(d.withinNoise).toBe(true);
    expect(pairedDifference([2, 2.1, 2.2], [1, 1, 1]).withinNoise).toBe(false);
  });
});

describe('bad input', () => {
  it('unknown presets list the valid ones; schema errors name the field', () => {
    expect(() => loadPreset('huge')).toThrow(/preset: 'huge' is not a preset; allowed: quick, smoke, mnist-full/);
    const smoke = loadPreset('smoke');
    expect(() => parsePreset({ ...smoke, train: { ...smoke.train, epochs: 0 } }, 'x.json')).toThrow(
      /preset x.json: train.epochs: Number must be greater than 0/,
    );
    expect(() => parsePreset({ ...smoke, dataset: 'imagenet' }, 'x.json')).toThrow(/dataset: Invalid enum value/);
  });

  it('unknown methods and unwritable output directories', async () => {
    const smoke = loadPreset('smoke');
    await expect(runBench({ preset: { ...smoke, methods: ['mixup+sam'] }, outDir: join(dir, 'm') })).rejects.toThrow(
      /methods: 'mixup\+sam' not known; allowed: erm/,
    );
    if (process.getuid?.() !== 0) {
      const locked = join(dir, 'locked');
      await runBench({ preset: { ...smoke, methods: [] as string[] }, outDir: locked }).catch(() => {});
      await chmod(locked, 0o500);
      await expect(runBench({ preset: smoke, outDir: join(locked, 'sub') })).rejects.toThrow(
        /out: .* is not a writable directory/,
      );
    } else {
      await writeFile(join(dir, 'a-file'), '');
      await expect(runBench({ preset: smoke, outDir: join(dir, 'a-file') })).rejects.toThrow(
        /out: .* is not a writable directory/,
      );
    }
  });
});
