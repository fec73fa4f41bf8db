// The worker's session (demo.ts) in Node, on wasm with the kernel pack as in the page: what the browser test
// cannot see closely. Few steps, few images.
import { createModel, evaluate, selectBackend } from '@semix/core';
import type { DatasetSplits } from '@semix/datasets';
import { loadMnistMini } from '@semix/datasets/node';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  correctness,
  corruptionAccuracy,
  DEMO_CORRUPTIONS,
  DemoStopped,
  demoCorruptions,
  head,
  meanOf,
  mixedExamples,
  trainDemo,
} from './demo';

let splits: DatasetSplits;
beforeAll(async () => {
  await selectBackend('wasm', { log: () => {} });
  splits = loadMnistMini();
});

describe('the demo session', () => {
  it("correctness: per image, with @semix/core's evaluate accuracy as its mean; leak-free", () => {
    const model = createModel({ arch: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10, seed: 3 });
    const data = head(splits.test, 300);
    const before = tf.memory().numTensors;
    // Batches of 128 leave a short last one: the split must not matter.
    const correct = correctness(model, data, 128);
    expect(tf.memory().numTensors).toBe(before);
    expect(correct.length).toBe(300);
    expect(correct.every((v) => v === 0 || v === 1)).toBe(true);
    expect(meanOf(correct)).toBeCloseTo(evaluate(model, data).accuracy, 12);
    model.dispose();
  });

  it('a stop between two steps ends training there: no step, accuracy or gap after it; every tensor freed', async () => {
    const before = tf.memory().numTensors;
    const controller = new AbortController();
    const steps: number[] = [];
    const probes: number[] = [];
    const run = await trainDemo(
      splits,
      { method: 'mixup', sem: true, steps: 50, evalEvery: 2, gapEvery: 2, evalSize: 50 },
      {
        signal: controller.signal,
        onStep: (log) => {
          steps.push(log.step);
          if (log.step === 3) controller.abort();
        },
        onAccuracy: (p) => probes.push(p.step),
      },
    );
    run.model.dispose();
    expect(run.stopped).toBe(true);
    expect(steps).toEqual([1, 2, 3]);
    expect(probes).toEqual([0, 2]);
    expect(run.gap.map((p) => p.step)).toEqual([0, 2]);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('a run to its end: per-image correctness of the last point, the same numbers for the same seed', async () => {
    const options = {
      method: 'cutmix',
      sem: true,
      beta: 1,
      steps: 4,
      evalEvery: 2,
      gapEvery: 4,
      evalSize: 60,
    } as const;
    const a = await trainDemo(splits, options);
    const b = await trainDemo(splits, options);
    a.model.dispose();
    b.model.dispose();
    expect(a.stopped).toBe(false);
    expect(a.accuracy.map((p) => p.step)).toEqual([0, 2, 4]);
    expect(a.correct.length).toBe(60);
    expect(meanOf(a.correct)).toBe(a.accuracy.at(-1)!.value);
    expect(a.log.every((l) => l.losses.sem !== undefined && l.losses.ce !== undefined)).toBe(true);
    expect(b.log.map((l) => l.losses)).toEqual(a.log.map((l) => l.losses));
    expect(b.gap).toEqual(a.gap);
  });

  it('corruptions: every CIFAR-style severity and the MNIST-C level, per image; a stop is read between two', async () => {
    const data = head(splits.test, 40);
    const sets = await demoCorruptions(data);
    expect(sets.length).toBe(DEMO_CORRUPTIONS['cifar10-c'].length * 5 + DEMO_CORRUPTIONS['mnist-c'].length);
    expect(sets.every((s) => s.images.length === data.images.length)).toBe(true);
    const model = createModel({ arch: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
    const controller = new AbortController();
    const seen: string[] = [];
    await expect(
      corruptionAccuracy(model, data, sets, {
        signal: controller.signal,
        onResult: (r) => {
          seen.push(`${r.corruption}-${r.severity}`);
          expect(r.accuracy).toBe(evaluate(model, { ...data, images: sets[seen.length - 1].images }).accuracy);
          if (seen.length === 2) controller.abort();
        },
      }),
    ).rejects.toBeInstanceOf(DemoStopped);
    expect(seen).toEqual(['gaussian_noise-1', 'gaussian_noise-2']);
    const aborted = new AbortController();
    aborted.abort();
    await expect(demoCorruptions(data, aborted.signal)).rejects.toBeInstanceOf(DemoStopped);
    model.dispose();
  });

  it('mixed images: each its own λ, the mix of its two sources as the policy makes it; the same for the same seed', () => {
    const before = tf.memory().numTensors;
    const mixup = mixedExamples(splits.train, 'mixup', 6, 1);
    expect(tf.memory().numTensors).toBe(before);
    expect(new Set(mixup.map((e) => e.lam)).size).toBe(6);
    for (const e of mixup) {
      // x̃ = λ·x₁ + (1 − λ)·x₂, pixel by pixel, from the two sources shown beside it.
      for (let p = 0; p < 784; p += 7)
        expect(e.pixels[p]).toBeCloseTo(e.lam * e.first[p] + (1 - e.lam) * e.second[p], 4);
    }
    expect(mixedExamples(splits.train, 'mixup', 6, 1)).toEqual(mixup);
    expect(mixedExamples(splits.train, 'mixup', 6, 2)[0].lam).not.toBe(mixup[0].lam);

    for (const e of mixedExamples(splits.train, 'cutmix', 6, 1)) {
      // A box of the second pasted into the first: every pixel is one of theirs, and the second's box covers
      // 1 − λ of the image, so at most that many pixels differ from the first.
      let fromSecond = 0;
      for (let p = 0; p < 784; p++) {
        const first = Math.abs(e.pixels[p] - e.first[p]) < 1e-5;
        expect(first || Math.abs(e.pixels[p] - e.second[p]) < 1e-5).toBe(true);
        if (!first) fromSecond += 1;
      }
      expect(fromSecond).toBeLessThanOrEqual(Math.round((1 - e.lam) * 784));
    }
    for (const e of mixedExamples(splits.train, 'erm', 3, 1)) {
      expect(e.lam).toBe(1);
      expect(e.pixels).toEqual(e.first);
    }
  });
});
