import { Rng, selectBackend } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import fixture from './__fixtures__/fine_grained_saliency.json';
import { centredBox } from './cutmix';
import { describeMethod } from './methods';
import { saliencymix, to8bit } from './saliencymix';
import type { RandomSource } from './types';

beforeAll(() => selectBackend('wasm'));

const bytes = (b64: string) => new Uint8Array(Buffer.from(b64, 'base64'));
const MNIST = { mean: 0.1307, std: 0.3081 };
const CIFAR = { mean: [125.3, 123.0, 113.9].map((v) => v / 255), std: [63.0, 62.1, 66.7].map((v) => v / 255) };

type Fixture = (typeof fixture.images)[number];

/** A fixture image as our batches hold it: x / 255 normalised by one mean and std for every channel, float32. */
function normalised(r: Fixture, mean = MNIST.mean, std = MNIST.std): Float32Array {
  return Float32Array.from(bytes(r.pixels), (v) => (v / 255 - mean) / std);
}

/** The same with CIFAR-10's per-channel mean and std. */
function cifarNormalised(r: Fixture): Float32Array {
  return Float32Array.from(bytes(r.pixels), (v, i) => (v / 255 - CIFAR.mean[i % 3]) / CIFAR.std[i % 3]);
}

/** λ fixed at `lam`, always mixed, and the partner of sample 0 is sample 1 (permutation [1, 0]). */
const fixedDraws = (lam: number): RandomSource => ({
  uniform: () => 0,
  int: () => 0,
  normal: () => 0,
  beta: () => lam,
  permutation: (n) => Int32Array.from({ length: n }, (_, i) => (i + 1) % n),
});

describe('SaliencyMix (fine-grained saliency, the default)', () => {
  const digits = fixture.images.filter((r) => r.name.startsWith('digit-'));

  it('undoes a normalisation shared by the channels, for images that span 0–255 (MNIST digits do)', () => {
    for (const r of fixture.images.filter((r) => r.name.startsWith('digit-') || r.name.startsWith('rgb-'))) {
      expect(Array.from(to8bit(normalised(r)))).toEqual(Array.from(bytes(r.pixels)));
    }
  });

  it.each(
    fixture.images.filter((r) => r.name.startsWith('digit-') || r.name.startsWith('rgb-')).map((r) => [r.name, r]),
  )("%s as the partner: the box is centred on OpenCV's saliency peak", (_, r) => {
    const { h, w, channels, argmax } = r as Fixture;
    const x = tf.tensor4d([...new Float32Array(h * w * channels), ...normalised(r as Fixture)], [2, h, w, channels]);
    const y = tf.tensor1d([0, 1], 'int32');
    const before = tf.memory().numTensors;
    const out = saliencymix(x, y, { numClasses: 2 }, fixedDraws(0.75));
    expect(out.index[0]).toBe(1);
    expect(out.boxes[0]).toEqual(centredBox(h, w, argmax[0], argmax[1], Math.floor(h * 0.5), Math.floor(w * 0.5)));
    tf.dispose([out.mixed, out.targets]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([x, y]);
  });

  it("RGB with CIFAR's per-channel normalisation: the 8-bit image comes back within a few levels", () => {
    // The stretch inverts one affine map for all channels; CIFAR's stds differ by up to 7%, so a channel's levels
    // come back scaled by up to ~7% (≤ 255 · 0.07 ≈ 18 levels, plus the shift of its mean).
    for (const r of fixture.images.filter((r) => r.channels === 3 && r.name.startsWith('rgb-'))) {
      const back = to8bit(cifarNormalised(r));
      const px = bytes(r.pixels);
      let maxDiff = 0;
      for (let i = 0; i < px.length; i++) maxDiff = Math.max(maxDiff, Math.abs(back[i] - px[i]));
      expect(maxDiff).toBeGreaterThan(0);
      expect(maxDiff).toBeLessThanOrEqual(20);
    }
  });

  it("keeps 'spectral-residual' as an option, and refuses unknown detectors and channel counts", () => {
    const r = digits[0];
    const x = tf.tensor4d([...new Float32Array(r.h * r.w), ...normalised(r)], [2, r.h, r.w, 1]);
    const y = tf.tensor1d([0, 1], 'int32');
    const sr = saliencymix(x, y, { numClasses: 2, saliency: 'spectral-residual' }, fixedDraws(0.75));
    expect(sr.boxes[0].y1 - sr.boxes[0].y0).toBe(14);
    tf.dispose([sr.mixed, sr.targets]);
    expect(() => saliencymix(x, y, { numClasses: 2, saliency: 'itti' as never }, new Rng(0))).toThrow(
      /saliency: "itti" is not valid; allowed: fine-grained, spectral-residual/,
    );
    const four = tf.zeros([2, 8, 8, 4]) as tf.Tensor4D;
    expect(() => saliencymix(four, y, { numClasses: 2 }, new Rng(0))).toThrow(/1 or 3 \(RGB\) channels, got 4/);
    tf.dispose([x, y, four]);
  });

  it('the detector is a resolved option: it enters job ids, and a non-default one the label', () => {
    expect(describeMethod('saliencymix').mix?.saliency).toBe('fine-grained');
    expect(describeMethod('saliencymix+sem').mix?.saliency).toBe('fine-grained');
    expect(describeMethod({ policy: 'saliencymix', mix: { saliency: 'spectral-residual' } }).label).toBe(
      'saliencymix spectral-residual',
    );
    expect(() => describeMethod({ policy: 'cutmix', mix: { saliency: 'fine-grained' } })).toThrow(
      /does not apply to cutmix/,
    );
  });
});
