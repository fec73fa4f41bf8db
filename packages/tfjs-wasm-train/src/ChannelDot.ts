import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, f32, type KernelInputs } from './kernel_utils';
import { columnSums } from './Sum';

/** semix's fused per-channel dot product (not a tfjs kernel: batch norm's gradient in semix's models calls it). */
export const CHANNEL_DOT = 'SemixChannelDot';

/**
 * Σ a·b over every axis but the last, per channel, for a and b of one float32 shape: one pass where
 * tf.sum(tf.mul(a, b), leading axes) takes two, bit for bit the same (each product rounded to float32, summed in
 * float64 in Sum's order).
 */
export function channelDot(args: { inputs: KernelInputs<'a' | 'b'>; backend: BackendWasm }): TensorInfo {
  const { inputs, backend } = args;
  const { a, b } = inputs;
  if (!util.arraysEqual(a.shape, b.shape) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error(
      `${CHANNEL_DOT}: a is ${a.dtype} [${a.shape}] and b ${b.dtype} [${b.shape}]; both must be float32 of one shape`,
    );
  }
  const channels = a.shape[a.shape.length - 1] ?? 1;
  const out = backend.makeOutput([channels], 'float32');
  if (channels === 0) return out;
  const rows = util.sizeFromShape(a.shape) / channels;
  f32(backend, out).set(columnSums(backend, a, rows, channels, b));
  return out;
}

export const channelDotConfig: KernelConfig = {
  kernelName: CHANNEL_DOT,
  backendName: BACKEND_NAME,
  kernelFunc: channelDot as unknown as KernelFunc,
};
