import type { SemixModel } from '@semix/core';
import type * as tf from '@tensorflow/tfjs-core';
import { checkImages, pair, resolveMixOptions, result } from './common';
import { DEFAULT_MANIFOLD_LAYERS } from './constants';
import { interpolate } from './interpolate';
import { sampleLam } from './lam';
import type { MixOptions, MixResult, RandomSource } from './types';

/**
 * Manifold Mixup (Verma et al. 2019): a mixable layer k is drawn uniformly from `layers`, the batch is run up
 * to it, and the hidden states are mixed: h̃ = λh(xᵢ) + (1 − λ)h(xⱼ). Continue with `model.forwardFrom(k, h̃)`
 * (logits) or `model.featuresFrom(k, h̃)` (representation). Layer 0 is input mixup.
 */
export function manifoldMixup(
  model: SemixModel,
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  options: Partial<MixOptions> & Pick<MixOptions, 'numClasses'> & { layers?: number[]; training?: boolean },
  rng: RandomSource,
): MixResult {
  const o = resolveMixOptions(options);
  const layers = options.layers ?? DEFAULT_MANIFOLD_LAYERS.filter((k) => k < model.mixableLayers.length);
  const bad = layers.filter((k) => !(Number.isInteger(k) && k >= 0 && k < model.mixableLayers.length));
  if (layers.length === 0 || bad.length > 0) {
    throw new Error(
      `layers: ${JSON.stringify(layers)} is not valid for ${model.arch}; allowed: a non-empty subset of 0..${model.mixableLayers.length - 1} (${model.mixableLayers.join(', ')})`,
    );
  }
  checkImages(x);
  const layer = layers[rng.int(layers.length)];
  const index = pair(x, labels, o, rng);
  const lam = sampleLam(x.shape[0], index, o, rng);
  const hidden = model.hidden(layer, x, options.training ?? true);
  const mixed = interpolate(hidden, lam, index);
  if (hidden !== x) hidden.dispose();
  return result(mixed, labels, lam, index, o, layer);
}
