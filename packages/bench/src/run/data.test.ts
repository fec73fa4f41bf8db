import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadPreset, parsePreset } from '../plan/preset';
import { type DataProgress, loadPresetData } from './data';

// The data events a bar is drawn from: each suite names itself and counts to its own total, and a suite read from
// the cache says `load` (the CLI drew "corrupt mnist-mini 72/15 levels" from these while loading a cached suite).

let dir: string;
const saved = process.env.SEMIX_CACHE;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semix-data-progress-'));
  process.env.SEMIX_CACHE = dir;
});
afterAll(async () => {
  process.env.SEMIX_CACHE = saved;
  await rm(dir, { recursive: true, force: true });
});

describe('data progress events', () => {
  it('name their suite, count to its own total, and say load when the suite comes from the cache', async () => {
    const smoke = loadPreset('smoke');
    const preset = parsePreset({ ...smoke, evaluation: { ...smoke.evaluation, images: 12, gapImages: 8 } }, 'test');
    const run = async () => {
      const events: DataProgress[] = [];
      await loadPresetData(preset, (e) => events.push(e));
      return events;
    };
    const summary = (events: DataProgress[]) =>
      [...new Set(events.map((e) => e.suite))].map((suite) => {
        const own = events.filter((e) => e.suite === suite);
        return {
          suite,
          phases: [...new Set(own.map((e) => e.phase))],
          totals: [...new Set(own.map((e) => e.total))],
          last: own.at(-1)?.done,
        };
      });
    expect(summary(await run())).toEqual([
      { suite: 'mnist-mini-mnist-c', phases: ['corrupt'], totals: [15], last: 15 },
      { suite: 'mnist-mini-c', phases: ['corrupt'], totals: [75], last: 75 },
    ]);
    const cached = await run();
    expect(summary(cached)).toEqual([
      { suite: 'mnist-mini-mnist-c', phases: ['load'], totals: [15], last: 15 },
      { suite: 'mnist-mini-c', phases: ['load'], totals: [75], last: 75 },
    ]);
    expect(cached.every((e) => e.warning === undefined)).toBe(true);
  });
});
