import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_AFFINE } from './ChannelAffine';
import { PREACT_CONV2D } from './PreActConv2D';
import { relativeError, runOn, seededTensor, useWasm } from './test_utils';

const t = seededTensor;

// [batch, height, width, inChannels], filter [kh, kw, ·, outChannels], stride, pad
const cases: Array<[string, number[], number[], number, 'same' | 'valid']> = [
  ['Winograd F(4×4), 16 → 16 on 8×8', [2, 8, 8, 16], [3, 3, 16, 16], 1, 'same'],
  ['Winograd, tiles overhanging a 7×9 output, 16 → 20', [2, 7, 9, 16], [3, 3, 16, 20], 1, 'same'],
  ['direct 3×3 stride 2, 16 → 32', [3, 8, 8, 16], [3, 3, 16, 32], 2, 'same'],
  ['direct 1×1 stride 2 (no padding read: a grid all the same), 16 → 32', [2, 8, 8, 16], [1, 1, 16, 32], 2, 'same'],
  ['direct 3×3, 8 → 8 (Winograd does not pay)', [2, 6, 5, 8], [3, 3, 8, 8], 1, 'valid'],
  ['6 input channels: ChannelAffine, then FusedConv2D', [2, 6, 6, 6], [3, 3, 6, 8], 1, 'same'],
];

describe('SemixPreActConv2D: act(conv(relu(x·scale + shift)) + bias)', () => {
  beforeAll(useWasm);

  it.each(
    cases,
  )('%s: the bits of ChannelAffine (relu) then FusedConv2D, and within 2e-5 of cpu', async (_, xs, fs, stride, pad) => {
    const ci = xs[3];
    const co = fs[3];
    for (const [bias, activation] of [
      [true, 'relu'],
      [false, 'linear'],
    ] as const) {
      const inputs = () => ({
        x: t(xs, 1),
        // scales of both signs and shifts that make some of the pre-activation negative (ReLU'd to 0)
        scale: t([ci], 2),
        shift: tf.mul(t([ci], 3), 0.5),
        filter: t(fs, 4),
        ...(bias ? { bias: t([co], 5) } : {}),
      });
      const attrs = { strides: stride, pad, dataFormat: 'NHWC', dilations: 1, activation };
      const fused = () => tf.engine().runKernel(PREACT_CONV2D, inputs(), attrs as never) as tf.Tensor;
      const composed = () => {
        const { x, scale, shift, filter, bias: b } = inputs();
        const a = tf.engine().runKernel(CHANNEL_AFFINE, { a: x, scaleA: scale, shift }, { relu: true }) as tf.Tensor;
        return tf.fused.conv2d({
          x: a as tf.Tensor4D,
          filter: filter as tf.Tensor4D,
          strides: stride,
          pad,
          bias: b,
          activation,
        });
      };
      const reference = () => {
        const { x, scale, shift, filter, bias: b } = inputs();
        const a = tf.relu(tf.add(tf.mul(x, scale), shift)) as tf.Tensor4D;
        return tf.fused.conv2d({ x: a, filter: filter as tf.Tensor4D, strides: stride, pad, bias: b, activation });
      };
      const wasm = await runOn('wasm', fused);
      const parts = await runOn('wasm', composed);
      expect(wasm.shapes).toEqual(parts.shapes);
      expect(Array.from(wasm.values[0])).toEqual(Array.from(parts.values[0]));
      const cpu = await runOn('cpu', reference);
      expect(cpu.values[0].some((v) => v !== 0)).toBe(true);
      expect(relativeError(wasm.values[0], cpu.values[0])).toBeLessThanOrEqual(2e-5);
    }
  });

  it('frees every buffer it allocates, on the pre-activated and the composed paths', async () => {
    await useWasm();
    for (const ci of [16, 6]) {
      const x = t([2, 8, 8, ci], 1);
      const scale = t([ci], 2);
      const shift = t([ci], 3);
      const filter = t([3, 3, ci, 16], 4);
      const run = () =>
        tf.tidy(() => {
          const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'relu' };
          const y = tf.engine().runKernel(PREACT_CONV2D, { x, scale, shift, filter }, attrs as never) as tf.Tensor;
          return y.dataSync()[0];
        });
      run();
      const before = tf.backend().numDataIds();
      run();
      expect(tf.backend().numDataIds()).toBe(before);
      tf.dispose([x, scale, shift, filter]);
    }
  });

  it('refuses mismatched inputs, naming them and what they must be', async () => {
    await useWasm();
    const x = t([1, 4, 4, 8], 1);
    const filter = t([3, 3, 8, 4], 2);
    const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', activation: 'linear' } as never;
    const run = (inputs: Record<string, tf.Tensor>) => () => tf.engine().runKernel(PREACT_CONV2D, inputs, attrs);
    expect(run({ x, scale: t([4], 3), shift: t([8], 4), filter })).toThrow(
      /scale is float32 \[4\]; it must be float32 \[8\]/,
    );
    expect(run({ x, scale: t([8], 3), shift: t([8], 4), filter: t([3, 3, 4, 4], 5) })).toThrow(/filter is \[3,3,4,4\]/);
    expect(run({ x, scale: t([8], 3), shift: t([8], 4), filter, bias: t([3], 6) })).toThrow(
      /bias is float32 \[3\]; it must be float32 \[4\]/,
    );
    const prelu = { strides: 1, pad: 'same', dataFormat: 'NHWC', activation: 'prelu' } as never;
    expect(() =>
      tf.engine().runKernel(PREACT_CONV2D, { x, scale: t([8], 3), shift: t([8], 4), filter }, prelu),
    ).toThrow(/activation is 'prelu'; allowed: 'linear', 'relu'/);
  });
});
