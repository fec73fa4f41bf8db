import { describe, expect, it } from 'vitest';
import { loadPreset } from '../plan/preset';
import {
  COST_NOTES,
  datasetFacts,
  humanDuration,
  presetCostLines,
  presetCounts,
  projectCost,
  SUITE_SETS,
} from './preset_cost';

// A CIFAR-10-sized grid, worked by hand: 390 steps of 2 s an epoch, 200 epochs, 764,000 images evaluated in
// batches of 500 at 1 s a batch, 35 jobs.
const CIFAR_LIKE = {
  stepsPerEpoch: 390,
  epochs: 200,
  evaluationImages: 760_000,
  gapImages: 4_000,
  evalBatch: 500,
  jobs: 35,
};

describe('projectCost', () => {
  it('multiplies the step times by the counts and spreads the jobs over min(cores, jobs) workers', () => {
    const p = projectCost(CIFAR_LIKE, { trainStepMs: 2000, evalBatchMs: 1000 });
    expect(p.epochMs).toBe(780_000); // 390 × 2,000 ms = 13 min
    expect(p.trainMsPerJob).toBe(156_000_000); // 200 × 780,000 ms
    expect(p.evalMsPerJob).toBe(1_528_000); // 764,000 / 500 = 1,528 batches × 1,000 ms
    expect(p.jobMs).toBe(157_528_000);
    expect(p.coreHours).toBeCloseTo(5_513_480_000 / 3_600_000, 9); // 35 jobs × 157,528,000 ms = 1,531.52 h
    expect(p.wall).toEqual([
      { cores: 1, workers: 1, rounds: 35, wallMs: 5_513_480_000 },
      { cores: 8, workers: 8, rounds: 5, wallMs: 787_640_000 }, // ceil(35 / 8) = 5 jobs one after another
      { cores: 64, workers: 35, rounds: 1, wallMs: 157_528_000 }, // 29 cores idle: one job's time
    ]);
  });

  it('more cores than jobs leave the wall time at one job; exact multiples divide it', () => {
    const counts = { stepsPerEpoch: 10, epochs: 3, evaluationImages: 200, gapImages: 0, evalBatch: 100, jobs: 16 };
    const p = projectCost(counts, { trainStepMs: 5, evalBatchMs: 20 }, [1, 4, 16, 17, 1000]);
    // job: 3 × 10 × 5 ms + 2 batches × 20 ms = 190 ms
    expect(p.jobMs).toBe(190);
    expect(p.wall.map((w) => [w.workers, w.rounds, w.wallMs])).toEqual([
      [1, 16, 3040],
      [4, 4, 760],
      [16, 1, 190],
      [16, 1, 190],
      [16, 1, 190],
    ]);
  });

  it('a bad time, core count or job count is an error naming the field', () => {
    const times = { trainStepMs: 1, evalBatchMs: 1 };
    expect(() => projectCost(CIFAR_LIKE, { ...times, trainStepMs: 0 })).toThrow(
      'trainStepMs: 0 is not valid; allowed: a time in ms above 0',
    );
    expect(() => projectCost(CIFAR_LIKE, { ...times, evalBatchMs: Number.NaN })).toThrow(/^evalBatchMs: NaN/);
    expect(() => projectCost(CIFAR_LIKE, times, [8, 0])).toThrow(
      'cores: 0 is not valid; allowed: integers of 1 or more',
    );
    expect(() => projectCost({ ...CIFAR_LIKE, jobs: 0 }, times)).toThrow('jobs: 0 is not valid');
  });
});

describe('presetCounts', () => {
  it('cifar10: 50,000 images, 390 steps, 200 epochs, 10,000 × 76 evaluated images, 7 methods × 5 seeds', () => {
    expect(presetCounts(loadPreset('cifar10'))).toEqual({
      preset: 'cifar10',
      dataset: 'cifar10',
      arch: 'preact-resnet18',
      width: 1,
      inputShape: [32, 32, 3],
      numClasses: 10,
      optimizer: 'sgd',
      batchSize: 128,
      trainImages: 50_000,
      stepsPerEpoch: 390, // 50,000 / 128 = 390.6: the partial batch is dropped
      epochs: 200,
      evaluatedImages: 10_000,
      suites: [{ suite: 'cifar10-c-15', corruptions: 15, severities: 5 }],
      evaluationSets: 76, // clean + 15 corruptions × 5 severities
      evaluationImages: 760_000,
      gapImages: 4_000, // 1,000 clean + 1,000 mixed at each of λ 0.25, 0.5, 0.75
      evalBatch: 500,
      methods: 7,
      seeds: 5,
      jobs: 35,
      shards: 1,
    });
  });

  it('cifar100 has 100 classes and the same counts; validation images leave the training split', () => {
    expect(presetCounts(loadPreset('cifar100'))).toMatchObject({ numClasses: 100, jobs: 35, evaluationSets: 76 });
    // quick: mnist-mini's 7,000 training images less 1,000 validation images; 6 methods (an A/A row among them)
    // × 3 seeds; clean + MNIST-C's 15 corruptions at its one level
    expect(presetCounts(loadPreset('quick'))).toMatchObject({
      inputShape: [28, 28, 1],
      trainImages: 6000,
      stepsPerEpoch: 46,
      evaluationSets: 16,
      evaluationImages: 24_000,
      gapImages: 1024,
      jobs: 18,
    });
    // smoke: trainImages 2,048 of batch 64; both suites; 100 images, so one eval batch of 100
    expect(presetCounts(loadPreset('smoke'))).toMatchObject({
      trainImages: 2048,
      stepsPerEpoch: 32,
      evaluationSets: 91,
      evaluationImages: 9100,
      evalBatch: 100,
      gapImages: 256,
      jobs: 2,
    });
    // sem-ablation's sweeps expand: erm, mixup, mixup+sem, 2 + 2 + 1 + 1 swept points = 9 methods × 5 seeds
    expect(presetCounts(loadPreset('sem-ablation'))).toMatchObject({ methods: 9, seeds: 5, jobs: 45 });
  });

  it('suites and data sets as published: CIFAR-10-C 15 × 5, MNIST-C 15 × 1, CIFAR-10 50,000 + 10,000', () => {
    expect(SUITE_SETS).toEqual({
      'cifar10-c-15': { corruptions: 15, severities: 5 },
      'mnist-c': { corruptions: 15, severities: 1 },
    });
    expect(datasetFacts('cifar10')).toEqual({ train: 50_000, test: 10_000, numClasses: 10, inputShape: [32, 32, 3] });
    expect(datasetFacts('mnist-mini')).toMatchObject({ train: 7000, test: 1500 });
    expect(() => datasetFacts('cifar10-c')).toThrow(/dataset: 'cifar10-c' is not a data set to train on; allowed: /);
  });
});

describe('the text', () => {
  it('human units from ms to days', () => {
    expect(humanDuration(250)).toBe('250 ms');
    expect(humanDuration(90_000)).toBe('90.0 s');
    expect(humanDuration(45 * 60_000)).toBe('45.0 min');
    expect(humanDuration(43.75 * 3_600_000)).toBe('43.8 h');
    expect(humanDuration(100 * 86_400_000)).toBe('100.0 days');
  });

  it('states the measured figures, the counts, the rule and each core count', () => {
    const counts = presetCounts(loadPreset('cifar10'));
    const times = { trainStepMs: 2000, evalBatchMs: 1000 };
    const lines = presetCostLines(
      counts,
      times,
      { backend: 'wasm', threads: 1, trainNote: 'one warm call', evalNote: 'median of 5 warm calls' },
      projectCost(counts, times),
    ).join('\n');
    expect(lines).toContain(
      'cifar10: preact-resnet18 on 32×32×3 (cifar10, 10 classes), batch 128, sgd; timed on wasm, 1 thread',
    );
    expect(lines).toContain('train step (plain cross-entropy): 2000.0 ms (one warm call)');
    expect(lines).toContain('eval batch of 500 images: 1000.0 ms (median of 5 warm calls)');
    expect(lines).toContain(
      'epoch: 390 steps (50,000 training images ÷ batch 128, the partial last batch dropped) = 13.0 min',
    );
    expect(lines).toContain(
      '760,000 images (10,000 × (1 clean + 15 × 5 of cifar10-c-15)) + 4,000 for the equivariance gap',
    );
    expect(lines).toContain('job: 200 epochs 43.3 h + evaluation 25.5 min = 43.8 h');
    expect(lines).toContain('grid: 7 methods × 5 seeds = 35 jobs = 1,532 core-hours (63.8 days of one core)');
    expect(lines).toContain(
      'workers = min(cores, jobs), each a one-thread job; wall = ceil(jobs / workers) × job time',
    );
    expect(lines).toContain('1 core: 1 worker × 35 jobs each = 63.8 days');
    expect(lines).toContain('8 cores: 8 workers × 5 jobs each = 9.1 days');
    expect(lines).toContain('64 cores: 35 workers × 1 job each = 43.8 h (29 cores idle)');
    // A small grid: singulars, and core-hours that round to 0 as a whole number
    const smoke = presetCounts(loadPreset('smoke'));
    const fast = { trainStepMs: 50, evalBatchMs: 10 };
    const small = presetCostLines(
      smoke,
      fast,
      { backend: 'wasm', threads: 1, trainNote: '', evalNote: '' },
      projectCost(smoke, fast),
    ).join('\n');
    // 32 × 50 ms = 1.6 s; 9,356 images / 100 × 10 ms = 935.6 ms; 2 jobs × 2,535.6 ms = 0.0014 core-hours
    expect(small).toContain('epoch: 32 steps (2,048 training images ÷ batch 64) = 1.6 s'); // no partial batch
    expect(small).toContain('job: 1 epoch 1.6 s + evaluation 936 ms = 2.5 s');
    expect(small).toContain('grid: 2 methods × 1 seed = 2 jobs = 0.0014 core-hours (5.1 s of one core)');
    expect(small).toContain('1 core: 1 worker × 2 jobs each = 5.1 s');
    expect(COST_NOTES.join(' ')).toMatch(/mixing policies and SEM add the shares .* "vs train step"/);
    expect(COST_NOTES.join(' ')).toMatch(/More cores than jobs do not shorten the wall time/);
  });
});
