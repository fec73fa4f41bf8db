import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './params';

/** Convolution + bias (+ ReLU), through tfjs's fused kernel so XNNPACK applies bias and ReLU in one pass. */
export function convBiasRelu(
  x: tf.Tensor,
  filter: tf.Variable,
  bias: tf.Variable | null,
  strides: number,
  relu: boolean,
): tf.Tensor4D {
  return tf.fused.conv2d({
    x: x as tf.Tensor4D,
    filter: filter as tf.Tensor4D,
    strides,
    pad: 'same',
    bias: bias ?? undefined,
    activation: relu ? 'relu' : 'linear',
  });
}

/** Dense layer, fused bias (+ ReLU). */
export function dense(x: tf.Tensor, weight: tf.Variable, bias: tf.Variable, relu: boolean): tf.Tensor2D {
  return tf.fused.matMul({
    a: x as tf.Tensor2D,
    b: weight as tf.Tensor2D,
    bias,
    activation: relu ? 'relu' : 'linear',
  }) as tf.Tensor2D;
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
