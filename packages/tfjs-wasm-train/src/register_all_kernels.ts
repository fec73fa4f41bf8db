import { getKernel, type KernelConfig, registerKernel, unregisterKernel } from '@tensorflow/tfjs-core';
import { adamUpdateConfig } from './AdamUpdate';
import { addConfig } from './Add';
import { batchMatMulConfig } from './BatchMatMul';
import { channelAffineConfig } from './ChannelAffine';
import { channelDotConfig } from './ChannelDot';
import { conv2DConfig } from './Conv2D';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput';
import { depthwiseConv2dNativeBackpropFilterConfig } from './DepthwiseConv2dNativeBackpropFilter';
import { depthwiseConv2dNativeBackpropInputConfig } from './DepthwiseConv2dNativeBackpropInput';
import { fusedConv2DConfig } from './FusedConv2D';
import { gatherV2Config } from './GatherV2';
import { identityConfig } from './Identity';
import { rememberOriginal } from './kernel_utils';
import { maskedChannelSumsConfig } from './MaskedChannelSums';
import { maxPoolGradConfig } from './MaxPoolGrad';
import { meanConfig } from './Mean';
import { oneHotConfig } from './OneHot';
import { preActConv2DConfig } from './PreActConv2D';
import { sumConfig } from './Sum';
import { tileConfig } from './Tile';
import { unsortedSegmentSumConfig } from './UnsortedSegmentSum';

/**
 * semix's training-complete kernel pack for `@tensorflow/tfjs-backend-wasm`: the forward kernels tfjs-core's
 * gradients call that wasm 4.22 lacks (Conv2DBackpropFilter, UnsortedSegmentSum, the depthwise gradients); faster
 * replacements for slow ones it has (Conv2DBackpropInput, MaxPoolGrad, GatherV2, Tile, Identity, which shares
 * memory instead of copying); replacements on the cases that matter for training, wrapping wasm's own kernel for
 * every other case (Conv2D and FusedConv2D without dilation, with a linear or ReLU activation; BatchMatMul with
 * transposes; Sum and Mean over leading axes; Add of a per-channel vector); a fix: OneHot with float on/off values;
 * and semix's own fused kernels: the Adam update (SemixAdamUpdate, called by its `adam` optimizer) and batch norm's
 * per-channel affine map and dot product, and batch norm + ReLU's gradient sums (SemixChannelAffine, SemixChannelDot,
 * SemixMaskedChannelSums), and the inference-mode pre-activation convolution, batch norm + ReLU + convolution
 * (SemixPreActConv2D).
 */
export const WASM_KERNEL_PACK: readonly KernelConfig[] = [
  adamUpdateConfig,
  addConfig,
  batchMatMulConfig,
  channelAffineConfig,
  channelDotConfig,
  maskedChannelSumsConfig,
  conv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  depthwiseConv2dNativeBackpropFilterConfig,
  depthwiseConv2dNativeBackpropInputConfig,
  fusedConv2DConfig,
  gatherV2Config,
  identityConfig,
  maxPoolGradConfig,
  meanConfig,
  oneHotConfig,
  preActConv2DConfig,
  sumConfig,
  tileConfig,
  unsortedSegmentSumConfig,
];

/**
 * Registers the pack for `wasm`, replacing kernels wasm already registers under the same names. Idempotent.
 * Returns the names it registered.
 */
export function registerAll(): string[] {
  const names: string[] = [];
  for (const config of WASM_KERNEL_PACK) {
    const existing = getKernel(config.kernelName, config.backendName);
    if (existing?.kernelFunc === config.kernelFunc) continue; // already registered
    if (existing != null) {
      rememberOriginal(existing);
      unregisterKernel(config.kernelName, config.backendName);
    }
    // A wrapper still calls wasm's own kernel, whose setup (binding the C function) runs when the backend
    // initialises: keep that setup on the registered replacement.
    registerKernel({ ...config, setupFunc: config.setupFunc ?? existing?.setupFunc });
    names.push(config.kernelName);
  }
  return names;
}
