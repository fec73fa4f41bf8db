import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelConfig, type KernelFunc, type SumAttrs, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, callOriginal, f32, heapOffset, type KernelInputs } from './kernel_utils';
import { simdSumRows } from './simd_sum';

/**
 * Sum over the leading axes of a float32 tensor (the bias gradient of every conv and dense layer: Σ over
 * batch, height, width) as one contiguous pass with one accumulator per trailing element. wasm's Sum
 * transposes the reduced axes to the end first: 5 ms for [128,28,28,16] → [16]. Other reductions go to wasm's
 * own kernel.
 */
export function sum(args: { inputs: KernelInputs<'x'>; backend: BackendWasm; attrs: SumAttrs }): TensorInfo {
  const { inputs, backend, attrs } = args;
  return reduceLeading(backend, inputs.x, attrs, 'sum') ?? callOriginal(backend, 'Sum', inputs, attrs as never);
}

/**
 * Sum (or mean) over the leading axes of a float32 tensor, or null for any other reduction. Accumulated in
 * float64 by the SIMD kernel (simd_sum.ts) or, for odd trailing sizes, by {@link sumRows}; a mean divides the
 * float64 sums.
 */
export function reduceLeading(
  backend: BackendWasm,
  x: TensorInfo,
  attrs: { axis: number | number[]; keepDims: boolean },
  reduction: 'sum' | 'mean',
): TensorInfo | null {
  const rank = x.shape.length;
  const axes = util.parseAxisParam(attrs.axis, x.shape).sort((p, q) => p - q);
  const leading = axes.length > 0 && axes.length < rank && axes.every((axis, i) => axis === i);
  if (x.dtype !== 'float32' || !leading) return null;
  const inner = util.sizeFromShape(x.shape.slice(axes.length));
  const outer = util.sizeFromShape(x.shape.slice(0, axes.length));
  const outShape = attrs.keepDims ? x.shape.map((d, i) => (i < axes.length ? 1 : d)) : x.shape.slice(axes.length);
  const out = backend.makeOutput(outShape, 'float32');
  if (inner === 0) return out;
  const finish = (sums: Float64Array) => {
    if (reduction === 'mean') for (let i = 0; i < inner; i++) sums[i] /= outer;
    f32(backend, out).set(sums);
    return out;
  };
  return finish(columnSums(backend, x, outer, inner));
}

/**
 * `count` float64 accumulators, zeroed, in the backend's memory (a float32 tensor of twice the length: 8 bytes
 * each) for a SIMD kernel to add into at the address `run` is given; their values after it, or null (nothing run)
 * where the allocation is not 8-byte aligned.
 */
export function withAccumulators(
  backend: BackendWasm,
  count: number,
  run: (accAt: number) => void,
): Float64Array | null {
  const accInfo = backend.makeOutput([2 * count], 'float32');
  const accAt = heapOffset(backend, accInfo);
  let sums: Float64Array | null = null;
  if (Number.isInteger(accAt) && (accAt as number) % 8 === 0) {
    const heap = f32(backend, accInfo).buffer;
    new Float64Array(heap, accAt as number, count).fill(0);
    run(accAt as number);
    sums = new Float64Array(heap, accAt as number, count).slice();
  }
  backend.disposeData(accInfo.dataId);
  return sums;
}

/**
 * Σ over rows of an [outer, inner] float32 tensor (or of its float32 products with y's values, as Multiply then
 * Sum would give; with `center`, of (x − c)·(y − c), each difference rounded to float32 as Sub would), in float64:
 * by the SIMD kernel where it applies, else by {@link sumRows}.
 */
export function columnSums(
  backend: BackendWasm,
  x: TensorInfo,
  outer: number,
  inner: number,
  y?: TensorInfo,
  center?: TensorInfo,
): Float64Array {
  const simd = inner % 2 === 0 ? simdSumRows(backend.wasm, y != null, center != null) : null;
  const [xAt, yAt, cAt] = [x, y, center].map((t) => (t ? heapOffset(backend, t) : 0));
  if (simd && Number.isInteger(xAt) && Number.isInteger(yAt) && Number.isInteger(cAt)) {
    const delta = y ? (yAt as number) - (xAt as number) : 0;
    const sums = withAccumulators(backend, inner, (accAt) =>
      simd(xAt as number, accAt, Math.floor(outer / 4), outer % 4, inner / 2, 4 * inner, delta, cAt as number),
    );
    if (sums) return sums;
  }
  const c = center ? f32(backend, center) : undefined;
  return sumRows(f32(backend, x), outer, inner, y ? f32(backend, y) : undefined, c);
}

/**
 * Column sums of an [outer, inner] float32 matrix (or of the float32 products src·other; with `center`, of
 * (src − c)·(other − c), each difference rounded to float32), accumulated in float64 so that the result does not
 * depend on the batch size's rounding more than float32 must. Four rows per pass, added in pairs first: half the
 * accumulator traffic (measured 2.7 → 1.4 ms for [64,28,28,16] → [16]). The SIMD kernel (simd_sum.ts) does the same
 * operations in the same order.
 */
export function sumRows(
  src: Float32Array,
  outer: number,
  inner: number,
  other?: Float32Array,
  center?: Float32Array,
): Float64Array {
  const fr = Math.fround;
  const v = !other
    ? (i: number) => src[i]
    : center
      ? (i: number) => fr(fr(src[i] - center[i % inner]) * fr(other[i] - center[i % inner]))
      : (i: number) => fr(src[i] * other[i]);
  const acc = new Float64Array(inner);
  const block = 4 * inner;
  const end = outer * inner;
  let base = 0;
  for (; base + block <= end; base += block) {
    for (let i = 0; i < inner; i++) {
      const at = base + i;
      acc[i] += v(at) + v(at + inner) + (v(at + 2 * inner) + v(at + 3 * inner));
    }
  }
  for (; base < end; base += inner) {
    for (let i = 0; i < inner; i++) acc[i] += v(base + i);
  }
  return acc;
}

export const sumConfig: KernelConfig = {
  kernelName: 'Sum',
  backendName: BACKEND_NAME,
  kernelFunc: sum as unknown as KernelFunc,
};
