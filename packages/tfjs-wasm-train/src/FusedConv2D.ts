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
 * ReLU activation and a bias of one value per output channel (or none); other cases go to wasm's own kernel.
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
  const biasFits = !bias || [1, co].includes(util.sizeFromShape(bias.shape));
  const supported = info && !preluActivationWeights && biasFits && (activation === 'linear' || activation === 'relu');
  return (
    (supported && simdConvolution(backend, x, filter, bias ?? null, info, activation === 'relu')) ||
    callOriginal(backend, 'FusedConv2D', inputs as never, attrs as never)
  );
}

export const fusedConv2DConfig: KernelConfig = {
  kernelName: 'FusedConv2D',
  backendName: BACKEND_NAME,
  kernelFunc: fusedConv2D as unknown as KernelFunc,
};
