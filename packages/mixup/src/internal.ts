// `@semix/mixup/internal`: the policies' building blocks, for semix's own packages and tests; not an API to build
// on (may change in any release).

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
export { checkImages, pasteWithMask } from './common';
export { augmixStep, type ControlStep, noiseStep } from './controls';
export { dft2 } from './dft';
export { inverseDftReal } from './fmix';
export { interpolate } from './interpolate';
export { pairIndices, sampleLam } from './lam';
export { bytesToInput, fromUnit, toBytes, toUnit } from './pixels';
