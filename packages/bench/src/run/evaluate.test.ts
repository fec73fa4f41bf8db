import { createModel, gatherPixels, type ImageDataset, selectBackend } from '@semix/core';
import { createInferencePool } from '@semix/core/node';
import { loadMnistMini, take } from '@semix/datasets/node';
import { equivarianceGaps } from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import type { PresetData } from './data';
import { evaluateOn } from './evaluate';
import { evaluationGapPairings } from './gap';

describe('evaluateOn', () => {
  it('with an inference pool of 2 threads gives the figures of the one-thread evaluation', async () => {
    await selectBackend('wasm');
    const { train, test } = loadMnistMini();
    const clean = take(test, 120);
    // A second set standing in for a corruption: the images upside down.
    const [h, w] = clean.shape;
    const flipped = {
      ...clean,
      images: clean.images.map((_, i) => clean.images[Math.floor(i / (h * w)) * h * w + (h * w - 1 - (i % (h * w)))]),
    };
    const data = {
      train,
      test: clean,
      suites: [
        { suite: 'mnist-c', description: 'flipped', corruptions: ['flip'], severities: 1, get: async () => flipped },
      ],
      identity: { train: '', test: '', suites: [] },
    } as unknown as PresetData;
    const model = createModel({ arch: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10, seed: 1 });
    const pool = await createInferencePool(model, { threads: 2 });
    try {
      const before = tf.memory().numTensors;
      const one = await evaluateOn(model, data, 16);
      const two = await evaluateOn(model, data, 16, pool.logits);
      expect(two.clean.accuracy).toBe(one.clean.accuracy);
      expect(two.clean.nll).toBeCloseTo(one.clean.nll, 5);
      expect(two.suites['mnist-c'].corruptions_acc).toEqual(one.suites['mnist-c'].corruptions_acc);
      expect(two.gap.angular).toBeCloseTo(one.gap.angular, 6);
      expect(two.gap.relativeL2).toBeCloseTo(one.gap.relativeL2, 6);
      // The gap of the first 16 test images on their own pairs (gap.ts), whichever threads classify.
      const x = tf.tensor4d(gatherPixels(take(clean, 16) as ImageDataset, [...Array(16).keys()]), [16, 28, 28, 1]);
      const direct = equivarianceGaps(
        (t) => model.features(t, false),
        x,
        evaluationGapPairings(take(clean, 16).checksum, 16),
      );
      x.dispose();
      expect(one.gap.angular).toBeCloseTo(direct.angular, 6);
      expect(one.gap.relativeL2).toBeCloseTo(direct.relativeL2, 6);
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      await pool.dispose();
      model.dispose();
    }
  });
});
