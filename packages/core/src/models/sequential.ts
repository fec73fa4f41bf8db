import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './params';
import type { SemixModel } from './types';

export type Block = (h: tf.Tensor, training: boolean) => tf.Tensor;

export interface SequentialSpec {
  arch: string;
  inputShape: [number, number, number];
  numClasses: number;
  featureDim: number;
  params: ParamStore;
  /** Encoder blocks; mixable layer k is the input of block k (k = 0: the image). */
  blocks: Array<{ name: string; run: Block }>;
  /** Maps the last block's output to the representation [batch, featureDim]. */
  toFeatures: Block;
  headWeight: tf.Variable;
  headBias: tf.Variable;
}

/** A model made of encoder blocks run in sequence, then a linear head: what every built-in architecture is. */
export function sequentialModel(spec: SequentialSpec): SemixModel {
  const { blocks, params, headWeight, headBias } = spec;
  const [h, w, c] = spec.inputShape;
  const checkLayer = (k: number) => {
    if (!Number.isInteger(k) || k < 0 || k > blocks.length - 1) {
      throw new Error(`mixable layer: ${k} is not valid for ${spec.arch}; allowed: 0..${blocks.length - 1}`);
    }
  };
  const checkInput = (x: tf.Tensor) => {
    const ok = x.rank === 4 && x.shape[1] === h && x.shape[2] === w && x.shape[3] === c;
    if (!ok) {
      throw new Error(`input: expected shape [batch, ${h}, ${w}, ${c}] for ${spec.arch}, got [${x.shape.join(', ')}]`);
    }
  };
  const hidden = (k: number, x: tf.Tensor, training = false) => {
    checkLayer(k);
    checkInput(x);
    if (k === 0) return x;
    return tf.tidy(() => {
      let out = x;
      for (let i = 0; i < k; i++) out = blocks[i].run(out, training);
      return out;
    });
  };
  const featuresFrom = (k: number, hState: tf.Tensor, training = false) => {
    checkLayer(k);
    if (k === 0) checkInput(hState);
    return tf.tidy(() => {
      let out = hState;
      for (let i = k; i < blocks.length; i++) out = blocks[i].run(out, training);
      return spec.toFeatures(out, training) as tf.Tensor2D;
    });
  };
  const head = (z: tf.Tensor2D) => tf.tidy(() => tf.add(tf.matMul(z, headWeight), headBias) as tf.Tensor2D);
  const model: SemixModel = {
    arch: spec.arch,
    inputShape: spec.inputShape,
    numClasses: spec.numClasses,
    featureDim: spec.featureDim,
    mixableLayers: blocks.map((_b, i) => (i === 0 ? 'input' : blocks[i - 1].name)),
    hidden,
    featuresFrom,
    forwardFrom: (k, hState, training = false) => tf.tidy(() => head(featuresFrom(k, hState, training))),
    features: (x, training = false) => featuresFrom(0, x, training),
    head,
    logits: (x, training = false) => tf.tidy(() => head(featuresFrom(0, x, training))),
    trainableVariables: () => [...params.trainable],
    namedVariables: () => new Map(params.vars),
    applyUpdates: () => params.applyUpdates(),
    discardUpdates: () => params.discardUpdates(),
    dispose: () => params.dispose(),
  };
  return model;
}
