import type * as tf from '@tensorflow/tfjs-core';
import { checkImages, pair, resolveMixOptions, result } from './common';
import { interpolate } from './interpolate';
import { sampleLam } from './lam';
import type { MixOptions, MixResult, RandomSource } from './types';

/** mixup (Zhang et al. 2018): x̃ = λxᵢ + (1 − λ)xⱼ, ỹ = λyᵢ + (1 − λ)yⱼ, λ ~ Beta(α, α). */
export function mixup(
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  options: Partial<MixOptions> & Pick<MixOptions, 'numClasses'>,
  rng: RandomSource,
): MixResult {
  const o = resolveMixOptions(options);
  checkImages(x);
  const index = pair(x, labels, o, rng);
  const lam = sampleLam(x.shape[0], index, o, rng);
  return result(interpolate(x, lam, index), labels, lam, index, o);
}
