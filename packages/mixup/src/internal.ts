// `@semix/mixup/internal`: the policies' building blocks, for semix's own packages and tests; not an API to build
// on (may change in any release).

export {
  type AugMixRecipe,
  type AugMixStep,
  applyChain,
  augmixComponentWeights,
  resolveAugMixOptions,
  sampleAugMixRecipe,
  sampleDirichlet,
} from './augmix';
export {
  affine,
  autocontrast,
  brightness,
  color,
  contrast,
  equalize,
  type Image8,
  posterize,
  rotate,
  sharpness,
  shearX,
  shearY,
  solarize,
  translateX,
  translateY,
} from './augmix_ops';
export { checkImages, pasteWithMask, resolveMixOptions } from './common';
export { augmixStep, type ControlStep, noiseStep } from './controls';
export { cutmixBox } from './cutmix';
export { dft2 } from './dft';
export { fmixMask, inverseDftReal } from './fmix';
export { interpolate } from './interpolate';
export { pairIndices, sampleLam } from './lam';
export { resolveMixupCutmixOptions } from './mixup_cutmix';
export { resolveGaussianNoiseOptions } from './noise';
export { bytesToInput, fromUnit, toBytes, toUnit } from './pixels';
export { combineRepresentations, mixedRepresentation, resolveSemOptions, stopGradient } from './sem';
export { defaultLabel, type LegacyResolvedMethod, methodOverrides } from './spec';
export { checkLabels } from './targets';
export { validateMixOptions, validateMixupCutmixOptions, validateSemOptions } from './validate';
