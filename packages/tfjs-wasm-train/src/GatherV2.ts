import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type GatherV2Attrs, type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, callOriginal, type KernelInputs } from './kernel_utils';

/**
 * gather along one axis (batchDims 0) of a float32 or int32 tensor, as block copies: for each outer index and
 * each gathered index, one contiguous run of the trailing dimensions. This is how every mixup variant pairs a
 * batch with its permutation; wasm 4.22's GatherV2 computes the source offset of every element and takes 14 ms
 * for a [128,32,32,3] batch, this takes well under one. Other cases go to wasm's own kernel.
 */
export function gatherV2(args: {
  inputs: KernelInputs<'x' | 'indices'>;
  backend: BackendWasm;
  attrs: GatherV2Attrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, indices } = inputs;
  if ((attrs.batchDims ?? 0) !== 0 || (x.dtype !== 'float32' && x.dtype !== 'int32') || indices.dtype !== 'int32') {
    return callOriginal(backend, 'GatherV2', { x, indices }, attrs as never);
  }
  const axis = util.parseAxisParam(attrs.axis, x.shape)[0];
  const outer = util.sizeFromShape(x.shape.slice(0, axis));
  const dim = x.shape[axis];
  const inner = util.sizeFromShape(x.shape.slice(axis + 1));
  const count = util.sizeFromShape(indices.shape);
  const out = backend.makeOutput([...x.shape.slice(0, axis), ...indices.shape, ...x.shape.slice(axis + 1)], x.dtype);
  // Views after the last allocation: the heap may have grown.
  const src = backend.typedArrayFromHeap(x) as Float32Array | Int32Array;
  const idx = backend.typedArrayFromHeap(indices) as Int32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  for (let k = 0; k < count; k++) {
    const j = idx[k];
    if (!(j >= 0 && j < dim)) {
      backend.disposeData(out.dataId);
      // tfjs-core's wording (its op tests match it).
      throw new Error(`GatherV2: the index value ${j} is not in [0, ${dim - 1}]`);
    }
  }
  for (let o = 0; o < outer; o++) {
    const srcBase = o * dim * inner;
    const dstBase = o * count * inner;
    if (inner >= 16) {
      for (let k = 0; k < count; k++) {
        const from = srcBase + idx[k] * inner;
        dst.set(src.subarray(from, from + inner), dstBase + k * inner);
      }
    } else {
      for (let k = 0; k < count; k++) {
        const from = srcBase + idx[k] * inner;
        const to = dstBase + k * inner;
        for (let i = 0; i < inner; i++) dst[to + i] = src[from + i];
      }
    }
  }
  return out;
}

export const gatherV2Config: KernelConfig = {
  kernelName: 'GatherV2',
  backendName: BACKEND_NAME,
  kernelFunc: gatherV2 as unknown as KernelFunc,
};
