import * as tf from '@tensorflow/tfjs-core';
import { createModel } from './models/create_model';
import type { ModelConfig, SemixModel } from './models/types';
import { Rng } from './rng';

/**
 * The speed benchmark's reference step (issue #4): batch 128 of 28×28×1, cnn-small, Adam; loss = soft-label
 * cross-entropy on the input-mixup batch + 0.1 · MSE between f(mixed) and λ·f(x) + (1 − λ)·f(x[perm]).
 * Two forward passes, one backward. Other models and input shapes may be passed (the speed suite times each
 * architecture with it). Built from tfjs ops only so it measures the backend, not semix's trainer.
 */
export interface ReferenceStep {
  model: SemixModel;
  run(): number;
  dispose(): void;
}

export function createReferenceStep(
  batchSize = 128,
  seed = 0,
  config: Partial<Omit<ModelConfig, 'seed' | 'numClasses'>> = {},
): ReferenceStep {
  const inputShape = config.inputShape ?? [28, 28, 1];
  const model = createModel({ arch: 'cnn-small', ...config, inputShape, numClasses: 10, seed });
  const rng = new Rng(seed);
  const size = inputShape[0] * inputShape[1] * inputShape[2];
  const x = tf.tensor4d(
    Float32Array.from({ length: batchSize * size }, () => rng.uniform()),
    [batchSize, ...inputShape],
  );
  const labels = tf.tensor1d(
    Int32Array.from({ length: batchSize }, () => rng.int(10)),
    'int32',
  );
  const y = tf.cast(tf.oneHot(labels, 10), 'float32');
  labels.dispose();
  const optimizer = tf.train.adam(1e-3);
  const vars = model.trainableVariables();
  const run = () => {
    const lam = rng.beta(1, 1);
    const perm = tf.tensor1d(rng.permutation(batchSize), 'int32');
    const cost = optimizer.minimize(
      () => {
        const xMixed = tf.add(tf.mul(x, lam), tf.mul(tf.gather(x, perm), 1 - lam));
        const yMixed = tf.add(tf.mul(y, lam), tf.mul(tf.gather(y, perm), 1 - lam));
        const zMixed = model.features(xMixed, true);
        const logits = model.head(zMixed);
        const ce = tf.mean(tf.neg(tf.sum(tf.mul(yMixed, tf.logSoftmax(logits)), 1)));
        const z = model.features(x, true);
        const target = tf.add(tf.mul(z, lam), tf.mul(tf.gather(z, perm), 1 - lam));
        const sem = tf.mean(tf.squaredDifference(zMixed, target));
        return tf.add(ce, tf.mul(sem, 0.1)) as tf.Scalar;
      },
      true,
      vars,
    );
    perm.dispose();
    const value = cost ? cost.dataSync()[0] : Number.NaN;
    cost?.dispose();
    return value;
  };
  return {
    model,
    run,
    dispose: () => {
      x.dispose();
      y.dispose();
      optimizer.dispose();
      model.dispose();
    },
  };
}
