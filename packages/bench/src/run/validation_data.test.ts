import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Dataset } from '@semix/datasets';
import { loadDataset, subset } from '@semix/datasets/node';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { readGrid } from '../plan/grid';
import { trainingSeed } from '../plan/identity';
import { BUILTIN_PRESETS, parsePreset } from '../plan/preset';
import { loadPresetData, loadPresetSplits } from './data';
import type { ResultRecord } from './records';
import { runBench } from './run';
import { readRecord, recordFile } from './store';

// The test split behind a guard: with `guard.on`, touching the loader's test split at all throws (and is counted),
// so a preset that evaluates on validation images proves it never reads it.
const guard = vi.hoisted(() => ({ on: false, reads: 0 }));
vi.mock('@semix/datasets/node', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@semix/datasets/node')>();
  return {
    ...actual,
    loadDataset: async (...args: Parameters<typeof actual.loadDataset>) => {
      const splits = await actual.loadDataset(...args);
      return {
        train: splits.train,
        get test() {
          if (!guard.on) return splits.test;
          guard.reads += 1;
          throw new Error('the test split was read');
        },
      };
    },
  };
});

let dir: string;
const saved = process.env.SEMIX_CACHE;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semix-validation-'));
  process.env.SEMIX_CACHE = join(dir, 'cache');
});
afterAll(async () => {
  process.env.SEMIX_CACHE = saved;
  await rm(dir, { recursive: true, force: true });
});
beforeEach(() => {
  guard.on = false;
  guard.reads = 0;
});

const smoke = BUILTIN_PRESETS.smoke as Record<string, Record<string, unknown>>;
const VALIDATION = { validation: { images: 1000, seed: 0 } };

/** Each image's bytes as a string, to compare images by content across data sets. */
const contents = (d: Dataset) => {
  const per = d.images.length / d.labels.length;
  return Array.from({ length: d.labels.length }, (_, i) =>
    Buffer.from(d.images.subarray(i * per, (i + 1) * per)).toString('base64'),
  );
};

describe("a preset's validation images", () => {
  it('are 100 a class of the training split, never trained on, and no test image (by index and by content)', async () => {
    const preset = parsePreset(
      {
        ...smoke,
        data: VALIDATION,
        train: { ...smoke.train, trainImages: undefined },
        evaluation: { ...smoke.evaluation, images: 1500 },
      },
      'v.json',
    );
    const splits = await loadPresetSplits(preset);
    const { train: split, test: testSplit } = await loadDataset('mnist-mini');
    const validation = splits.validation;
    if (!validation) throw new Error('no validation part');
    const { indices } = validation;
    // Disjoint, and together every image of the training split.
    const all = [...indices.train, ...indices.validation].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 7000 }, (_, i) => i));
    expect(indices.validation).toHaveLength(1000);
    expect(indices.train).toHaveLength(6000);
    const perClass = new Array(10).fill(0);
    for (const i of indices.validation) perClass[split.labels[i]] += 1;
    expect(perClass).toEqual(new Array(10).fill(100));
    // What is trained on is exactly the rest, and what is set aside exactly those indices.
    expect(splits.train.checksum).toBe(subset(split, indices.train, 'x').checksum);
    expect(validation.images.checksum).toBe(subset(split, indices.validation, 'x').checksum);
    // The evaluated images are the test split's (the report), and by content none of them is trained on or validation.
    expect(splits.test.checksum).toBe(testSplit.checksum);
    const trained = new Set(contents(splits.train));
    const valid = contents(validation.images);
    expect(valid.filter((v) => trained.has(v))).toEqual([]);
    const test = contents(splits.test);
    expect(test.filter((v) => trained.has(v))).toEqual([]);
    expect(test.filter((v) => valid.includes(v))).toEqual([]);
    expect(splits.identity.train).toBe(splits.train.checksum);
  });

  it('with trainImages, the first of the images left; sizes beyond the data are refused naming the field', async () => {
    const preset = parsePreset({ ...smoke, data: VALIDATION }, 'v.json');
    const splits = await loadPresetSplits(preset);
    const { train: split } = await loadDataset('mnist-mini');
    expect(splits.train.checksum).toBe(
      subset(split, splits.validation?.indices.train.slice(0, 2048) ?? [], 'x').checksum,
    );
    const beyond = (changes: Record<string, unknown>) =>
      loadPresetSplits(parsePreset({ ...smoke, ...changes }, 'b.json'));
    await expect(beyond({ data: VALIDATION, train: { ...smoke.train, trainImages: 6001 } })).rejects.toThrow(
      'train.trainImages: 6001 is more than the mnist-mini training split has once its 1000 validation images are set aside (6000); allowed: 1 to 6000',
    );
    await expect(beyond({ data: { validation: { images: 7000, seed: 0 } } })).rejects.toThrow(
      'data.validation.images: 7000 is more than the mnist-mini training split can spare (7000 images, one at least left to train on); allowed: 1 to 6999',
    );
  });

  it('evaluated (evaluation.split: validation): the suites are made from them, and the test split is never read', async () => {
    const onValidation = parsePreset(
      {
        ...smoke,
        data: VALIDATION,
        evaluation: { ...smoke.evaluation, split: 'validation', images: 40, gapImages: 8 },
      },
      'v.json',
    );
    guard.on = true;
    const data = await loadPresetData(onValidation);
    expect(guard.reads).toBe(0);
    // The evaluated images: the first 40 validation images.
    const { train: split } = await loadDataset('mnist-mini');
    const { validation } = await loadPresetSplits(onValidation);
    const first40 = validation?.indices.validation.slice(0, 40) ?? [];
    expect(first40).toHaveLength(40);
    expect(data.test.checksum).toBe(subset(split, first40, 'x').checksum);
    expect(data.identity.test).toBe(data.test.checksum);
    expect(data.suites.map((s) => s.description)).toEqual([
      'mnist-mini-validation-mnist-c (generated after MNIST-C, seed 0, first 40 validation images)',
      'mnist-mini-validation-c (seed 0, first 40 validation images)',
    ]);
    // The same preset on test images: another suite, cached apart (by name, and by the images' checksum).
    guard.on = false;
    const onTest = parsePreset(
      { ...smoke, data: VALIDATION, evaluation: { ...smoke.evaluation, images: 40, gapImages: 8 } },
      't.json',
    );
    const testData = await loadPresetData(onTest);
    expect(testData.suites.map((s) => s.description)).toEqual([
      'mnist-mini-mnist-c (generated after MNIST-C, seed 0, first 40 test images)',
      'mnist-mini-c (seed 0, first 40 test images)',
    ]);
    expect(testData.test.checksum).not.toBe(data.test.checksum);
    expect((await readdir(join(dir, 'cache', 'generated'))).sort()).toEqual([
      'mnist-mini-c',
      'mnist-mini-mnist-c',
      'mnist-mini-validation-c',
      'mnist-mini-validation-mnist-c',
    ]);
  });
});

describe('a tiny selection preset end to end (evaluation.split: validation, an A/A row, SEM share)', () => {
  it('trains, evaluates on validation images only, runs the A/A row on its own stream and states the SEM share', async () => {
    const preset = parsePreset(
      {
        ...smoke,
        name: 'tiny-select',
        methods: ['erm', { name: 'erm', label: 'erm (A/A)' }, 'mixup+sem'],
        data: VALIDATION,
        train: { ...smoke.train, trainImages: 1024 },
        evaluation: { images: 100, split: 'validation', corruptions: 'cifar10-c-15', gapImages: 32 },
      },
      'tiny.json',
    );
    const out = join(dir, 'tiny');
    guard.on = true;
    const result = await runBench({ preset, outDir: out, backend: 'wasm' });
    expect(guard.reads).toBe(0);
    expect(result.failed).toBe(0);
    const grid = await readGrid(out);
    const records: ResultRecord[] = [];
    for (const job of grid.jobs) {
      const read = await readRecord(recordFile(out, job.id), job.id);
      if (!read?.ok) throw new Error(`${job.id}: no record`);
      records.push(read.record);
    }
    const [erm, aa, sem] = records;
    for (const r of records) {
      expect(r.evaluation.split).toBe('validation');
      expect(r.dataset.test_images).toBe(100);
      expect(r.suites['cifar10-c-15'].description).toBe(
        'mnist-mini-validation-c (seed 0, first 100 validation images)',
      );
    }
    // The A/A row: erm's options and preset seed (so it pairs with erm), another job, another stream.
    expect(aa.method.label).toBe('erm (A/A)');
    expect(aa.seed).toBe(erm.seed);
    expect(aa.identity.method).toEqual(erm.identity.method);
    expect(aa.job_id).not.toBe(erm.job_id);
    expect(trainingSeed(aa.identity as never)).not.toBe(trainingSeed(erm.identity as never));
    expect(aa.history[0].ce).not.toBe(erm.history[0].ce);
    // SEM share: null without SEM, the last epoch's sem / total with it.
    expect(erm.sem_share).toBeNull();
    const last = sem.history.at(-1) as Record<string, number>;
    expect(sem.sem_share).toBe(last.sem / last.total);
    expect(sem.sem_share).toBeGreaterThan(0);
    const rows = result.leaderboard.rows;
    expect(rows.find((r) => r.label === 'mixup+sem')?.sem_share?.mean).toBe(sem.sem_share);
    expect(rows.find((r) => r.label === 'erm')?.sem_share).toBeNull();
    expect(result.leaderboard.controls.map((c) => [c.label, c.baseline])).toEqual([['erm (A/A)', 'erm']]);
  }, 240_000);
});
