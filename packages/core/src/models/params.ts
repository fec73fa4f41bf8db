import * as tf from '@tensorflow/tfjs-core';
import { type Rng, streamRng } from '../rng';

/**
 * Owns a model's variables, created in a fixed order from the seed's `init` stream, so the same seed gives the
 * same initial weights on every backend. Initialisation follows PyTorch's defaults for the layers' roles:
 * He (Kaiming) normal for convolutions and hidden dense layers, LeCun-uniform-like bounds for the head.
 */
export class ParamStore {
  readonly vars = new Map<string, tf.Variable>();
  readonly trainable: tf.Variable[] = [];
  private readonly rng: Rng;
  /** Each target's value after the updates queued this step (one entry a target, composed in queue order). */
  private readonly pending = new Map<tf.Variable, tf.Tensor>();

  constructor(seed: number) {
    // The seed's own stream for weights: a trainer given the same number draws its data order elsewhere.
    this.rng = streamRng(seed, 'init');
  }

  private add(name: string, value: tf.Tensor, trainable: boolean): tf.Variable {
    if (this.vars.has(name)) throw new Error(`duplicate variable name '${name}'`);
    const v = tf.variable(value, trainable, `${name}_${nextId()}`);
    value.dispose();
    this.vars.set(name, v);
    if (trainable) this.trainable.push(v);
    return v;
  }

  /** Conv filter [kh, kw, ci, co], He normal (fan_in = kh·kw·ci). */
  conv(name: string, kh: number, kw: number, ci: number, co: number): tf.Variable {
    const std = Math.sqrt(2 / (kh * kw * ci));
    return this.add(name, tf.tensor4d(this.rng.normals(kh * kw * ci * co, std), [kh, kw, ci, co]), true);
  }

  /** Dense weight [in, out]: He normal for hidden layers, U(±1/√in) for the linear head. */
  dense(name: string, inDim: number, outDim: number, kind: 'hidden' | 'head' = 'hidden'): tf.Variable {
    let values: Float32Array;
    if (kind === 'hidden') values = this.rng.normals(inDim * outDim, Math.sqrt(2 / inDim));
    else {
      const bound = 1 / Math.sqrt(inDim);
      values = new Float32Array(inDim * outDim);
      for (let i = 0; i < values.length; i++) values[i] = (this.rng.uniform() * 2 - 1) * bound;
    }
    return this.add(name, tf.tensor2d(values, [inDim, outDim]), true);
  }

  zeros(name: string, n: number, trainable = true): tf.Variable {
    return this.add(name, tf.zeros([n]), trainable);
  }

  ones(name: string, n: number, trainable = true): tf.Variable {
    return this.add(name, tf.ones([n]), trainable);
  }

  /**
   * Queues `target ← update(current)` for after the step, where `current` is the value the updates queued so far
   * leave (the target itself when none is): two training-mode passes in one step update a batch norm's running
   * statistics one after the other, as PyTorch's in-place buffer updates do, instead of the last pass overwriting
   * the first. The update is computed now (batch norm calls this inside its custom gradient's forward pass, where
   * no tape records); its intermediates are disposed, and the result is kept out of the surrounding tidy until
   * applied or discarded.
   */
  queueUpdate(target: tf.Variable, update: (current: tf.Tensor) => tf.Tensor): void {
    const previous = this.pending.get(target);
    const value = tf.keep(tf.tidy(() => update(previous ?? target)));
    previous?.dispose();
    this.pending.set(target, value);
  }

  applyUpdates(): void {
    for (const [target, value] of this.pending) {
      target.assign(value);
      value.dispose();
    }
    this.pending.clear();
  }

  discardUpdates(): void {
    for (const value of this.pending.values()) value.dispose();
    this.pending.clear();
  }

  dispose(): void {
    this.discardUpdates();
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
    this.trainable.length = 0;
  }
}

let counter = 0;
// tfjs variable names are global to the engine; a process-wide counter keeps two models apart.
function nextId(): number {
  counter += 1;
  return counter;
}
