export { resolveMixOptions } from './common';
export {
  BASE_METHODS,
  DEFAULT_FMIX_DECAY_POWER,
  DEFAULT_MANIFOLD_LAYERS,
  DEFAULT_MIX_OPTIONS,
  DEFAULT_RESIZEMIX_SCALE,
  DEFAULT_SALIENCY_DETECTOR,
  DEFAULT_SEM_OPTIONS,
  METHOD_DEFAULTS,
  METHOD_NAMES,
  type MethodName,
} from './constants';
export { type Box, cutmix, cutmixBox } from './cutmix';
export { fineGrainedSaliency } from './fine_grained_saliency';
export { fmix, fmixMask } from './fmix';
export { manifoldMixup } from './manifold';
export { createMethod, describeMethod, type MethodOptions, methodSpec } from './methods';
export { mixup } from './mixup';
export { resizemix } from './resizemix';
export { saliencymix, spectralResidualSaliency } from './saliencymix';
export {
  type EquivarianceGap,
  equivarianceGaps,
  GAP_LAMS,
  type GapPairing,
  gapPairings,
  mixedRepresentation,
  resolveSemOptions,
  semLoss,
  stopGradient,
} from './sem';
export {
  defaultLabel,
  type MethodConfig,
  MethodConfigError,
  MIX_KEYS,
  methodOptions,
  methodOverrides,
  type ResolvedMethod,
  resolveMethod,
  withOption,
} from './spec';
export { checkLabels, mixTargets, smoothOneHot, softCrossEntropy } from './targets';
export type {
  Distance,
  MethodMixOptions,
  MixMode,
  MixOptions,
  MixResult,
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
  validateMixOptions,
  validateSemOptions,
} from './validate';
