import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  type FusedConv2DAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import { convolutionInfo, simdConvolution } from './Conv2D';
import { BACKEND_NAME, callOriginal } from './kernel_utils';

/**
 * FusedConv2D (convolution + bias + activation) through semix's WebAssembly SIMD correlation kernel for a linear or
 * ReLU activation and a bias of one value per output channel (or none), or of the output's shape (tfjs-core's op
 * broadcasts the bias; a residual block's skip connection: see simdConvolution); other cases go to wasm's own
 * kernel (which takes rank-1 biases only).
 */
export function fusedConv2D(args: {
  inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: FusedConv2DAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, filter, bias, preluActivationWeights } = inputs;
  const { activation } = attrs;
  const info = convolutionInfo(x, filter, attrs);
  const co = filter.shape[3];
  const residual = info && bias && outputShaped(bias, info.outShape) ? bias : null;
  const biasFits = !bias || residual || [1, co].includes(util.sizeFromShape(bias.shape));
  const supported = info && !preluActivationWeights && biasFits && (activation === 'linear' || activation === 'relu');
  const perChannel = residual ? null : (bias ?? null);
  return (
    (supported && simdConvolution(backend, x, filter, perChannel, info, activation === 'relu', { residual })) ||
    callOriginal(backend, 'FusedConv2D', inputs as never, attrs as never)
  );
}

/** Whether `bias` holds one value per output (its shape the output's, leading ones omitted or not), in float32. */
function outputShaped(bias: TensorInfo, outShape: number[]): boolean {
  const shape = bias.shape;
  const lead = outShape.length - shape.length;
  return (
    bias.dtype === 'float32' &&
    lead >= 0 &&
    util.sizeFromShape(shape) === util.sizeFromShape(outShape) &&
    shape.every((d, i) => d === outShape[lead + i])
  );
}

export const fusedConv2DConfig: KernelConfig = {
  kernelName: 'FusedConv2D',
  backendName: BACKEND_NAME,
  kernelFunc: fusedConv2D as unknown as KernelFunc,
};
