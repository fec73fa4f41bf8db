import * as tf from '@tensorflow/tfjs-core';
import { ParamStore } from './params';
import { type Block, sequentialModel } from './sequential';
import type { SemixModel } from './types';

/** A weight of a tfjs-layers model (`LayerVariable`), as far as semix needs it. */
interface LayerWeight {
  readonly name: string;
  readonly trainable: boolean;
  /** tfjs-layers types it as a Tensor; it is the weight's tf.Variable. */
  read(): tf.Tensor;
}

interface LayerLike {
  readonly name: string;
  getClassName(): string;
  apply(inputs: tf.Tensor, kwargs?: { training?: boolean }): tf.Tensor | tf.Tensor[] | unknown;
}

/**
 * What semix uses of a `tf.LayersModel` (from `@tensorflow/tfjs-layers` or `@tensorflow/tfjs`), typed
 * structurally so that `@semix/core` does not depend on tfjs-layers.
 */
export interface LayersModelLike {
  readonly name: string;
  readonly inputs: ReadonlyArray<{ readonly shape: ReadonlyArray<number | null> }>;
  readonly outputs: ReadonlyArray<{ readonly shape: ReadonlyArray<number | null> }>;
  readonly layers: readonly LayerLike[];
  readonly weights: readonly LayerWeight[];
  apply(inputs: tf.Tensor, kwargs?: { training?: boolean }): tf.Tensor | tf.Tensor[] | unknown;
  getClassName(): string;
  dispose(): unknown;
}

export interface FromLayersModelOptions {
  numClasses: number;
  /** Seed of the linear head's initialisation (the encoder keeps its own weights). */
  seed: number;
}

const single = (out: unknown, who: string): tf.Tensor => {
  if (out instanceof tf.Tensor) return out;
  throw new Error(`${who}: the encoder must have exactly one tensor output`);
};

/**
 * Uses a user's `tf.LayersModel` as the encoder f of a semix model, with a new linear head to `numClasses`.
 * f(x) is the encoder's output, flattened to [batch, featureDim]. For a `tf.Sequential` every layer boundary is
 * a mixable layer (Manifold Mixup can mix there); for other models only the input is. The semix model takes
 * ownership: its `dispose()` disposes the encoder too. Batch-norm layers of the encoder update their moving
 * statistics themselves, during training-mode forward passes, as tfjs-layers does.
 */
export function fromLayersModel(encoder: LayersModelLike, options: FromLayersModelOptions): SemixModel {
  const name = `layers:${encoder.name}`;
  if (encoder.inputs.length !== 1 || encoder.outputs.length !== 1) {
    throw new Error(
      `${name}: the encoder must have one input and one output, not ${encoder.inputs.length} and ${encoder.outputs.length}`,
    );
  }
  const inShape = encoder.inputs[0].shape.slice(1);
  if (inShape.length !== 3 || !inShape.every((d) => typeof d === 'number' && d > 0)) {
    throw new Error(
      `${name}: input shape [${encoder.inputs[0].shape.map(String).join(', ')}] is not [batch, height, width, channels]`,
    );
  }
  const outShape = encoder.outputs[0].shape.slice(1);
  if (!outShape.every((d) => typeof d === 'number' && d > 0)) {
    throw new Error(
      `${name}: output shape [${encoder.outputs[0].shape.map(String).join(', ')}] must be known apart from the batch`,
    );
  }
  if (!Number.isInteger(options.numClasses) || options.numClasses < 2) {
    throw new Error(`numClasses: ${options.numClasses} is not valid; expected an integer >= 2`);
  }
  const featureDim = (outShape as number[]).reduce((a, b) => a * b, 1);
  const params = new ParamStore(options.seed);
  const headWeight = params.dense('head.weight', featureDim, options.numClasses, 'head');
  const headBias = params.zeros('head.bias', options.numClasses);
  const isSequential = encoder.getClassName() === 'Sequential';
  const layers = isSequential ? encoder.layers.filter((l) => l.getClassName() !== 'InputLayer') : [];
  const blocks: Array<{ name: string; run: Block }> = isSequential
    ? layers.map((l) => ({ name: l.name, run: (h, training) => single(l.apply(h, { training }), name) }))
    : [{ name: encoder.name, run: (h, training) => single(encoder.apply(h, { training }), name) }];
  const base = sequentialModel({
    arch: name,
    inputShape: inShape as [number, number, number],
    numClasses: options.numClasses,
    featureDim,
    params,
    blocks,
    toFeatures: (h) => (h.rank === 2 ? h : tf.reshape(h, [h.shape[0], featureDim])),
    headWeight,
    headBias,
  });
  const variable = (w: LayerWeight): tf.Variable => {
    const v = w.read();
    if (!(v instanceof tf.Variable)) throw new Error(`${name}: weight '${w.name}' is not a tf.Variable`);
    return v;
  };
  const named = new Map<string, tf.Variable>();
  for (const w of encoder.weights) {
    const key = `encoder/${w.name}`;
    if (named.has(key)) throw new Error(`${name}: two encoder weights are named '${w.name}'`);
    named.set(key, variable(w));
  }
  const trainable = encoder.weights.filter((w) => w.trainable).map(variable);
  return {
    ...base,
    trainableVariables: () => [...trainable, ...params.trainable],
    namedVariables: () => new Map([...named, ...params.vars]),
    dispose: () => {
      params.dispose();
      encoder.dispose();
    },
  };
}
