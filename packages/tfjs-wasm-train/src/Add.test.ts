import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { channelAddend } from './Add';
import { runOn, seededTensor, seededValues, useWasm } from './test_utils';

beforeAll(useWasm);

/** The float32 bits of each value, NaN as one pattern (its payload is not Add's to keep). */
const bits = (values: Float32Array) =>
  Array.from(new Uint32Array(Float32Array.from(values, (v) => (Number.isNaN(v) ? Number.NaN : v)).buffer));

/** x with −0, ±∞ and NaN among its first values, the rest seeded. */
function specialTensor(shape: number[], seed: number): tf.Tensor {
  const values = seededValues(
    shape.reduce((p, d) => p * d, 1),
    seed,
  );
  const special = [-0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, Number.NaN, 0, -0];
  values.set(special.slice(0, values.length));
  return tf.tensor(values, shape);
}

describe('Add', () => {
  it('a per-channel vector over [..., C] (C in fours, either order) is cpu’s sum bit for bit, −0, ±∞ and NaN included', async () => {
    const cases: Array<[number[], number[], boolean]> = [
      [[3, 5, 7, 16], [16], false],
      [[3, 5, 7, 16], [16], true], // bias + x
      [[2, 3, 4, 8], [1, 1, 1, 8], false],
      [[2, 3, 4, 8], [1, 8], true],
      [[6, 12], [12], false],
      [[8], [8], false],
    ];
    for (const [xShape, biasShape, biasFirst] of cases) {
      const inputs = () => {
        const x = specialTensor(xShape, 7);
        const bias = tf.tensor(
          Float32Array.from({ length: biasShape.at(-1) as number }, (_, i) => [0, -0][i] ?? i / 3 - 1),
          biasShape,
        );
        return biasFirst ? [bias, x] : [x, bias];
      };
      const [first, second] = inputs();
      expect(channelAddend(first, second)).toBe(biasFirst ? 'a' : 'b');
      tf.dispose([first, second]);
      const wasm = await runOn('wasm', () => {
        const [a, b] = inputs();
        return tf.add(a, b);
      });
      const cpu = await runOn('cpu', () => {
        const [a, b] = inputs();
        return tf.add(a, b);
      });
      expect(wasm.shapes).toEqual(cpu.shapes);
      expect(bits(wasm.values[0])).toEqual(bits(cpu.values[0]));
      expect(cpu.values[0].some((v) => v !== 0 && Number.isFinite(v))).toBe(true);
    }
  });

  it('leaves every other case to wasm’s own kernel, with cpu’s results', async () => {
    const before = tf.memory().numTensors;
    const cases: Array<[number[], number[], tf.DataType]> = [
      [[2, 3, 4, 6], [6], 'float32'], // channels not in fours
      [[2, 3, 4, 8], [2, 3, 4, 8], 'float32'], // same shape
      [[2, 3, 4, 8], [3, 1, 8], 'float32'], // broadcast over other axes
      [[2, 3, 4, 8], [8], 'int32'],
      [[0, 8], [8], 'float32'], // empty
      [[], [], 'float32'],
    ];
    for (const [aShape, bShape, dtype] of cases) {
      const inputs = () => [seededTensor(aShape, 3), seededTensor(bShape, 4)].map((t) => tf.cast(tf.mul(t, 50), dtype));
      tf.tidy(() => {
        const [a, b] = inputs();
        expect(channelAddend(a, b)).toBeNull();
      });
      const wasm = await runOn('wasm', () => {
        const [x, y] = inputs();
        return tf.add(x, y);
      });
      const cpu = await runOn('cpu', () => {
        const [x, y] = inputs();
        return tf.add(x, y);
      });
      expect(wasm.shapes).toEqual(cpu.shapes);
      expect(Array.from(wasm.values[0])).toEqual(Array.from(cpu.values[0]));
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
