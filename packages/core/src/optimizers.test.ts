import { ADAM_UPDATE } from '@semix/tfjs-wasm-train';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, describe, expect, it } from 'vitest';
import { selectBackend } from './backend';
import { adam } from './optimizers';
import { Rng } from './rng';

afterAll(() => selectBackend('wasm'));

/** Variables of these shapes (sizes 4·k, and 1, 7, 30: values outside whole groups of four), seeded. */
function variables(tag: string, shapes: number[][]): tf.Variable[] {
  const rng = new Rng(11);
  return shapes.map((shape, i) => {
    const values = rng.normals(
      shape.reduce((p, q) => p * q, 1),
      1,
    );
    return tf.tidy(() => tf.variable(tf.tensor(values, shape), true, `${tag}-${tf.getBackend()}-${i}`));
  });
}

const bits = (t: tf.Tensor) => Array.from(new Uint32Array((t.dataSync() as Float32Array).slice().buffer));

describe('adam (fused on wasm)', () => {
  it.each(['wasm', 'cpu'] as const)('%s: the same numbers as tfjs Adam, bit for bit, over steps', async (backend) => {
    await selectBackend(backend);
    expect(tf.getKernel(ADAM_UPDATE, 'wasm')).toBeDefined();
    const shapes = [[3, 3, 2, 8], [64], [7], [1], [5, 6]];
    const before = tf.memory().numTensors;
    const ours = variables('ours', shapes);
    const theirs = variables('theirs', shapes);
    const ourOpt = adam(0.01);
    const theirOpt = tf.train.adam(0.01);
    const rng = new Rng(5);
    for (let step = 0; step < 6; step++) {
      // Gradients of mixed scale (some tiny, some large), one variable without a gradient at step 2.
      const grads = shapes.map((shape) => {
        const n = shape.reduce((a, b) => a * b, 1);
        return tf.tensor(rng.normals(n, step % 2 === 0 ? 1e-3 : 30), shape);
      });
      // tfjs matches moments to variables by position: a variable without a gradient keeps its place (null).
      const map = (vars: tf.Variable[]) =>
        Object.fromEntries(vars.map((v, i) => [v.name, step === 2 && i === 1 ? null : grads[i]])) as never;
      ourOpt.applyGradients(map(ours));
      theirOpt.applyGradients(map(theirs));
      tf.dispose(grads);
    }
    for (const [i, v] of ours.entries()) expect(bits(v)).toEqual(bits(theirs[i]));
    // The moments and the iteration count, as a checkpoint stores them.
    const [a, b] = [await ourOpt.getWeights(), await theirOpt.getWeights()];
    expect(a.map((w) => w.name.replace('ours', ''))).toEqual(b.map((w) => w.name.replace('theirs', '')));
    for (const [i, w] of a.entries()) expect(bits(w.tensor)).toEqual(bits(b[i].tensor));
    // The update really moved the weights (a check that cannot fail is no check).
    const fresh = variables('fresh', shapes);
    expect(bits(ours[0])).not.toEqual(bits(fresh[0]));
    tf.dispose([a[0].tensor, b[0].tensor]); // getWeights' iteration scalars are new tensors
    ourOpt.dispose();
    theirOpt.dispose();
    tf.dispose([...ours, ...theirs, ...fresh]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
