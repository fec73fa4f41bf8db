export { ADAM_UPDATE } from './AdamUpdate';
export { CHANNEL_AFFINE } from './ChannelAffine';
export { CHANNEL_DOT } from './ChannelDot';
export { registerAll, WASM_KERNEL_PACK } from './register_all_kernels';
