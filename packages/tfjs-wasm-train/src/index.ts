export { ADAM_UPDATE } from './AdamUpdate';
export { type KernelArithmetic, kernelArithmetic, setKernelArithmetic } from './arithmetic';
export { CHANNEL_AFFINE, type ChannelAffineAttrs } from './ChannelAffine';
export { CHANNEL_DOT } from './ChannelDot';
/** The pack's switches, one object (defaults: the fastest valid paths); the setters are deprecated wrappers of it. */
export { DEFAULT_KERNEL_FLAGS, type KernelFlags, kernelFlags, setKernelFlags } from './flags';
export { MASKED_CHANNEL_SUMS } from './MaskedChannelSums';
export { PREACT_CONV2D, type PreActConv2DAttrs } from './PreActConv2D';
export { registerAll, WASM_KERNEL_PACK } from './register_all_kernels';
export { enableRelaxedSimd, relaxedSimd, relaxedSimdSupported, setRelaxedSimd } from './wasm_asm';
export { setWinograd, setWinogradFilterTile, setWinogradTile } from './winograd';
