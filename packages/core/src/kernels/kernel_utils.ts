import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
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
