import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { step } from './ChannelAffine';
import { BACKEND_NAME, expectFloat32, f32, heapOffset } from './kernel_utils';
import { sumRows, withAccumulators } from './Sum';
import { simdMaskedSums } from './simd_sum';

/** semix's fused gradient sums of batch norm + ReLU (not a tfjs kernel: batch norm's gradient in semix's models). */
export const MASKED_CHANNEL_SUMS = 'SemixMaskedChannelSums';

/**
 * With m = dy·Step(mask): [Σ m, Σ m·x] over every axis but the last, per channel, for dy, mask and x of one float32
 * shape. One pass (reading three tensors) where tf.sum(m) and SemixChannelDot(m, x), after tf.mul(dy, tf.step(mask)),
 * take four and a copy; bit for bit the same (each product rounded to float32, summed in float64 in Sum's order).
 * With `center` ([C]), x − center (rounded to float32, as tf.sub would) in place of x: batch norm's centered input
 * without its copy.
 */
export function maskedChannelSums(args: {
  inputs: { dy: TensorInfo; mask: TensorInfo; x: TensorInfo; center?: TensorInfo };
  backend: BackendWasm;
}): TensorInfo[] {
  const { inputs, backend } = args;
  const { dy, mask, x, center } = inputs;
  for (const [name, t] of Object.entries({ mask, x })) {
    if (!util.arraysEqual(t.shape, dy.shape) || t.dtype !== 'float32' || dy.dtype !== 'float32') {
      throw new Error(
        `${MASKED_CHANNEL_SUMS}: dy is ${dy.dtype} [${dy.shape}] and ${name} ${t.dtype} [${t.shape}]; all must be float32 of one shape`,
      );
    }
  }
  const channels = dy.shape[dy.shape.length - 1] ?? 1;
  if (center) expectFloat32(MASKED_CHANNEL_SUMS, 'center', center, [channels]);
  const sum = backend.makeOutput([channels], 'float32');
  const dot = backend.makeOutput([channels], 'float32');
  if (channels === 0) return [sum, dot];
  const rows = util.sizeFromShape(dy.shape) / channels;
  const simd = channels % 2 === 0 ? simdMaskedSums(backend.wasm, center != null) : null;
  if (simd) {
    const [dyAt, maskAt, xAt] = [dy, mask, x].map((t) => heapOffset(backend, t) as number);
    const centerAt = center ? (heapOffset(backend, center) as number) : 0;
    const [blocks, rest, pairs] = [Math.floor(rows / 4), rows % 4, channels / 2];
    const sums = withAccumulators(backend, 2 * channels, (accAt) =>
      simd(dyAt, accAt, blocks, rest, pairs, 4 * channels, maskAt - dyAt, xAt - dyAt, centerAt),
    );
    if (sums) {
      f32(backend, sum).set(sums.subarray(0, channels));
      f32(backend, dot).set(sums.subarray(channels));
      return [sum, dot];
    }
  }
  const [d, m] = [f32(backend, dy), f32(backend, mask)];
  const masked = new Float32Array(d.length);
  for (let i = 0; i < d.length; i++) masked[i] = d[i] * step(m[i]);
  f32(backend, sum).set(sumRows(masked, rows, channels));
  let xs = f32(backend, x);
  if (center) {
    const c = f32(backend, center);
    xs = xs.map((v, i) => v - c[i % channels]);
  }
  f32(backend, dot).set(sumRows(masked, rows, channels, xs));
  return [sum, dot];
}

export const maskedChannelSumsConfig: KernelConfig = {
  kernelName: MASKED_CHANNEL_SUMS,
  backendName: BACKEND_NAME,
  kernelFunc: maskedChannelSums as unknown as KernelFunc,
};
