import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, MeanAttrs, TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, callOriginal, type KernelInputs } from './kernel_utils';
import { reduceLeading } from './Sum';

/**
 * Mean over the leading axes of a float32 tensor (batch norm's moments in training: over batch, height, width)
 * through the same float64 column sums as Sum. wasm's Mean transposes the reduced axes to the end first: 4.4 ms
 * for [64,32,32,16] → [16]. Other reductions go to wasm's own kernel.
 */
export function mean(args: { inputs: KernelInputs<'x'>; backend: BackendWasm; attrs: MeanAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  return reduceLeading(backend, inputs.x, attrs, 'mean') ?? callOriginal(backend, 'Mean', inputs, attrs as never);
}

export const meanConfig: KernelConfig = {
  kernelName: 'Mean',
  backendName: BACKEND_NAME,
  kernelFunc: mean as unknown as KernelFunc,
};
