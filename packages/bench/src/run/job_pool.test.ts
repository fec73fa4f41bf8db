import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readGrid } from '../plan/grid';
import { loadPreset, parsePreset } from '../plan/preset';
import { offeredThreads } from './job_pool';
import type { ResultRecord } from './records';
import { type BenchEvent, runBench } from './run';
import { readRecord, recordFile } from './store';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semix-pool-'));
  process.env.SEMIX_CACHE = join(dir, 'cache');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('offeredThreads', () => {
  const train = (t: { shards?: number; threads?: number }) => ({ ...loadPreset('smoke').train, ...t });

  it('splits the free threads between the starting job and the queued ones, within 1 … shards', () => {
    // Nothing free, or one shard: one thread.
    expect(offeredThreads(train({ shards: 4 }), 0, 0)).toBe(1);
    expect(offeredThreads(train({}), 7, 0)).toBe(1);
    // The last job takes what is free, up to its shards.
    expect(offeredThreads(train({ shards: 4 }), 2, 0)).toBe(3);
    expect(offeredThreads(train({ shards: 4 }), 9, 0)).toBe(4);
    // Two free threads, this job and one queued: one extra each.
    expect(offeredThreads(train({ shards: 4 }), 2, 1)).toBe(2);
    expect(offeredThreads(train({ shards: 4 }), 1, 1)).toBe(1);
    // The preset's threads are a floor (it asked for them), the shards a ceiling.
    expect(offeredThreads(train({ shards: 4, threads: 2 }), 0, 3)).toBe(2);
    expect(offeredThreads(train({ threads: 2 }), 5, 0)).toBe(2);
  });
});

describe('spare threads for jobs with shards', () => {
  const smoke = BUILTIN_SMOKE();
  const preset = (train: Record<string, number>, methods: string[] = ['erm', 'mixup+sem']) =>
    parsePreset(
      {
        ...smoke,
        name: 'shards-test',
        methods,
        train: { ...smoke.train, trainImages: 512, ...train },
        evaluation: { ...smoke.evaluation, corruptions: 'none', gapImages: 32 },
      },
      'shards-test',
    );
  const run = async (p: ReturnType<typeof preset>, name: string, jobs: number) => {
    const events: BenchEvent[] = [];
    const out = join(dir, name);
    await runBench({ preset: p, outDir: out, backend: 'wasm', jobs, onEvent: (e) => events.push(e) });
    const grid = await readGrid(out);
    const records: ResultRecord[] = [];
    for (const job of grid.jobs) {
      const r = await readRecord(recordFile(out, job.id), job.id);
      if (r?.ok) records.push(r.record);
    }
    return { events, records };
  };
  // What a job computed: its record less how and when it ran.
  const computed = (r: ResultRecord) => {
    const { wall_time_s: _w, samples_per_s: _s, created_at: _c, threads: _t, ...rest } = r;
    return rest;
  };

  it('idle job threads become data-parallel threads of the jobs left; the records are those of one thread each', async () => {
    const sharded = preset({ shards: 2 });
    const alone = await run(sharded, 'one-thread', 1);
    expect(alone.records.map((r) => [r.threads, r.train.shards])).toEqual([
      [1, 2],
      [1, 2],
    ]);
    // Budget 4, two jobs: two job threads, and each job takes one of the two idle threads.
    const spare = await run(sharded, 'spare', 4);
    const starts = spare.events.filter((e) => e.type === 'job-start');
    expect(starts.map((e) => e.type === 'job-start' && e.threads)).toEqual([2, 2]);
    expect(spare.records.map((r) => r.threads)).toEqual([2, 2]);
    expect(spare.records.map(computed)).toEqual(alone.records.map(computed));
    // One job left and a budget of 2: it runs here, on both threads.
    const last = await run(preset({ shards: 2 }, ['mixup+sem']), 'last', 2);
    expect(last.records.map((r) => r.threads)).toEqual([2]);
    expect(last.records.map(computed)).toEqual([computed(alone.records[1])]);
  }, 180_000);

  it('a running job takes the threads of a job thread that finishes with nothing left to take; same records', async () => {
    // Budget 2: erm and mixup start side by side; erm's job thread (the cheaper job) takes mixup+sem, and when
    // mixup's job thread then finishes with the queue empty, its thread joins mixup+sem's training from its next step.
    const methods = ['erm', 'mixup', 'mixup+sem'];
    const sharded = preset({ shards: 2, epochs: 2 }, methods);
    const alone = await run(sharded, 'grow-one-thread', 1);
    const pool = await run(sharded, 'grow', 2);
    expect(pool.records.map((r) => r.method.label)).toEqual(methods);
    expect(pool.records.map((r) => r.threads)).toEqual([1, 1, 2]);
    expect(pool.records.map(computed)).toEqual(alone.records.map(computed));
  }, 240_000);

  it('one shard (the built-in presets): nothing to spread, and the idle threads are named', async () => {
    const single = await run(preset({}, ['erm']), 'single', 3);
    expect(single.records.map((r) => [r.threads, r.train.shards])).toEqual([[1, 1]]);
    const idle = single.events.find((e) => e.type === 'idle-threads');
    expect(idle).toMatchObject({ type: 'idle-threads', idle: 2, budget: 3 });
    expect(idle?.type === 'idle-threads' && idle.reason).toMatch(/train\.shards is 1/);
  }, 120_000);
});

function BUILTIN_SMOKE() {
  const { methods: _m, ...rest } = loadPreset('smoke');
  return rest;
}
