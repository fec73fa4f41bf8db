import * as tf from '@tensorflow/tfjs-core';

/** λᵢ·xᵢ + (1 − λᵢ)·x_index[i] for a tensor of any rank ≥ 1 (images or hidden states). */
export function interpolate(x: tf.Tensor, lam: Float32Array, index: Int32Array): tf.Tensor {
  return tf.tidy(() => {
    const shape = [lam.length, ...new Array(x.rank - 1).fill(1)];
    const l = tf.tensor(lam, shape);
    const partner = tf.gather(x, tf.tensor1d(index, 'int32'));
    return tf.add(tf.mul(x, l), tf.mul(partner, tf.sub(1, l)));
  });
}
