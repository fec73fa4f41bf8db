import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './params';

/**
 * Whether a gradient tape is recording. tfjs-core's fused ops fall back to separate kernels (convolution, Add,
 * ReLU) when asked for a fused activation under a tape; a fused *linear* op keeps the bias inside the kernel.
 */
const recording = () => (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;

/**
 * Convolution + bias (+ ReLU). Without a tape, tfjs's fused kernel applies bias and ReLU in XNNPACK's pass.
 * Under a tape, tfjs-core unfuses a fused ReLU (convolution, Add, ReLU) and its fused gradient computes the input
 * gradient eagerly; so under a tape the bias stays fused (one pass saved) except on the network's input
 * (`isInput`), whose gradient nobody needs: there separate ops let the tape skip it. Without bias or ReLU
 * there is nothing to fuse and the plain convolution is used.
 */
export function convBiasRelu(
  x: tf.Tensor,
  filter: tf.Variable,
  bias: tf.Variable | null,
  strides: number,
  relu: boolean,
  isInput = false,
): tf.Tensor4D {
  const x4 = x as tf.Tensor4D;
  const f4 = filter as tf.Tensor4D;
  if (!bias && !relu) return tf.conv2d(x4, f4, strides, 'same');
  const fused = (activation: 'relu' | 'linear') =>
    tf.fused.conv2d({ x: x4, filter: f4, strides, pad: 'same', bias: bias ?? undefined, activation });
  if (!recording()) return fused(relu ? 'relu' : 'linear');
  if (isInput) {
    const conv = tf.conv2d(x4, f4, strides, 'same');
    const biased = bias ? tf.add(conv, bias) : conv;
    return (relu ? tf.relu(biased) : biased) as tf.Tensor4D;
  }
  return relu ? tf.relu(fused('linear')) : fused('linear');
}

/**
 * Convolution + bias, ReLU, then 2×2 max-pooling (stride 2, 'same'). Max-pooling commutes with ReLU (both are
 * monotone), so under a tape it pools first: the ReLU and its gradient mask touch a quarter of the values, with
 * identical results (the gradient reaches the same first maximum, or is zero when the window's maximum is ≤ 0).
 * Without a tape, the ReLU stays fused in the convolution.
 */
export function convReluPool(x: tf.Tensor, filter: tf.Variable, bias: tf.Variable, isInput = false): tf.Tensor4D {
  if (!recording()) return tf.maxPool(convBiasRelu(x, filter, bias, 1, true, isInput), 2, 2, 'same');
  return tf.relu(tf.maxPool(convBiasRelu(x, filter, bias, 1, false, isInput), 2, 2, 'same'));
}

/** Dense layer, fused bias (+ ReLU). */
export function dense(x: tf.Tensor, weight: tf.Variable, bias: tf.Variable, relu: boolean): tf.Tensor2D {
  const mm = (activation: 'relu' | 'linear') =>
    tf.fused.matMul({ a: x as tf.Tensor2D, b: weight as tf.Tensor2D, bias, activation }) as tf.Tensor2D;
  if (!relu) return mm('linear');
  return recording() ? tf.relu(mm('linear')) : mm('relu');
}

export function flatten(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
}

/**
 * Batch normalisation over [batch, height, width] with learned scale and shift. In training it normalises
 * with the batch statistics and queues the running-statistics update (momentum 0.1, unbiased variance, as
 * PyTorch's BatchNorm2d does); in evaluation it uses the running statistics.
 */
export function batchNorm(params: ParamStore, name: string, channels: number) {
  const gamma = params.ones(`${name}.weight`, channels);
  const beta = params.zeros(`${name}.bias`, channels);
  const runningMean = params.zeros(`${name}.running_mean`, channels, false);
  const runningVar = params.ones(`${name}.running_var`, channels, false);
  const momentum = 0.1;
  const epsilon = 1e-5;
  return (x: tf.Tensor, training: boolean): tf.Tensor => {
    if (!training) return tf.batchNorm(x as tf.Tensor4D, runningMean, runningVar, beta, gamma, epsilon);
    const { mean, variance } = tf.moments(x, [0, 1, 2]);
    const n = x.size / channels;
    const unbiased = tf.mul(variance, n / Math.max(1, n - 1));
    params.queueUpdate(runningMean, tf.add(tf.mul(runningMean, 1 - momentum), tf.mul(mean, momentum)));
    params.queueUpdate(runningVar, tf.add(tf.mul(runningVar, 1 - momentum), tf.mul(unbiased, momentum)));
    return tf.batchNorm(x as tf.Tensor4D, mean, variance, beta, gamma, epsilon);
  };
}
