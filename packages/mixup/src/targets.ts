import * as tf from '@tensorflow/tfjs-core';
import { interpolate } from './interpolate';

/** One-hot targets with label smoothing: ε/K off the true class, 1 − ε + ε/K on it. */
export function smoothOneHot(labels: tf.Tensor1D, numClasses: number, smoothing: number): tf.Tensor2D {
  return tf.tidy(() => {
    const off = smoothing / numClasses;
    const on = 1 - smoothing + off;
    return tf.oneHot(labels, numClasses, on, off, 'float32') as tf.Tensor2D;
  });
}

/** Soft targets λᵢ·yᵢ + (1 − λᵢ)·y_index[i]. */
export function mixTargets(targets: tf.Tensor2D, lam: Float32Array, index: Int32Array): tf.Tensor2D {
  return interpolate(targets, lam, index) as tf.Tensor2D;
}

/** Checks that labels are a [batch] integer vector matching the batch. */
export function checkLabels(labels: tf.Tensor, batch: number): void {
  if (labels.rank !== 1 || labels.shape[0] !== batch) {
    throw new Error(`labels: shape [${labels.shape.join(', ')}] does not match the batch; expected [${batch}]`);
  }
}

/** Soft-label cross-entropy, mean over the batch: −Σ t · log softmax(logits). */
export function softCrossEntropy(logits: tf.Tensor2D, targets: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.neg(tf.sum(tf.mul(targets, tf.logSoftmax(logits)), 1))) as tf.Scalar);
}
