/**
 * The positive controls' training steps: AugMix with its Jensen–Shannon consistency loss (and SEM on AugMix), and
 * Gaussian-noise augmentation. Each is (batch context, options) → named loss parts, as `@semix/core`'s trainer
 * sums them.
 */
import type { MethodContext } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { augmixComponentWeights, augmixViews } from './augmix';
import { jensenShannon } from './jsd';
import { gaussianNoise } from './noise';
import type { Normalization } from './pixels';
import { semLossCombined, untaped } from './sem';
import { smoothOneHot, softCrossEntropy } from './targets';
import type { AugMixLossOptions, AugMixOptions, GaussianNoiseOptions, SemOptions } from './types';

/** What an AugMix step needs: the augmentation's options, the loss's, label smoothing, the normalisation. */
export interface AugMixStepOptions {
  augmix: AugMixOptions;
  loss: AugMixLossOptions;
  labelSmoothing: number;
  /** The batch's input normalisation (null: the batch is pixels in [0, 1]). */
  normalization: Normalization | null;
}

/** A step's loss parts and, for AugMix, its SEM term on demand (only `augmix+sem` pays for the target's pass). */
export interface ControlStep {
  parts: Record<string, tf.Scalar>;
  semTerm?: (sem: SemOptions) => tf.Scalar;
}

/**
 * One AugMix step, as google-research/augmix's cifar.py `train`: the clean batch and two AugMix views of it go
 * through the model in one concatenated forward pass ([x; x_augmix¹; x_augmix²], 3B images, so batch norm's batch
 * statistics are the concatenation's, as in the reference), then
 *
 *   ce  = CE(logits_clean, y),   jsd = λ · JS(p_clean, p_augmix¹, p_augmix²).
 *
 * `semTerm` gives SEM on AugMix (`augmix+sem`): each view's representation is pulled towards the mix of representations its input is
 * a mix of: x_augmix = (1 − m)·x + m·Σₖ wₖ·chainₖ(x), so the target is (1 − m)·f(x) + m·Σₖ wₖ·f(chainₖ(x)); the
 * term is the mean of the two views' `semLossCombined`. The target's representations come from one more forward
 * pass in training mode over [x; the chains of both views] ((1 + 2·width)·B images), off the gradient tape when
 * `stopGradTarget` (so, as for the other policies' clean pass, only batch-norm running statistics see it).
 */
export function augmixStep(ctx: MethodContext, o: AugMixStepOptions): ControlStep {
  const { model, x, labels, numClasses, rng } = ctx;
  const targets = smoothOneHot(labels, numClasses, o.labelSmoothing);
  const views = o.loss.jsd ? 2 : 1;
  const augmented = augmixViews(x, rng, views, o.augmix, o.normalization);
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
  const semTerm = (sem: SemOptions): tf.Scalar => {
    const [, h, w, c] = x.shape;
    const chains = augmented.flatMap((a) => a.chains.map((pixels) => tf.tensor4d(pixels, [n, h, w, c])));
    const pass = (input: tf.Tensor) => model.features(input, true);
    const all = tf.concat([x, ...chains]);
    const targetFeatures = sem.stopGradTarget ? untaped(all, pass) : pass(all);
    const [cleanF, ...chainF] = tf.split(targetFeatures, 1 + chains.length) as tf.Tensor2D[];
    const width = o.augmix.width;
    const terms = augmented.map((a, v) =>
      semLossCombined(
        viewFeatures[v],
        [cleanF, ...chainF.slice(v * width, (v + 1) * width)],
        augmixComponentWeights(a.recipes),
        sem,
      ),
    );
    return tf.div(tf.addN(terms), terms.length) as tf.Scalar;
  };
  return { parts, semTerm };
}

/** What a Gaussian-noise step needs. */
export interface NoiseStepOptions {
  noise: GaussianNoiseOptions;
  labelSmoothing: number;
  normalization: Normalization | null;
}

/** One Gaussian-noise step: CE on the batch with noise on its last images (Rusak et al.'s Gauss_single). */
export function noiseStep(ctx: MethodContext, o: NoiseStepOptions): ControlStep {
  const { model, x, labels, numClasses, rng } = ctx;
  const { noisy } = gaussianNoise(x, rng, o.noise, o.normalization);
  const targets = smoothOneHot(labels, numClasses, o.labelSmoothing);
  return { parts: { ce: softCrossEntropy(model.logits(noisy, true), targets) } };
}
