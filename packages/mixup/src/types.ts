import type * as tf from '@tensorflow/tfjs-core';

/**
 * The seeded random numbers a policy draws: the few methods used, so that any generator serves (`Rng` from
 * `@semix/core` is one). Same seed, same draws → same mixing.
 */
export interface RandomSource {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Standard normal. */
  normal(): number;
  /** Beta(a, b). */
  beta(a: number, b: number): number;
  /** A uniformly random permutation of 0 … n − 1. */
  permutation(n: number): Int32Array;
}

/** One λ per batch, per mirrored pair, or per sample (timm's `mode`). */
export type MixMode = 'batch' | 'pair' | 'elem';

/** How sample i finds its partner j: timm reverses the batch; OpenMixup draws a seeded permutation. */
export type Pairing = 'reverse' | 'permutation';

/** Options shared by every mixing policy; modelled on timm's `Mixup`. */
export interface MixOptions {
  /** λ ~ Beta(α, α). */
  alpha: number;
  /** Chance that a batch (or pair, or sample) is mixed at all; otherwise λ = 1. */
  prob: number;
  mode: MixMode;
  pairing: Pairing;
  numClasses: number;
  /** ε: one-hot targets become ε/K off the true class and 1 − ε + ε/K on it, before mixing. */
  labelSmoothing: number;
  /** CutMix: λ is corrected to the clipped box's area. */
  correctLam: boolean;
  /**
   * CutMix: when set, the box's sides are whole pixels drawn as timm's rand_bbox_minmax draws them (from
   * [⌊H·min⌋, ⌊H·max⌋), the box wholly inside the image) instead of from λ, and λ is the box's area.
   */
  cutmixMinMax: [number, number] | null;
}

/** What every policy returns: everything a loss needs. The caller disposes `mixed` and `targets`. */
export interface MixResult {
  /** The mixed input (or, for Manifold Mixup, the mixed hidden state at `layer`). */
  mixed: tf.Tensor;
  /** Soft targets λ·yᵢ + (1 − λ)·yⱼ (after label smoothing), [batch, numClasses]. */
  targets: tf.Tensor2D;
  /** Per-sample λ: the weight of sample i itself (for box and mask policies, the area it keeps). */
  lam: Float32Array;
  /** Pairing: sample i is mixed with sample index[i]. */
  index: Int32Array;
  /** The mixable layer the mix happened at (0 = input). */
  layer: number;
}

export type Distance = 'mse' | 'cosine' | 'l1' | 'infonce';

/**
 * SaliencyMix's saliency map: OpenCV's fine-grained static saliency (Montabone & Soto 2010), which the reference
 * code uses, or the spectral residual (Hou & Zhang 2007).
 */
export type SaliencyDetector = 'fine-grained' | 'spectral-residual';

/** Options of the SEM representation loss. */
export interface SemOptions {
  distance: Distance;
  /** β: the weight of L_sem added to the variant's own loss. */
  weight: number;
  /** Treat the target λ·f(xᵢ) + (1 − λ)·f(xⱼ) as a constant (no gradient through the clean branch). */
  stopGradTarget: boolean;
  /** L2-normalise representations before the distance. */
  normalize: boolean;
  /** τ for `infonce`. */
  temperature: number;
}

/**
 * timm's combined policy (`Mixup(mixup_alpha, cutmix_alpha, switch_prob, …)`): each λ draw (per batch, pair or
 * sample, as `mode` says) is CutMix's with probability `switchProb`, mixup's otherwise. `alpha` is mixup's α.
 */
export interface MixupCutmixOptions extends MixOptions {
  /** CutMix's α: λ ~ Beta(cutmixAlpha, cutmixAlpha) for the draws that paste a box. */
  cutmixAlpha: number;
  /** The chance that a draw is CutMix's rather than mixup's (timm's `switch_prob`). */
  switchProb: number;
}

/** AugMix's operations, by the names of google-research/augmix's augmentations.py. */
export type AugMixOp =
  | 'autocontrast'
  | 'equalize'
  | 'posterize'
  | 'rotate'
  | 'solarize'
  | 'shear_x'
  | 'shear_y'
  | 'translate_x'
  | 'translate_y'
  | 'color'
  | 'contrast'
  | 'brightness'
  | 'sharpness';

/** AugMix's augmentation (Hendrycks et al. 2020), by the reference's (cifar.py) and timm's names. */
export interface AugMixOptions {
  /** k: chains mixed per image (the reference's --mixture-width). */
  width: number;
  /** Operations per chain; −1 draws it uniformly from {1, 2, 3} for each chain (the reference's --mixture-depth). */
  depth: number;
  /** Operation strength, 1–10: each level is drawn from U(0.1, severity) (the reference's --aug-severity). */
  severity: number;
  /** α of the Dirichlet chain weights and of the Beta skip weight (the reference fixes 1; timm's `alpha`). */
  alpha: number;
  /** The operations chains draw from, uniformly. */
  ops: readonly AugMixOp[];
}

/** AugMix's loss beside its augmentation. */
export interface AugMixLossOptions {
  /**
   * Train on the clean batch and two AugMix views, CE on the clean one + λ·JS (the paper's default); false is the
   * reference's --no-jsd: CE on one AugMix view.
   */
  jsd: boolean;
  /** λ, the weight of the Jensen–Shannon term. */
  jsdWeight: number;
}

/** Gaussian-noise augmentation (Rusak et al. 2020). */
export interface GaussianNoiseOptions {
  /** σ of the noise on the [0, 1] pixel scale. */
  sigma: number;
  /** The fraction of each batch that gets noise (their 1 − p_clean). */
  prob: number;
}

/**
 * The mixing options a method takes: timm's names, plus FMix's decay power, ResizeMix's scale, SaliencyMix's map,
 * AugMix's augmentation and loss, and the Gaussian noise's σ.
 */
export interface MethodMixOptions
  extends Omit<MixupCutmixOptions, 'numClasses'>,
    Omit<AugMixOptions, 'alpha'>,
    AugMixLossOptions,
    Omit<GaussianNoiseOptions, 'prob'> {
  /** FMix: the decay power δ of the Fourier spectrum. */
  decayPower: number;
  /** ResizeMix: the pasted image's side as a fraction of the image side, drawn from [min, max]. */
  scale: [number, number];
  /** SaliencyMix: the saliency map whose peak centres the box. */
  saliency: SaliencyDetector;
}
