import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelConfig, type KernelFunc, type OneHotAttrs, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, callOriginal, type KernelInputs } from './kernel_utils';

/**
 * wasm's OneHot writes on/off values as integers whatever the output dtype, so a float32 one-hot with
 * on = 1 − ε + ε/K, off = ε/K (label smoothing) comes out as zeros. Float outputs are filled here; int32 ones
 * go to wasm's own kernel.
 */
export function oneHot(args: {
  inputs: KernelInputs<'indices'>;
  backend: BackendWasm;
  attrs: OneHotAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { indices } = inputs;
  const { dtype, depth, onValue, offValue } = attrs;
  if (dtype === 'int32') return callOriginal(backend, 'OneHot', { indices }, attrs as never);
  const out = backend.makeOutput([...indices.shape, depth], dtype);
  const ids = backend.typedArrayFromHeap(indices);
  const dst = backend.typedArrayFromHeap(out);
  dst.fill(offValue);
  const n = util.sizeFromShape(indices.shape);
  for (let i = 0; i < n; i++) {
    const k = ids[i];
    if (k >= 0 && k < depth) dst[i * depth + k] = onValue;
  }
  return out;
}

export const oneHotConfig: KernelConfig = {
  kernelName: 'OneHot',
  backendName: BACKEND_NAME,
  kernelFunc: oneHot as unknown as KernelFunc,
};
