// `@semix/mixup`: what users build on: methods (createMethod, resolveMethod, methodSpec; a method is a policy with
// its mix options and an optional SEM term), the policies, the mixing functions, the SEM term and the losses, their
// defaults and types. The pieces these are made of are in `@semix/mixup/internal`.
export {
  type AugMixResult,
  augmix,
} from './augmix';
export {
  AUGMIX_DEFAULT_OPS,
  AUGMIX_GEOMETRIC_OPS,
  AUGMIX_OPS,
  DEFAULT_AUGMIX_LOSS_OPTIONS,
  DEFAULT_AUGMIX_OPTIONS,
  DEFAULT_FMIX_DECAY_POWER,
  DEFAULT_GAUSSIAN_NOISE_OPTIONS,
  DEFAULT_MANIFOLD_LAYERS,
  DEFAULT_METHOD_MIX_OPTIONS,
  DEFAULT_MIX_OPTIONS,
  DEFAULT_MIXUP_CUTMIX_OPTIONS,
  DEFAULT_REGMIXUP_ETA,
  DEFAULT_RESIZEMIX_SCALE,
  DEFAULT_SALIENCY_DETECTOR,
  DEFAULT_SEM_OPTIONS,
} from './constants';
export { type Box, cutmix } from './cutmix';
export { fineGrainedSaliency } from './fine_grained_saliency';
export { fmix } from './fmix';
export { jensenShannon } from './jsd';
export { manifoldMixup } from './manifold';
export { createMethod, describeMethod, methodSpec } from './methods';
export { mixup } from './mixup';
export { mixupCutmix } from './mixup_cutmix';
export { type GaussianNoiseResult, gaussianNoise } from './noise';
export type { Normalization } from './pixels';
export {
  type MixKey,
  POLICIES,
  POLICY_NAMES,
  type Policy,
  type PolicyName,
  type PolicyOptions,
  type PolicyStep,
  policyOf,
} from './policies';
export { resizemix } from './resizemix';
export { saliencymix, spectralResidualSaliency } from './saliencymix';
export {
  type EquivarianceGap,
  equivarianceGaps,
  GAP_LAMS,
  type GapPairing,
  gapPairings,
  semLoss,
  semLossCombined,
} from './sem';
export {
  type MethodConfig,
  MethodConfigError,
  methodName,
  methodNames,
  parseMethodName,
  type ResolvedMethod,
  resolveMethod,
  withOption,
} from './spec';
export { mixTargets, smoothOneHot, softCrossEntropy } from './targets';
export type {
  AugMixLossOptions,
  AugMixOp,
  AugMixOptions,
  Distance,
  GaussianNoiseOptions,
  MethodMixOptions,
  MixMode,
  MixOptions,
  MixResult,
  MixupCutmixOptions,
  Pairing,
  RandomSource,
  SaliencyDetector,
  SemOptions,
} from './types';
export {
  DISTANCES,
  MIX_MODES,
  PAIRINGS,
  SALIENCY_DETECTORS,
} from './validate';
