import * as tf from '@tensorflow/tfjs-core';
import type { TrainMethod } from './step';

/**
 * The loss of issue #4's reference step as a training method: soft-label cross-entropy on the input-mixup batch
 * (λ ~ Beta(1, 1), partners by a random permutation) + `semWeight` · MSE between f(mixed) and
 * λ·f(x) + (1 − λ)·f(x[perm]); two forward passes, one backward. `@semix/mixup`'s `mixup+sem` is the full
 * version (options, distances, stop-gradient); this one exists so core's speed benchmark needs nothing else.
 */
export function createReferenceMethod(semWeight = 0.1): TrainMethod {
  return ({ model, x, labels, numClasses, rng }) => {
    const batch = x.shape[0];
    const lam = rng.beta(1, 1);
    // Created under the caller's tape, which keeps it for gather's gradient and disposes it afterwards.
    const perm = tf.tensor1d(rng.permutation(batch), 'int32');
    const y = tf.oneHot(labels, numClasses, 1, 0, 'float32');
    const xMixed = tf.add(tf.mul(x, lam), tf.mul(tf.gather(x, perm), 1 - lam));
    const yMixed = tf.add(tf.mul(y, lam), tf.mul(tf.gather(y, perm), 1 - lam));
    const zMixed = model.features(xMixed, true);
    const ce = tf.mean(tf.neg(tf.sum(tf.mul(yMixed, tf.logSoftmax(model.head(zMixed))), 1))) as tf.Scalar;
    const z = model.features(x, true);
    const target = tf.add(tf.mul(z, lam), tf.mul(tf.gather(z, perm), 1 - lam));
    const sem = tf.mul(tf.mean(tf.squaredDifference(zMixed, target)), semWeight) as tf.Scalar;
    return { ce, sem };
  };
}
