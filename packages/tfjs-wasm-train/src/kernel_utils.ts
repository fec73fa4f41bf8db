import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  getKernel,
  type KernelConfig,
  type NamedAttrMap,
  type NamedTensorInfoMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

/** The backend every kernel of this pack is registered for. */
export const BACKEND_NAME = 'wasm';

/**
 * Runs another kernel registered for `wasm` from inside a kernel. The pack composes XNNPACK-backed kernels
 * (Conv2D, Transpose, Slice) rather than looping in JavaScript; intermediate results must be released with
 * {@link release}, since they never become tensors the engine tracks.
 */
export function callKernel(
  backend: BackendWasm,
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap = {},
): TensorInfo {
  const kernel = getKernel(kernelName, BACKEND_NAME);
  if (kernel == null) {
    throw new Error(`semix kernel pack: kernel '${kernelName}' is not registered for the wasm backend`);
  }
  const out = kernel.kernelFunc({ inputs, attrs, backend });
  if (Array.isArray(out)) {
    throw new Error(`semix kernel pack: kernel '${kernelName}' returned several outputs where one was expected`);
  }
  return out;
}

/** Frees intermediate results created with {@link callKernel} (reference counted by the backend). */
export function release(backend: BackendWasm, ...infos: TensorInfo[]): void {
  for (const info of infos) backend.disposeData(info.dataId);
}

/** A Float32Array view of a tensor in the wasm heap. Take views after the last allocation: the heap can grow. */
export function f32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/**
 * Where a tensor's data starts in the wasm heap, in bytes: what the pack's SIMD kernels take as addresses. Stable
 * when the heap grows (unlike views of it); undefined only for data the backend does not hold.
 */
export function heapOffset(backend: BackendWasm, info: TensorInfo): number | undefined {
  return backend.dataIdMap.get(info.dataId)?.memoryOffset;
}

/** Transposes through the backend's own Transpose kernel. */
export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  return callKernel(backend, 'Transpose', { x }, { perm });
}

/** Slices [begin, begin + size) through the backend's own Slice kernel. */
export function slice(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[]): TensorInfo {
  return callKernel(backend, 'Slice', { x }, { begin, size });
}

/** Explicit per-side padding in the layout `Conv2D` accepts for `pad`. */
export type ExplicitPadding = [[number, number], [number, number], [number, number], [number, number]];

export function explicitPad(top: number, bottom: number, left: number, right: number): ExplicitPadding {
  return [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0],
  ];
}

/** wasm's own kernels that a pack kernel wraps, captured by `registerAll` before it replaces them. */
const originals = new Map<string, KernelConfig>();

export function rememberOriginal(config: KernelConfig): void {
  originals.set(config.kernelName, config);
}

/** Runs wasm's own implementation of a kernel this pack has replaced. */
export function callOriginal(
  backend: BackendWasm,
  kernelName: string,
  inputs: NamedTensorInfoMap,
  attrs: NamedAttrMap,
): TensorInfo {
  const kernel = originals.get(kernelName);
  if (kernel == null) throw new Error(`semix kernel pack: wasm's own '${kernelName}' was not captured`);
  return kernel.kernelFunc({ inputs, attrs, backend }) as TensorInfo;
}

/** A kernel's inputs, all present (tfjs-core types every input as optional). */
export type KernelInputs<K extends string> = Record<K, TensorInfo>;

/**
 * Copies `rows` rows of `width` values from `from` (rows `fromStride` apart) into `to` (rows `toStride` apart):
 * padding a trailing dimension to `toStride`, or dropping the padding again.
 */
export function copyRows(
  from: Float32Array,
  to: Float32Array,
  rows: number,
  width: number,
  fromStride: number,
  toStride: number,
): void {
  for (let r = 0; r < rows; r++) to.set(from.subarray(r * fromStride, r * fromStride + width), r * toStride);
}

/** NHWC images [n, h, w, c] into a zero grid [n, hg, wg, c], each at row `top` and column `left` of its own. */
export function padIntoGrid(
  src: Float32Array,
  grid: Float32Array,
  [n, h, w, c]: readonly number[],
  hg: number,
  wg: number,
  top: number,
  left: number,
): void {
  zeroBorders(grid, n, hg, wg, c, top, left, h, w);
  const rowFloats = w * c;
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < h; y++) {
      const from = (b * h + y) * rowFloats;
      grid.set(src.subarray(from, from + rowFloats), ((b * hg + y + top) * wg + left) * c);
    }
  }
}

/**
 * Zeros every value of the grid [n, hg, wg, c] outside the h × w images placed at (top, left) of each: what a
 * fill(0) before copying the images in would leave, writing only the border (at 32 × 32 with one pixel each side,
 * an eighth of the grid instead of all of it).
 */
export function zeroBorders(
  grid: Float32Array,
  n: number,
  hg: number,
  wg: number,
  c: number,
  top: number,
  left: number,
  h: number,
  w: number,
): void {
  const row = wg * c;
  const right = (left + w) * c;
  for (let b = 0; b < n; b++) {
    const image = b * hg * row;
    if (top > 0) grid.fill(0, image, image + top * row);
    if (left > 0 || right < row) {
      for (let y = top; y < top + h; y++) {
        const at = image + y * row;
        if (left > 0) grid.fill(0, at, at + left * c);
        if (right < row) grid.fill(0, at + right, at + row);
      }
    }
    if (top + h < hg) grid.fill(0, image + (top + h) * row, image + hg * row);
  }
}

/** The geometry attributes every Conv2D-family kernel carries. */
export interface ConvAttrs {
  strides: number | [number, number];
  pad: 'same' | 'valid' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: number | [number, number];
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * The convolution's geometry for NHWC x and filter shapes (dilation 1 unless `attrs.dilations` says otherwise),
 * or an error naming the kernel where the data format is NCHW, which the pack does not implement.
 */
export function nhwcConvInfo(
  kernelName: string,
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: ConvAttrs,
): backend_util.Conv2DInfo {
  const { strides, pad, dataFormat, dilations = 1, dimRoundingMode } = attrs;
  const format = backend_util.convertConv2DDataFormat(dataFormat);
  if (format !== 'channelsLast') {
    throw new Error(`semix ${kernelName} (wasm): dataFormat '${dataFormat}' is not supported; use 'NHWC'`);
  }
  return backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    false,
    format,
  );
}
