import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_GAUSSIAN_NOISE_OPTIONS } from './constants';
import { fromUnit, type Normalization, readPixels } from './pixels';
import type { GaussianNoiseOptions, RandomSource } from './types';
import { validateFields } from './validate';

/**
 * Gaussian-noise augmentation (Rusak et al., ECCV 2020, "A simple way to make neural networks robust against
 * diverse image corruptions"), as their code's `Gauss_single` mode (bethgelab/game-of-noise, utils.py
 * `generate_noisy_data`) does it: of a batch of B images, the first round(B·(1 − prob)) stay clean and the rest
 * become clip(x + N(0, σ²), 0, 1), the noise drawn per pixel and channel on the [0, 1] pixel scale; the model is
 * trained with cross-entropy on the whole batch. Defaults: `DEFAULT_GAUSSIAN_NOISE_OPTIONS`.
 */

/** Merges options over `DEFAULT_GAUSSIAN_NOISE_OPTIONS` and validates them (errors name the field). */
export function resolveGaussianNoiseOptions(options: Partial<GaussianNoiseOptions> = {}): GaussianNoiseOptions {
  const o = { ...DEFAULT_GAUSSIAN_NOISE_OPTIONS, ...options };
  validateFields(o, ['sigma', 'prob']);
  return o;
}

/** Python's round (and numpy's): halves go to the even integer. */
const roundHalfEven = (v: number): number => {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
};

export interface GaussianNoiseResult {
  /** The batch with noise on its last images, [batch, H, W, C], on the input's scale. The caller disposes it. */
  noisy: tf.Tensor4D;
  /** 1 for each image that got noise. */
  noised: Uint8Array;
}

/**
 * Gaussian noise on all but the first round(B·(1 − prob)) images of `x` (Python's round, halves to even), on the
 * pixels x·std + mean when `normalization` is given (the trainer's normalised batch), on x otherwise. The noise is
 * drawn from `rng` image by image, pixel by pixel.
 */
export function gaussianNoise(
  x: tf.Tensor4D,
  rng: RandomSource,
  options: Partial<GaussianNoiseOptions> = {},
  normalization: Normalization | null = null,
): GaussianNoiseResult {
  const o = resolveGaussianNoiseOptions(options);
  const { shape, per, input, unit: values } = readPixels(x, normalization);
  const [n, , , c] = shape;
  const clean = roundHalfEven(n * (1 - o.prob));
  const noised = new Uint8Array(n);
  for (let i = clean; i < n; i++) {
    noised[i] = 1;
    for (let p = i * per; p < (i + 1) * per; p++) {
      const v = values[p] + o.sigma * rng.normal();
      values[p] = v < 0 ? 0 : v > 1 ? 1 : v;
    }
  }
  // The clean images are x itself: the round trip through the pixel scale would move them by float32 rounding.
  const out = fromUnit(values, c, normalization, clean * per);
  out.set(input.subarray(0, clean * per));
  return { noisy: tf.tensor4d(out, shape), noised };
}
