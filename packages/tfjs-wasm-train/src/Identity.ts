import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, callOriginal, type KernelInputs } from './kernel_utils';

/**
 * Identity that shares the input's memory (reference counted), as the `cpu` backend's does. tfjs-core clones
 * every tensor it saves for a gradient through Identity, and wasm 4.22's copies the data: 84 copies, 7.5 ms of
 * the reference step. Tensors are immutable and every kernel writes to a fresh output, so sharing is safe.
 * Strings go to wasm's own kernel.
 */
export function identity(args: { inputs: KernelInputs<'x'>; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const { x } = inputs;
  if (x.dtype === 'string') return callOriginal(backend, 'Identity', { x }, {});
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
}

export const identityConfig: KernelConfig = {
  kernelName: 'Identity',
  backendName: BACKEND_NAME,
  kernelFunc: identity as unknown as KernelFunc,
};
