// `@semix/mixup/internal`: the policies' building blocks, for semix's own packages and tests; not an API to build
// on (may change in any release).
export { checkImages, pasteWithMask } from './common';
export { dft2 } from './dft';
export { inverseDftReal } from './fmix';
export { interpolate } from './interpolate';
export { pairIndices, sampleLam } from './lam';
