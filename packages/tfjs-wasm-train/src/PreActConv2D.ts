import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { FusedConv2DAttrs, KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { CHANNEL_AFFINE } from './ChannelAffine';
import { convolutionInfo, simdConvolution } from './Conv2D';
import { BACKEND_NAME, callKernel, expectFloat32, release } from './kernel_utils';

/** semix's pre-activation convolution (not a tfjs kernel: the inference pass of semix's pre-activation ResNet calls it). */
export const PREACT_CONV2D = 'SemixPreActConv2D';

/** Attributes of {@link PREACT_CONV2D}: FusedConv2D's geometry and activation (linear or relu). */
export type PreActConv2DAttrs = Pick<
  FusedConv2DAttrs,
  'strides' | 'pad' | 'dataFormat' | 'dilations' | 'dimRoundingMode' | 'activation'
>;

/**
 * y = act(conv(relu(x·scale + shift), filter) + bias): a pre-activation block's batch norm + ReLU (in inference, folded
 * into one scale and shift per input channel) and the convolution after it, in one kernel. The map is applied as each
 * image is copied into the convolution's zero-padded grid (the padding is of the activated values, zeros), so the
 * activated copy of x is never written. The same values as SemixChannelAffine (relu) then FusedConv2D, bit for bit
 * (tested); where the SIMD path does not apply (input channels not in fours, dilation, NCHW, no SIMD) it is those two
 * kernels. No gradient: for inference (semix's models call it outside a tape).
 */
export function preActConv2D(args: {
  inputs: { x: TensorInfo; scale: TensorInfo; shift: TensorInfo; filter: TensorInfo; bias?: TensorInfo };
  backend: BackendWasm;
  attrs: PreActConv2DAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, scale, shift, filter, bias } = inputs;
  const activation = attrs.activation ?? 'linear';
  const ci = x.shape[3];
  const co = filter.shape[3];
  const expect = (name: string, t: TensorInfo, shape: number[]) => expectFloat32(PREACT_CONV2D, name, t, shape);
  if (x.shape.length !== 4 || x.dtype !== 'float32') {
    throw new Error(`${PREACT_CONV2D}: x is ${x.dtype} [${x.shape}]; it must be float32 NHWC, rank 4`);
  }
  if (filter.shape.length !== 4 || filter.shape[2] !== ci) {
    throw new Error(`${PREACT_CONV2D}: filter is [${filter.shape}]; it must be [height, width, ${ci}, outChannels]`);
  }
  expect('scale', scale, [ci]);
  expect('shift', shift, [ci]);
  if (bias) expect('bias', bias, [co]);
  if (activation !== 'linear' && activation !== 'relu') {
    throw new Error(`${PREACT_CONV2D}: activation is '${activation}'; allowed: 'linear', 'relu'`);
  }
  const info = ci % 4 === 0 ? convolutionInfo(x, filter, attrs) : null;
  const fused =
    info &&
    simdConvolution(backend, x, filter, bias ?? null, info, activation === 'relu', {
      preActivation: { scale, shift },
    });
  if (fused) return fused;
  const activated = callKernel(backend, CHANNEL_AFFINE, { a: x, scaleA: scale, shift }, { relu: true });
  const convInputs = bias ? { x: activated, filter, bias } : { x: activated, filter };
  const y = callKernel(backend, 'FusedConv2D', convInputs, attrs as never);
  release(backend, activated);
  return y;
}

export const preActConv2DConfig: KernelConfig = {
  kernelName: PREACT_CONV2D,
  backendName: BACKEND_NAME,
  kernelFunc: preActConv2D as unknown as KernelFunc,
};
