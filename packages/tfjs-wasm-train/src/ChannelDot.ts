import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, expectFloat32, f32 } from './kernel_utils';
import { columnSums } from './Sum';

/** semix's fused per-channel dot product (not a tfjs kernel: batch norm's gradient in semix's models calls it). */
export const CHANNEL_DOT = 'SemixChannelDot';

/** Attributes of {@link CHANNEL_DOT}: `mean` divides the float64 sums by the rows before rounding them. */
export interface ChannelDotAttrs {
  mean?: boolean;
}

/**
 * Σ a·b over every axis but the last, per channel, for a and b of one float32 shape: one pass where
 * tf.sum(tf.mul(a, b), leading axes) takes two, bit for bit the same (each product rounded to float32, summed in
 * float64 in Sum's order). With `center` ([C]), Σ (a − c)·(b − c), each difference rounded to float32 first, as
 * tf.sub would; with the attribute `mean`, the sums divided by the rows in float64, as tf.mean does. So with a = b = x
 * and c its mean, {mean: true} is batch norm's variance tf.mean(tf.square(tf.sub(x, mean))), bit for bit, in one pass
 * over x (no centered copy, no squares).
 */
export function channelDot(args: {
  inputs: { a: TensorInfo; b: TensorInfo; center?: TensorInfo };
  backend: BackendWasm;
  attrs?: ChannelDotAttrs;
}): TensorInfo {
  const { inputs, backend } = args;
  const { a, b, center } = inputs;
  if (!util.arraysEqual(a.shape, b.shape) || a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error(
      `${CHANNEL_DOT}: a is ${a.dtype} [${a.shape}] and b ${b.dtype} [${b.shape}]; both must be float32 of one shape`,
    );
  }
  const channels = a.shape[a.shape.length - 1] ?? 1;
  if (center) expectFloat32(CHANNEL_DOT, 'center', center, [channels]);
  const out = backend.makeOutput([channels], 'float32');
  if (channels === 0) return out;
  const rows = util.sizeFromShape(a.shape) / channels;
  const sums = columnSums(backend, a, rows, channels, b, center);
  if (args.attrs?.mean) for (let i = 0; i < channels; i++) sums[i] /= rows;
  f32(backend, out).set(sums);
  return out;
}

export const channelDotConfig: KernelConfig = {
  kernelName: CHANNEL_DOT,
  backendName: BACKEND_NAME,
  kernelFunc: channelDot as unknown as KernelFunc,
};
