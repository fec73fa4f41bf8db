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

/**
 * Throws unless `t` is float32 of exactly `shape`, naming the kernel, the input, what it is and what it must be: the
 * input check of semix's own kernels (which tfjs-core's ops do not front).
 */
export function expectFloat32(kernel: string, name: string, t: TensorInfo, shape: readonly number[]): void {
  if (t.dtype !== 'float32' || t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
    throw new Error(`${kernel}: ${name} is ${t.dtype} [${t.shape}]; it must be float32 [${shape}]`);
  }
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

/**
 * fill(img, gridAt): image img of the NHWC `images` (a view of the backend's heap, [·, h, w, c]) into the interior
 * (rows top …, columns left …, channels padded to c4) of a one-image grid at byte address gridAt whose rows are
 * gridRow floats; its borders are not written (zero them once: every image leaves them as they are). One image at a
 * time in a grid that stays in cache, where a padded copy of the whole batch wrote it all out to memory first.
 * Copied within the heap with copyWithin: no view per row. With `row` (channels a multiple of 4 only), each image row
 * goes through row(from, to, pixels) (byte addresses) instead of the copy: a map applied on the way in, such as a
 * pre-activation (the borders stay zero: padding is of the mapped values).
 */
export function imageIntoGrid(
  images: Float32Array,
  [h, w, c]: readonly number[],
  gridRow: number,
  c4: number,
  top: number,
  left: number,
  row?: (from: number, to: number, pixels: number) => void,
): (img: number, gridAt: number) => void {
  if (row && c4 !== c) throw new Error(`imageIntoGrid: a row map needs channels in fours, got ${c} in ${c4}`);
  const heap = new Float32Array(images.buffer);
  const imagesAt = images.byteOffset / 4;
  return (img, gridAt) => {
    const gridStart = gridAt / 4;
    for (let yy = 0; yy < h; yy++) {
      const from = imagesAt + (img * h + yy) * w * c;
      const to = gridStart + (yy + top) * gridRow + left * c4;
      if (row) row(4 * from, 4 * to, w);
      else if (c4 === c) heap.copyWithin(to, from, from + w * c);
      else for (let xx = 0; xx < w; xx++) heap.copyWithin(to + xx * c4, from + xx * c, from + xx * c + c);
    }
  };
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
