import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './run_cli.test_helper';

// The built binary runs as a subprocess (vitest.global-build.ts builds it first), as users run it.
const SMOKE = resolve(import.meta.dirname, '../../../packages/bench/src/plan/presets/smoke.json');
const dir = mkdtempSync(join(tmpdir(), 'semix-cost-'));
const env = { ...process.env, SEMIX_CACHE: join(dir, 'cache') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const semixIn = (cwd: string, ...args: string[]) => runCli(cwd, env, args);

describe('semix speed --cost', () => {
  it('times smoke on one thread and prints its projection; writes results/cost.json by default', async () => {
    const cwd = join(dir, 'default-out');
    mkdirSync(cwd);
    const r = await semixIn(cwd, 'speed', '--cost', 'smoke');
    expect(r.code, r.err).toBe(0);
    expect(r.out).toMatch(
      /^smoke: cnn-small ×0\.5 on 28×28×1 \(mnist-mini, 10 classes\), batch 64, adam; timed on wasm, 1 thread/,
    );
    expect(r.out).toMatch(/train step \(plain cross-entropy\): [\d.]+ ms/);
    expect(r.out).toContain('epoch: 32 steps (2,048 training images ÷ batch 64) = ');
    expect(r.out).toContain('grid: 2 methods × 1 seed = 2 jobs');
    expect(r.out).toMatch(
      /1 core: 1 worker × 2 jobs each = .*\n {4}8 cores: 2 workers × 1 job each = .*\(6 cores idle\)/,
    );
    expect(r.out).toContain('64 cores: 2 workers × 1 job each');
    expect(r.out).toContain('mixing policies and SEM add the shares of the train step');
    const written = resolve(cwd, 'results/cost.json');
    expect(r.out).toContain(`wrote ${written}`);
    const [cost] = JSON.parse(readFileSync(written, 'utf8'));
    expect(cost.counts).toMatchObject({ preset: 'smoke', jobs: 2, stepsPerEpoch: 32 });
    expect(cost.measured).toMatchObject({ backend: 'wasm', threads: 1 });
    // The projection is of the figures printed: a job is 32 steps and 9,356 images in batches of 100.
    expect(cost.projection.jobMs).toBeCloseTo(32 * cost.times.trainStepMs + 93.56 * cost.times.evalBatchMs, 6);
  }, 120_000);

  it('takes a comma-separated list with a preset file; --json prints what --out holds', async () => {
    const smoke = JSON.parse(readFileSync(SMOKE, 'utf8'));
    const file = join(dir, 'three-seeds.json');
    writeFileSync(file, JSON.stringify({ ...smoke, name: 'three-seeds', seeds: [0, 1, 2] }));
    const out = join(dir, 'both.json');
    const r = await semixIn(dir, 'speed', '--cost', `smoke, ${file}`, '--json', '--out', out);
    expect(r.code, r.err).toBe(0);
    const costs = JSON.parse(r.out);
    expect(costs).toEqual(JSON.parse(readFileSync(out, 'utf8')));
    expect(costs.map((c: { counts: { preset: string; jobs: number } }) => [c.counts.preset, c.counts.jobs])).toEqual([
      ['smoke', 2],
      ['three-seeds', 6],
    ]);
  }, 120_000);

  it('a bad --cost, or a flag that does not apply, exits 2 naming the flag, the value and what is allowed', async () => {
    const cwd = join(dir, 'bad');
    mkdirSync(cwd);
    const name = await semixIn(cwd, 'speed', '--cost', 'smoke,cifar11');
    expect(name.code).toBe(2);
    expect(name.err).toContain(
      "semix: --cost: 'cifar11' is not valid; allowed: presets, comma-separated: quick, smoke, mnist-mini",
    );
    expect(name.err).toMatch(/cifar10, cifar100, or a \.json preset file/);
    const empty = await semixIn(cwd, 'speed', '--cost', 'smoke,');
    expect(empty.code).toBe(2);
    expect(empty.err).toContain("semix: --cost: '' is not valid; allowed: presets");
    const models = await semixIn(cwd, 'speed', '--cost', 'smoke', '--models', 'mlp');
    expect(models.code).toBe(2);
    expect(models.err).toContain("--models: not valid with --cost, which times each preset's own model");
    const missing = await semixIn(cwd, 'speed', '--cost', join(dir, 'nowhere.json'));
    expect(missing.code).toBe(2);
    expect(missing.err).toMatch(/preset .*nowhere\.json: cannot read it as JSON/);
    expect(readdirSync(cwd)).toEqual([]);
    expect(existsSync(join(cwd, 'results'))).toBe(false);
  }, 120_000);
});
