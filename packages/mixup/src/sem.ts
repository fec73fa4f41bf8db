import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_SEM_OPTIONS } from './constants';
import { interpolate } from './interpolate';
import type { RandomSource, SemOptions } from './types';
import { validateSemOptions } from './validate';

/**
 * f(input) off the gradient tape: to tf.grads a constant, as {@link stopGradient} makes a value, but the ops that
 * computed it are not recorded at all (tfjs-core records nothing inside a custom gradient's forward pass), so no
 * backward pass runs through them. With a stop-gradient SEM target, the clean batch's forward pass is not
 * differentiated (with zeros, as stopGradient alone leaves it: every layer's backward kernels). Side effects run as
 * in any forward pass (batch-norm running statistics in training mode).
 */
export function untaped<T extends tf.Tensor>(input: tf.Tensor, f: (input: tf.Tensor) => T): T {
  const run = tf.customGrad(((x: tf.Tensor) => ({
    value: f(x),
    gradFunc: () => tf.zerosLike(x),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return run(input) as T;
}

/** Identity forward, zero gradient: tfjs-core has no stop_gradient op, so it is {@link untaped}'s clone of x. */
export const stopGradient = (x: tf.Tensor): tf.Tensor => untaped(x, (t) => tf.clone(t));

/** The SEM target λᵢ·f(xᵢ) + (1 − λᵢ)·f(x_index[i]): the representations mixed like the inputs were. */
export function mixedRepresentation(features: tf.Tensor2D, lam: Float32Array, index: Int32Array): tf.Tensor2D {
  return interpolate(features, lam, index) as tf.Tensor2D;
}

export function resolveSemOptions(options: Partial<SemOptions> = {}): SemOptions {
  const o = { ...DEFAULT_SEM_OPTIONS, ...options };
  validateSemOptions(o);
  return o;
}

/**
 * Which logits count in InfoNCE's denominator, row-major [i, k] (1 = counts): every target except those built from
 * exactly the same images as row i's own (its positive). Target k is a mix of the images with weight > 0 in
 * λₖ·f(xₖ) + (1 − λₖ)·f(x_index[k]): {k} if λₖ = 1 or k is its own partner, {index[k]} if λₖ = 0, else
 * {k, index[k]}. So for a mutual pair i ↔ j the partner's target λf(xⱼ) + (1 − λ)f(xᵢ) is no negative of i's: at
 * λ = 0.5 it equals i's positive, and at any λ it is the same two images. Targets sharing one image with i's
 * (another pair that includes xᵢ) stay negatives, as do unmixed partners (λ = 1: two different images).
 */
export function infoNceDenominator(lam: Float32Array, index: Int32Array): Uint8Array {
  const n = lam.length;
  const images = (k: number): [number, number] => {
    const j = index[k];
    if (lam[k] >= 1 || j === k) return [k, k];
    if (lam[k] <= 0) return [j, j];
    return k < j ? [k, j] : [j, k];
  };
  const sets = Array.from({ length: n }, (_, k) => images(k));
  const keep = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < n; k++) {
      keep[i * n + k] = k === i || sets[k][0] !== sets[i][0] || sets[k][1] !== sets[i][1] ? 1 : 0;
    }
  }
  return keep;
}

/**
 * L_sem = β · d( f(x̃), λ·f(xᵢ) + (1 − λ)·f(xⱼ) ), mean over the batch.
 *
 * - `mse`: squared L2 distance summed over features, mean over the batch;
 * - `l1`: absolute difference summed over features, mean over the batch;
 * - `cosine`: mean of 1 − cos(f(x̃)ᵢ, targetᵢ). Not a distinct objective: for unit vectors ‖a − b‖² = 2 − 2·cos,
 *   so with `normalize` (the default) `mse` at β is `cosine` at 2β, and cosine ignores `normalize` (it is scale
 *   invariant), so every `cosine` setting is a normalised `mse` one at half the weight;
 * - `infonce`: −log of softmax(⟨f(x̃)ᵢ, targetₖ⟩ / τ) at k = i (vectors L2-normalised), the softmax over i's own
 *   target and its negatives: the batch's other targets except those mixed from the same images as i's
 *   ({@link infoNceDenominator}; a mutual partner's target at λ = 0.5 is i's positive itself).
 *
 * `mixedFeatures` is f(x̃), `cleanFeatures` f(x) for the clean batch; λ and the pairing come from the policy.
 */
export function semLoss(
  mixedFeatures: tf.Tensor2D,
  cleanFeatures: tf.Tensor2D,
  lam: Float32Array,
  index: Int32Array,
  options: Partial<SemOptions> = {},
): tf.Scalar {
  const o = resolveSemOptions(options);
  if (!tf.util.arraysEqual(mixedFeatures.shape, cleanFeatures.shape)) {
    throw new Error(
      `semLoss: mixed features [${mixedFeatures.shape}] and clean features [${cleanFeatures.shape}] differ in shape`,
    );
  }
  if (lam.length !== mixedFeatures.shape[0] || index.length !== mixedFeatures.shape[0]) {
    throw new Error(
      `semLoss: lam (${lam.length}) and index (${index.length}) must have one entry per sample (${mixedFeatures.shape[0]})`,
    );
  }
  return tf.tidy(() =>
    semDistance(mixedFeatures, mixedRepresentation(cleanFeatures, lam, index), o, () => infoNceDenominator(lam, index)),
  );
}

/**
 * Σₖ wₖ[i]·Fₖ[i]: for each sample, a weighted sum of several representations of it (per-sample weights, one
 * array per tensor). AugMix's SEM target is one: [f(x), f(chain₁(x)), …] with [1 − m, m·w₁, …].
 */
export function combineRepresentations(
  features: readonly tf.Tensor2D[],
  weights: readonly Float32Array[],
): tf.Tensor2D {
  if (features.length === 0 || features.length !== weights.length) {
    throw new Error(`combineRepresentations: ${features.length} feature tensors for ${weights.length} weight arrays`);
  }
  const [n, d] = features[0].shape;
  features.forEach((f, k) => {
    if (f.shape[0] !== n || f.shape[1] !== d || weights[k].length !== n) {
      throw new Error(
        `combineRepresentations: tensor ${k} is [${f.shape}] with ${weights[k].length} weights; tensor 0 is [${n},${d}]`,
      );
    }
  });
  return tf.tidy(() => tf.addN(features.map((f, k) => tf.mul(f, tf.tensor2d(weights[k], [n, 1])))) as tf.Tensor2D);
}

/**
 * L_sem against a target that mixes several representations of each sample: β · d( f(x̃)ᵢ, Σₖ wₖ[i]·Fₖ[i] ), with
 * {@link semLoss}'s distances. Each target is made from its own sample alone, so InfoNCE's negatives are all the
 * other rows' targets. With `stopGradTarget` no gradient reaches the components.
 */
export function semLossCombined(
  mixedFeatures: tf.Tensor2D,
  components: readonly tf.Tensor2D[],
  weights: readonly Float32Array[],
  options: Partial<SemOptions> = {},
): tf.Scalar {
  const o = resolveSemOptions(options);
  if (components.length > 0 && !tf.util.arraysEqual(mixedFeatures.shape, components[0].shape)) {
    throw new Error(
      `semLossCombined: mixed features [${mixedFeatures.shape}] and components [${components[0].shape}] differ in shape`,
    );
  }
  const n = mixedFeatures.shape[0];
  return tf.tidy(() =>
    semDistance(mixedFeatures, combineRepresentations(components, weights), o, () => new Uint8Array(n * n).fill(1)),
  );
}

/**
 * β · d(f(x̃), target), the one definition of SEM's distances (see {@link semLoss}); `denominator` gives InfoNCE's
 * mask of counted targets, row-major [i, k].
 */
function semDistance(
  mixedFeatures: tf.Tensor2D,
  target: tf.Tensor2D,
  o: SemOptions,
  denominator: () => Uint8Array,
): tf.Scalar {
  if (o.stopGradTarget) target = stopGradient(target) as tf.Tensor2D;
  let z = mixedFeatures;
  const l2 = (t: tf.Tensor2D) => tf.div(t, tf.add(tf.norm(t, 2, 1, true), 1e-12)) as tf.Tensor2D;
  if (o.normalize || o.distance === 'infonce') {
    z = l2(z);
    target = l2(target);
  }
  let d: tf.Scalar;
  switch (o.distance) {
    case 'mse':
      d = tf.mean(tf.sum(tf.squaredDifference(z, target), 1));
      break;
    case 'l1':
      d = tf.mean(tf.sum(tf.abs(tf.sub(z, target)), 1));
      break;
    case 'cosine': {
      const cos = tf.div(tf.sum(tf.mul(z, target), 1), tf.add(tf.mul(tf.norm(z, 2, 1), tf.norm(target, 2, 1)), 1e-12));
      d = tf.mean(tf.sub(1, cos));
      break;
    }
    case 'infonce': {
      const logits = tf.div(tf.matMul(z, target, false, true), o.temperature);
      const n = z.shape[0];
      const positive = tf.sum(tf.mul(tf.oneHot(tf.range(0, n, 1, 'int32'), n), logits), 1);
      // Left-out logits become −∞: no weight in the log-sum-exp and no gradient.
      const keep = tf.tensor2d(denominator(), [n, n], 'bool');
      const masked = tf.where(keep, logits, tf.fill([n, n], Number.NEGATIVE_INFINITY));
      d = tf.mean(tf.sub(tf.logSumExp(masked, 1), positive));
      break;
    }
  }
  return tf.mul(d, o.weight) as tf.Scalar;
}

/** The mixing weights the equivariance gap averages over. */
export const GAP_LAMS: readonly number[] = [0.25, 0.5, 0.75];

/** One λ and its own pairing: image i is mixed with image `index[i]`. */
export interface GapPairing {
  lam: number;
  index: Int32Array;
}

/**
 * For each λ, its own pairing of n images drawn from `rng`: a random cyclic order of the images, each paired with
 * the next (never with itself; each image a partner once). Independent orders per λ, so λ and 1 − λ do not mix the
 * same inputs (the pair (i, j) at λ is (j, i) at 1 − λ), as mirror pairs (i with n − 1 − i) did, and pairs of
 * classes meet at random rather than a fixed few.
 */
export function gapPairings(rng: RandomSource, n: number, lams: readonly number[] = GAP_LAMS): GapPairing[] {
  if (!Number.isInteger(n) || n < 2) throw new Error(`equivariance gap: needs 2 images or more to pair, got ${n}`);
  return lams.map((lam) => {
    const order = rng.permutation(n);
    const index = new Int32Array(n);
    for (let k = 0; k < n; k++) index[order[k]] = order[(k + 1) % n];
    return { lam, index };
  });
}

export interface EquivarianceGap {
  /**
   * 1 − cos(f(mix), mix(f)), mean over pairs and λ: what the default SEM loss sees (it compares L2-normalised
   * features: ‖u/‖u‖ − v/‖v‖‖² = 2 − 2·cos), blind to the norms. 0 when the directions agree; at most 2.
   */
  angular: number;
  /** ‖f(mix) − mix(f)‖ / ‖mix(f)‖, mean over pairs and λ: also counts a mismatch of norms. */
  relativeL2: number;
}

/**
 * How far `features` is from mapping a mixed input to the mixed representation (what SEM is meant to shrink):
 * f(λxᵢ + (1 − λ)xⱼ) against mix(f) = λf(xᵢ) + (1 − λ)f(xⱼ), with input mixup on the images `x`, each λ on its own
 * pairing (see {@link gapPairings}). Both measures are 0 for an exactly equivariant (linear) encoder.
 */
export function equivarianceGaps(
  features: (x: tf.Tensor4D) => tf.Tensor2D,
  x: tf.Tensor4D,
  pairings: readonly GapPairing[],
): EquivarianceGap {
  const n = x.shape[0];
  const clean = tf.tidy(() => features(x));
  let angular = 0;
  let relativeL2 = 0;
  try {
    for (const { lam, index } of pairings) {
      if (index.length !== n) throw new Error(`equivariance gap: a pairing of ${index.length} for ${n} images`);
      const sums = tf.tidy(() => {
        const partner = tf.gather(x, tf.tensor1d(index, 'int32'));
        const mixed = features(tf.add(tf.mul(x, lam), tf.mul(partner, 1 - lam)) as tf.Tensor4D);
        const target = mixedRepresentation(clean, new Float32Array(n).fill(lam), index);
        const targetNorm = tf.norm(target, 2, 1);
        const cos = tf.div(tf.sum(tf.mul(mixed, target), 1), tf.add(tf.mul(tf.norm(mixed, 2, 1), targetNorm), 1e-12));
        const relative = tf.div(tf.norm(tf.sub(mixed, target), 2, 1), tf.add(targetNorm, 1e-12));
        return tf.stack([tf.sum(tf.sub(1, cos)), tf.sum(relative)]);
      });
      const [a, r] = sums.dataSync();
      sums.dispose();
      angular += a;
      relativeL2 += r;
    }
  } finally {
    clean.dispose();
  }
  const pairs = n * pairings.length;
  return { angular: angular / pairs, relativeL2: relativeL2 / pairs };
}
