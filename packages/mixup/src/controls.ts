/**
 * The positive controls' training steps: AugMix with its Jensen–Shannon consistency loss (and SEM on AugMix), and
 * Gaussian-noise augmentation. Each is (batch context, options) → named loss parts, as `@semix/core`'s trainer
 * sums them.
 */
import type { MethodContext } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { type AugMixOptions, augmix, augmixComponentWeights } from './augmix';
import { jensenShannon } from './jsd';
import { type GaussianNoiseOptions, gaussianNoise } from './noise';
import type { Normalization } from './pixels';
import { semLossCombined, untaped } from './sem';
import { smoothOneHot, softCrossEntropy } from './targets';
import type { SemOptions } from './types';

/** AugMix's loss options beside its augmentation's. */
export interface AugMixLossOptions {
  /**
   * Train on clean + two AugMix views with CE on the clean one + λ·JSD (the paper's default); false is the
   * reference's --no-jsd: CE on one AugMix view.
   */
  jsd: boolean;
  /** λ, the weight of the Jensen–Shannon term (the reference's 12). */
  jsdWeight: number;
}

export const DEFAULT_AUGMIX_LOSS_OPTIONS: AugMixLossOptions = { jsd: true, jsdWeight: 12 };

export const AUGMIX_LOSS_FIELD_CHECKS: Record<keyof AugMixLossOptions, (v: unknown) => string | null> = {
  jsd: (v) => (typeof v === 'boolean' ? null : 'true, false'),
  jsdWeight: (v) => (typeof v === 'number' && Number.isFinite(v) && v >= 0 ? null : 'a number >= 0'),
};

/** What an AugMix step needs: the augmentation's options, the loss's, label smoothing, SEM or none. */
export interface AugMixStepOptions {
  augmix: AugMixOptions;
  loss: AugMixLossOptions;
  labelSmoothing: number;
  sem: SemOptions | null;
  /** The batch's input normalisation (null: the batch is pixels in [0, 1]). */
  normalization: Normalization | null;
}

/**
 * One AugMix step, as google-research/augmix's cifar.py `train`: the clean batch and two AugMix views of it go
 * through the model in one concatenated forward pass ([x; x_augmix¹; x_augmix²], 3B images, so batch norm's batch
 * statistics are the concatenation's, as in the reference), then
 *
 *   ce  = CE(logits_clean, y),   jsd = λ · JS(p_clean, p_augmix¹, p_augmix²).
 *
 * With SEM (`augmix+sem`), each view's representation is pulled towards the mix of representations its input is
 * a mix of: x_augmix = (1 − m)·x + m·Σₖ wₖ·chainₖ(x), so the target is (1 − m)·f(x) + m·Σₖ wₖ·f(chainₖ(x)); the
 * term is the mean of the two views' `semLossCombined`. The target's representations come from one more forward
 * pass in training mode over [x; the chains of both views] ((1 + 2·width)·B images), off the gradient tape when
 * `stopGradTarget` (so, as for the other policies' clean pass, only batch-norm running statistics see it).
 */
export function augmixStep(ctx: MethodContext, o: AugMixStepOptions): Record<string, tf.Scalar> {
  const { model, x, labels, numClasses, rng } = ctx;
  const targets = smoothOneHot(labels, numClasses, o.labelSmoothing);
  const views = o.loss.jsd ? 2 : 1;
  const augmented = Array.from({ length: views }, () => augmix(x, rng, o.augmix, o.normalization));
  const inputs = o.loss.jsd ? tf.concat([x, ...augmented.map((a) => a.mixed)]) : augmented[0].mixed;
  const features = model.features(inputs, true);
  const logits = model.head(features);
  const n = x.shape[0];
  const parts: Record<string, tf.Scalar> = {};
  let viewFeatures: tf.Tensor2D[];
  if (o.loss.jsd) {
    const [clean, ...augLogits] = tf.split(logits, 3) as tf.Tensor2D[];
    parts.ce = softCrossEntropy(clean, targets);
    parts.jsd = tf.mul(jensenShannon([clean, ...augLogits]), o.loss.jsdWeight) as tf.Scalar;
    viewFeatures = (tf.split(features, 3) as tf.Tensor2D[]).slice(1);
  } else {
    parts.ce = softCrossEntropy(logits, targets);
    viewFeatures = [features];
  }
  if (o.sem) {
    const [, h, w, c] = x.shape;
    const chains = augmented.flatMap((a) => a.chains.map((pixels) => tf.tensor4d(pixels, [n, h, w, c])));
    const pass = (input: tf.Tensor) => model.features(input, true);
    const all = tf.concat([x, ...chains]);
    const targetFeatures = o.sem.stopGradTarget ? untaped(all, pass) : pass(all);
    const [cleanF, ...chainF] = tf.split(targetFeatures, 1 + chains.length) as tf.Tensor2D[];
    const width = o.augmix.width;
    const terms = augmented.map((a, v) =>
      semLossCombined(
        viewFeatures[v],
        [cleanF, ...chainF.slice(v * width, (v + 1) * width)],
        augmixComponentWeights(a.recipes),
        o.sem as SemOptions,
      ),
    );
    parts.sem = tf.div(tf.addN(terms), terms.length) as tf.Scalar;
  }
  return parts;
}

/** What a Gaussian-noise step needs. */
export interface NoiseStepOptions {
  noise: GaussianNoiseOptions;
  labelSmoothing: number;
  normalization: Normalization | null;
}

/** One Gaussian-noise step: CE on the batch with noise on its last images (Rusak et al.'s Gauss_single). */
export function noiseStep(ctx: MethodContext, o: NoiseStepOptions): Record<string, tf.Scalar> {
  const { model, x, labels, numClasses, rng } = ctx;
  const { noisy } = gaussianNoise(x, rng, o.noise, o.normalization);
  return { ce: softCrossEntropy(model.logits(noisy, true), smoothOneHot(labels, numClasses, o.labelSmoothing)) };
}
