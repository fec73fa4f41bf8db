import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  type UnsortedSegmentSumAttrs,
  util,
} from '@tensorflow/tfjs-core';
import { BACKEND_NAME, type KernelInputs } from './kernel_utils';

/**
 * out[segmentIds[i], ...] += x[i, ...]; ids outside [0, numSegments) are dropped, as in TensorFlow.
 * This is the gradient of gather (tfjs-core's GatherV2 gradient calls it): what mixing a batch with its own
 * permutation needs. Linear in the input size, so a single pass in JavaScript is as fast as the copy it is.
 */
export function unsortedSegmentSum(args: {
  inputs: KernelInputs<'x' | 'segmentIds'>;
  backend: BackendWasm;
  attrs: UnsortedSegmentSumAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, segmentIds } = inputs;
  const { numSegments } = attrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`semix UnsortedSegmentSum (wasm): dtype '${x.dtype}' is not supported; use float32 or int32`);
  }
  const idsShape = segmentIds.shape;
  for (let i = 0; i < idsShape.length; i++) {
    if (idsShape[i] !== x.shape[i]) {
      throw new Error(
        `semix UnsortedSegmentSum (wasm): segmentIds shape [${idsShape}] must be a prefix of x shape [${x.shape}]`,
      );
    }
  }
  const inner = util.sizeFromShape(x.shape.slice(idsShape.length));
  const outShape = [numSegments, ...x.shape.slice(idsShape.length)];
  const out = backend.makeOutput(outShape, x.dtype);
  const src = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  const dst = backend.typedArrayFromHeap(out);
  dst.fill(0);
  const count = util.sizeFromShape(idsShape);
  for (let i = 0; i < count; i++) {
    const seg = ids[i];
    if (seg < 0 || seg >= numSegments) continue;
    const s0 = i * inner;
    const d0 = seg * inner;
    for (let k = 0; k < inner; k++) dst[d0 + k] += src[s0 + k];
  }
  return out;
}

export const unsortedSegmentSumConfig: KernelConfig = {
  kernelName: 'UnsortedSegmentSum',
  backendName: BACKEND_NAME,
  kernelFunc: unsortedSegmentSum as unknown as KernelFunc,
};
