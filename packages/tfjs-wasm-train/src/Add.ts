import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, callOriginal, f32, heapOffset, type KernelInputs, release } from './kernel_utils';
import { simdAffine } from './simd_affine';

/**
 * Add, with one case of its own: a float32 tensor [..., C] plus a per-channel vector (shape [C], or [1, …, 1, C] of
 * no higher rank), C a multiple of 4, in either order: a convolution's bias added apart from it (a network's first
 * layer under a tape, whose input gradient nobody needs, so the op is not fused). wasm 4.22's Add computes a source
 * index per element where it broadcasts, at over twice the time of one pass of the channel kernel (simd_affine.ts),
 * which this case goes through as x·1 + b: x·1 is x exactly (also −0, ±∞ and NaN), so the sum is Add's, bit for bit.
 * Every other case is wasm's own.
 */
export function add(args: { inputs: KernelInputs<'a' | 'b'>; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const { a, b } = inputs;
  const which = channelAddend(a, b);
  const fn = which ? simdAffine(backend.wasm, false) : null;
  if (!which || !fn) return callOriginal(backend, 'Add', { a, b }, {});
  const [x, channels] = which === 'b' ? [a, b] : [b, a];
  const c = x.shape[x.shape.length - 1];
  const out = backend.makeOutput(x.shape, 'float32');
  const ones = backend.makeOutput([c], 'float32');
  f32(backend, ones).fill(1);
  const at = (t: TensorInfo) => heapOffset(backend, t) as number;
  fn(at(x), at(ones), 0, 0, at(channels), at(out), util.sizeFromShape(x.shape) / c, c / 4);
  release(backend, ones);
  return out;
}

/** Which input of Add(a, b) is a per-channel vector over the other that {@link add} computes itself, if either. */
export function channelAddend(a: TensorInfo, b: TensorInfo): 'a' | 'b' | null {
  return perChannel(a, b) ? 'b' : perChannel(b, a) ? 'a' : null;
}

/**
 * Whether `bias` broadcasts over `x` as one value per channel: both float32, x of at least one value and rank, its
 * last dimension C a multiple of 4, bias [C] or [1, …, 1, C] of no higher rank than x.
 */
function perChannel(x: TensorInfo, bias: TensorInfo): boolean {
  if (x.dtype !== 'float32' || bias.dtype !== 'float32') return false;
  const rank = x.shape.length;
  const c = x.shape[rank - 1];
  if (rank === 0 || bias.shape.length === 0 || bias.shape.length > rank) return false;
  if (c % 4 !== 0 || util.sizeFromShape(x.shape) === 0) return false;
  const last = bias.shape.length - 1;
  return bias.shape[last] === c && bias.shape.every((d, i) => i === last || d === 1);
}

export const addConfig: KernelConfig = {
  kernelName: 'Add',
  backendName: BACKEND_NAME,
  kernelFunc: add as unknown as KernelFunc,
};
