export { ADAM_UPDATE } from './AdamUpdate';
export { type KernelArithmetic, kernelArithmetic, setKernelArithmetic } from './arithmetic';
export { CHANNEL_AFFINE, type ChannelAffineAttrs } from './ChannelAffine';
export { CHANNEL_DOT } from './ChannelDot';
export { MASKED_CHANNEL_SUMS } from './MaskedChannelSums';
export { PREACT_CONV2D, type PreActConv2DAttrs } from './PreActConv2D';
export { registerAll, WASM_KERNEL_PACK } from './register_all_kernels';
/** Switches for comparing kernel paths in one process (benchmarks, tests); both default to the fastest valid path. */
export { enableRelaxedSimd, relaxedSimd, relaxedSimdSupported, setRelaxedSimd } from './wasm_asm';
export { setWinograd, setWinogradFilterTile, setWinogradTile } from './winograd';
