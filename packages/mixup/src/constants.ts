import type { MixOptions, SaliencyDetector, SemOptions } from './types';

/** Defaults of every policy (CIFAR-scale literature values; timm's names). */
export const DEFAULT_MIX_OPTIONS: Omit<MixOptions, 'numClasses'> = {
  alpha: 1,
  prob: 1,
  mode: 'batch',
  pairing: 'permutation',
  labelSmoothing: 0,
  correctLam: true,
  cutmixMinMax: null,
};

/**
 * SEM defaults. Only the paper's abstract is public, so these are our choices: squared L2 distance between the
 * L2-normalised mixed representation and the normalised mix of representations (the plainest reading of
 * f(x̃) ≈ λf(xᵢ) + (1 − λ)f(xⱼ) that is bounded: 2 − 2·cos ∈ [0, 4]), β = 0.1, stop-gradient on the target (the
 * clean branch then needs no backward pass, and clean representations are not pulled towards mixed ones),
 * τ = 0.1 for InfoNCE. Unnormalised MSE with β = 0.1 diverged in our quick preset (the term grew from 5 to 639 in
 * two epochs as the features grew, and clean accuracy fell to 72% against 92% for plain mixup). β was 1 until the
 * `sem-ablation` grid, by the rule in the package README: β = 0.1 was the one setting whose CIFAR-style corruption
 * accuracy beat β = 1 outside noise (+0.73 pp [0.07, 1.39], 3 seeds); see LEADERBOARD.md for what it did elsewhere.
 */
export const DEFAULT_SEM_OPTIONS: SemOptions = {
  distance: 'mse',
  weight: 0.1,
  stopGradTarget: true,
  normalize: true,
  temperature: 0.1,
};

/** FMix: the spectrum's decay power δ (Harris et al. 2020 use 3). */
export const DEFAULT_FMIX_DECAY_POWER = 3;

/** ResizeMix: the pasted image's side, as a fraction of the image side (Qin et al. 2020). */
export const DEFAULT_RESIZEMIX_SCALE: [number, number] = [0.1, 0.8];

/** SaliencyMix: OpenCV's fine-grained static saliency, as the reference code (Uddin et al. 2021) calls it. */
export const DEFAULT_SALIENCY_DETECTOR: SaliencyDetector = 'fine-grained';

/** Manifold Mixup: α = 2 and mixing at the input or after the first two blocks (Verma et al. 2019). */
export const DEFAULT_MANIFOLD_LAYERS = [0, 1, 2];

export const BASE_METHODS = ['erm', 'mixup', 'cutmix', 'manifold', 'fmix', 'resizemix', 'saliencymix'] as const;
export const METHOD_NAMES = [
  'erm',
  'mixup',
  'mixup+sem',
  'cutmix',
  'cutmix+sem',
  'manifold',
  'manifold+sem',
  'fmix',
  'fmix+sem',
  'resizemix',
  'resizemix+sem',
  'saliencymix',
  'saliencymix+sem',
  'regmixup',
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

/**
 * Each method's defaults, in one table. α: Beta(α, α) for λ. SEM defaults apply to every `+sem` twin.
 *
 * | method    | policy            | α   | notes                                                    |
 * |-----------|-------------------|-----|----------------------------------------------------------|
 * | erm       | none              | –   | cross-entropy on the clean batch                         |
 * | mixup     | input mixup       | 1   | Zhang et al. 2018 (CIFAR value)                          |
 * | cutmix    | box paste         | 1   | Yun et al. 2019; λ corrected to the box area             |
 * | manifold  | hidden-state mix  | 2   | Verma et al. 2019; layers {0, 1, 2}                      |
 * | fmix      | Fourier mask      | 1   | Harris et al. 2020; decay power 3                        |
 * | resizemix | resized paste     | –   | Qin et al. 2020; side ratio τ ~ U[0.1, 0.8]             |
 * | saliencymix | salient box paste | 1 | Uddin et al. 2021; box on the partner's saliency peak   |
 * | regmixup  | clean + mixup CE  | 20  | Pinto et al. 2022; η = 1                                 |
 * | X+sem     | X + L_sem         | X's | β = 0.1, squared L2 of normalised features, stop-gradient |
 */
export const METHOD_DEFAULTS: Record<MethodName, { alpha?: number; sem: boolean }> = {
  erm: { sem: false },
  mixup: { alpha: 1, sem: false },
  'mixup+sem': { alpha: 1, sem: true },
  cutmix: { alpha: 1, sem: false },
  'cutmix+sem': { alpha: 1, sem: true },
  manifold: { alpha: 2, sem: false },
  'manifold+sem': { alpha: 2, sem: true },
  fmix: { alpha: 1, sem: false },
  'fmix+sem': { alpha: 1, sem: true },
  resizemix: { sem: false },
  'resizemix+sem': { sem: true },
  saliencymix: { alpha: 1, sem: false },
  'saliencymix+sem': { alpha: 1, sem: true },
  regmixup: { alpha: 20, sem: false },
};
