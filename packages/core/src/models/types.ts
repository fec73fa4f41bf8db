import type * as tf from '@tensorflow/tfjs-core';

import type { Architecture } from '../names';

export { ARCHITECTURES, type Architecture } from '../names';

/**
 * The largest width multiplier `createModel` builds: preact-resnet18 at width 4 has about 180 M parameters (0.7 GB
 * in float32; with gradients and Adam's two moments about 2.9 GB). A larger one would fail allocating, or never
 * finish, after a run directory was claimed.
 */
export const MAX_WIDTH = 4;

export interface ModelConfig {
  arch: Architecture;
  /** [height, width, channels] of one image. */
  inputShape: [number, number, number];
  numClasses: number;
  /** Width multiplier (channels × width), > 0 and at most MAX_WIDTH; 1 is the architecture's standard size. */
  width?: number;
  /** Seed of the weight initialisation. */
  seed: number;
}

/**
 * A classifier split into an encoder f (input → representation vector) and a linear head g, so that losses
 * can reach the representation f(x). Mixable layers are the points where Manifold Mixup may mix hidden
 * states: layer 0 is the input, layer k the output of the encoder's k-th block.
 */
export interface SemixModel {
  readonly arch: string;
  /** How to rebuild it (set by `createModel`; absent for models wrapped with `fromLayersModel`). */
  readonly config?: ModelConfig;
  readonly inputShape: [number, number, number];
  readonly numClasses: number;
  /** Length of the representation vector f(x). */
  readonly featureDim: number;
  /** Names of the mixable layers; index 0 is 'input'. */
  readonly mixableLayers: readonly string[];
  /** The hidden state at mixable layer k (k = 0 returns x itself). */
  hidden(k: number, x: tf.Tensor, training?: boolean): tf.Tensor;
  /** The representation computed from the hidden state h at mixable layer k. */
  featuresFrom(k: number, h: tf.Tensor, training?: boolean): tf.Tensor2D;
  /** Logits computed from the hidden state h at mixable layer k (what Manifold Mixup needs). */
  forwardFrom(k: number, h: tf.Tensor, training?: boolean): tf.Tensor2D;
  /** f(x): the representation, [batch, featureDim]. */
  features(x: tf.Tensor, training?: boolean): tf.Tensor2D;
  /** g(z): logits from a representation. */
  head(z: tf.Tensor2D): tf.Tensor2D;
  /** g(f(x)). */
  logits(x: tf.Tensor, training?: boolean): tf.Tensor2D;
  /** Variables the optimizer updates. */
  trainableVariables(): tf.Variable[];
  /** Every variable by a stable name, trainable or not (batch-norm running statistics), for checkpoints. */
  namedVariables(): Map<string, tf.Variable>;
  /** Applies state updates collected during training-mode forward passes (batch-norm running statistics). */
  applyUpdates(): void;
  /** Drops state updates collected but not applied. */
  discardUpdates(): void;
  dispose(): void;
}
