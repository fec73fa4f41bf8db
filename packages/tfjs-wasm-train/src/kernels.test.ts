import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import { backend_util, type TensorInfo } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHANNEL_AFFINE } from './ChannelAffine';
import { CHANNEL_DOT } from './ChannelDot';
import { convolutionInfo, simdConvolution } from './Conv2D';
import { convolutionFilterGradient, filterGradientInfo, planSimd, simdFilterGradient } from './Conv2DBackpropFilter';
import { dilatedInputGradient, inputGradientInfo, simdInputGradient } from './Conv2DBackpropInput';
import { imageIntoGrid } from './kernel_utils';
import { MASKED_CHANNEL_SUMS } from './MaskedChannelSums';
import { sumRows } from './Sum';
import { planCorrelation } from './simd_conv';
import { relativeError, runOn, seededTensor, seededValues, useWasm } from './test_utils';

const TOLERANCE = 1e-4;
type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const explicit: Pad = [
  [0, 0],
  [1, 2],
  [0, 1],
  [0, 0],
];

async function agree(f: () => tf.Tensor | tf.Tensor[]) {
  const wasm = await runOn('wasm', f);
  const cpu = await runOn('cpu', f);
  expect(wasm.shapes).toEqual(cpu.shapes);
  cpu.values.forEach((ref, i) => {
    expect(relativeError(wasm.values[i], ref)).toBeLessThanOrEqual(TOLERANCE);
  });
  // A check that cannot fail is no check: the reference must not be all zeros.
  expect(cpu.values.some((v) => v.some((x) => x !== 0))).toBe(true);
}

/**
 * One path of a kernel, called directly on wasm, agrees with cpu's result. The path must not hand over (null
 * fails: Node has WebAssembly SIMD, so the SIMD kernels must have run).
 */
async function pathAgrees(
  cpu: { values: Float32Array[]; shapes: number[][] },
  path: (backend: BackendWasm) => TensorInfo | null,
) {
  const wasm = await runOn('wasm', () => {
    const out = path(tf.backend() as BackendWasm);
    expect(out).not.toBeNull();
    return tf.engine().makeTensorFromTensorInfo(out as TensorInfo);
  });
  expect(wasm.shapes).toEqual(cpu.shapes);
  expect(relativeError(wasm.values[0], cpu.values[0])).toBeLessThanOrEqual(TOLERANCE);
  expect(cpu.values[0].some((v) => v !== 0)).toBe(true);
}

const t = seededTensor;

// [batch, height, width, inChannels], [kh, kw, outChannels], strides, pad
const convCases: Array<[number[], number[], number | [number, number], Pad]> = [
  [[1, 7, 5, 1], [3, 3, 4], 1, 'same'],
  [[2, 8, 6, 3], [3, 3, 5], 2, 'same'], // output channels not a multiple of 4: dy padded for the SIMD kernel
  [[3, 9, 7, 3], [2, 3, 2], 2, 'valid'],
  [[2, 6, 9, 1], [5, 2, 3], [2, 1], 'valid'],
  [[1, 8, 8, 8], [3, 3, 6], 1, 'same'],
  [[2, 9, 6, 8], [3, 3, 4], 2, 'same'],
  [[3, 6, 9, 12], [3, 2, 4], 1, 'valid'],
  [[2, 9, 7, 16], [5, 5, 3], 1, 'same'],
  [[2, 6, 7, 24], [2, 2, 3], 1, 'same'], // even kernel: more padding at the bottom
  [[2, 7, 8, 3], [3, 2, 4], 1, explicit],
  [[2, 10, 7, 3], [3, 3, 2], 2, explicit],
  [[1, 5, 5, 3], [1, 1, 4], 1, 'valid'],
  // SIMD filter gradient: several vectors per pass (2 rows × 4 vectors), three passes over the output channels,
  // dy split into chunks of output rows (4 per call here, the last call 2).
  [[2, 11, 40, 4], [3, 3, 48], 2, 'same'],
  // one-channel input: 3 taps × 2 vectors per pass, chunks of 9 rows (the last 1)
  [[2, 28, 28, 1], [3, 3, 16], 1, 'same'],
  [[2, 7, 8, 4], [3, 2, 8], 1, explicit],
  [[1, 9, 9, 5], [3, 3, 36], [1, 2], 'valid'],
  // kernels smaller than the stride: residue classes of dx that no tap reaches (zeros)
  [[2, 9, 8, 4], [1, 1, 8], 2, 'valid'],
  [[1, 10, 9, 4], [2, 2, 4], 3, 'same'],
];

describe('wasm kernel pack vs cpu', () => {
  beforeAll(useWasm);

  it.each(convCases)('Conv2DBackpropFilter x%j k%j s%j %j', async (xs, [kh, kw, co], strides, pad) => {
    const dyShape = tf.tidy(
      () => tf.conv2d(t(xs, 1) as tf.Tensor4D, t([kh, kw, xs[3], co], 2) as tf.Tensor4D, strides, pad).shape,
    );
    await agree(
      () =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropFilter',
            { x: t(xs, 3), dy: t(dyShape, 4) },
            { strides, pad, dataFormat: 'NHWC', filterShape: [kh, kw, xs[3], co] },
          ) as tf.Tensor,
    );
  });

  it.each(convCases)('Conv2DBackpropFilter, SIMD kernel and its fallback, x%j k%j s%j %j', async (xs, [
    kh,
    kw,
    co,
  ], strides, pad) => {
    const dyShape = tf.tidy(
      () => tf.conv2d(t(xs, 1) as tf.Tensor4D, t([kh, kw, xs[3], co], 2) as tf.Tensor4D, strides, pad).shape,
    );
    const attrs = { strides, pad, dataFormat: 'NHWC', filterShape: [kh, kw, xs[3], co] } as never;
    const cpu = await runOn(
      'cpu',
      () => tf.engine().runKernel('Conv2DBackpropFilter', { x: t(xs, 3), dy: t(dyShape, 4) }, attrs) as tf.Tensor,
    );
    for (const path of [simdFilterGradient, convolutionFilterGradient]) {
      await pathAgrees(cpu, (backend) => {
        const x = t(xs, 3);
        return path(backend, x, t(dyShape, 4), filterGradientInfo(x, attrs));
      });
    }
  });

  it.each(convCases)('Conv2DBackpropInput, SIMD kernel and its fallback, x%j k%j s%j %j', async (xs, [
    kh,
    kw,
    co,
  ], strides, pad) => {
    const filterShape = [kh, kw, xs[3], co];
    const dyShape = tf.tidy(
      () => tf.conv2d(t(xs, 1) as tf.Tensor4D, t(filterShape, 2) as tf.Tensor4D, strides, pad).shape,
    );
    const attrs = { strides, pad, dataFormat: 'NHWC', inputShape: xs } as never;
    const run = () =>
      tf.engine().runKernel('Conv2DBackpropInput', { dy: t(dyShape, 5), filter: t(filterShape, 6) }, attrs);
    const cpu = await runOn('cpu', () => run() as tf.Tensor);
    for (const path of [simdInputGradient, dilatedInputGradient]) {
      await pathAgrees(cpu, (backend) => {
        const filter = t(filterShape, 6);
        return path(backend, t(dyShape, 5), filter, inputGradientInfo(filter, attrs));
      });
    }
  });

  it.each(convCases)('Conv2D and FusedConv2D (bias, ReLU) x%j k%j s%j %j', async (xs, [kh, kw, co], strides, pad) => {
    const filterShape = [kh, kw, xs[3], co];
    await agree(() => {
      const x = t(xs, 1) as tf.Tensor4D;
      const filter = t(filterShape, 2) as tf.Tensor4D;
      return [
        tf.conv2d(x, filter, strides, pad),
        tf.fused.conv2d({ x, filter, strides, pad, bias: t([co], 3), activation: 'relu' }),
        tf.fused.conv2d({ x, filter, strides, pad, bias: tf.scalar(0.25), activation: 'linear' }),
      ];
    });
    // The SIMD kernel itself.
    const cpu = await runOn('cpu', () =>
      tf.conv2d(t(xs, 1) as tf.Tensor4D, t(filterShape, 2) as tf.Tensor4D, strides, pad),
    );
    await pathAgrees(cpu, (backend) => {
      const x = t(xs, 1);
      const filter = t(filterShape, 2);
      const info = convolutionInfo(x, filter, { strides, pad, dataFormat: 'NHWC' });
      return info && simdConvolution(backend, x, filter, null, info, false);
    });
  });

  it('Conv2D: dilation, ReLU of NaN and other activations go where they should', async () => {
    await agree(() => {
      const x = t([2, 9, 8, 4], 30) as tf.Tensor4D;
      const filter = t([3, 3, 4, 8], 31) as tf.Tensor4D;
      return [
        tf.conv2d(x, filter, 1, 'same', 'NHWC', 2), // wasm's own kernel
        tf.fused.conv2d({ x, filter, pad: 'valid', strides: 1, bias: t([8], 32), activation: 'elu' }),
      ];
    });
    // A NaN input stays NaN through the ReLU, as on cpu (whose relu keeps x unless x < 0).
    const nanConv = () => {
      const x = tf.tensor4d([Number.NaN, 1, 2, 3], [1, 2, 2, 1]);
      const filter = tf.ones([1, 1, 1, 4]) as tf.Tensor4D;
      return tf.fused.conv2d({ x, filter, strides: 1, pad: 'valid', activation: 'relu' });
    };
    const [wasm, cpu] = [await runOn('wasm', nanConv), await runOn('cpu', nanConv)];
    expect(Array.from(wasm.values[0])).toEqual(Array.from(cpu.values[0]));
    expect(Number.isNaN(cpu.values[0][0])).toBe(true);
  });

  it('the SIMD correlation keeps 8 accumulators: up to 4 vectors of channels, then positions', () => {
    expect(planCorrelation(8)).toEqual({ positions: 2, vectors: 4 });
    expect(planCorrelation(4)).toEqual({ positions: 2, vectors: 4 });
    expect(planCorrelation(2)).toEqual({ positions: 4, vectors: 2 });
    expect(planCorrelation(1)).toEqual({ positions: 4, vectors: 1 });
    expect(planCorrelation(9)).toEqual({ positions: 2, vectors: 3 });
  });

  it('the SIMD filter gradient fills the registers: R·V accumulators, fewest loads per multiply-add', () => {
    const plan = (xs: number[], kh: number, kw: number, co: number) =>
      planSimd(
        backend_util.computeConv2DInfo(xs as [number, number, number, number], [kh, kw, xs[3], co], 1, 1, 'same'),
      );
    expect(plan([128, 14, 14, 16], 3, 3, 32)).toEqual({ rows: 2, vectors: 4 }); // conv2 of the reference step
    expect(plan([128, 28, 28, 1], 3, 3, 16)).toEqual({ rows: 3, vectors: 2 }); // conv1: taps of one channel
    expect(plan([8, 9, 9, 5], 3, 3, 36)).toEqual({ rows: 5, vectors: 1 }); // 9 vectors: no divisor ≤ 8 but 1, 3
    expect(plan([8, 9, 9, 7], 3, 3, 4)).toEqual({ rows: 7, vectors: 1 });
  });

  it.each(convCases)('Conv2DBackpropInput x%j k%j s%j %j', async (xs, [kh, kw, co], strides, pad) => {
    const dyShape = tf.tidy(
      () => tf.conv2d(t(xs, 1) as tf.Tensor4D, t([kh, kw, xs[3], co], 2) as tf.Tensor4D, strides, pad).shape,
    );
    await agree(
      () =>
        tf
          .engine()
          .runKernel(
            'Conv2DBackpropInput',
            { dy: t(dyShape, 5), filter: t([kh, kw, xs[3], co], 6) },
            { strides, pad, dataFormat: 'NHWC', inputShape: xs },
          ) as tf.Tensor,
    );
  });

  // [x shape], [kh, kw, multiplier], strides, pad, dilations
  const depthwiseCases: Array<[number[], number[], number, Pad, number]> = [
    [[1, 7, 5, 1], [3, 3, 1], 1, 'same', 1],
    [[2, 8, 6, 3], [3, 2, 2], 2, 'valid', 1],
    [[2, 9, 7, 3], [3, 3, 1], 1, 'same', 2],
    [[1, 8, 9, 3], [2, 3, 2], 1, 'valid', 2],
  ];
  it.each(depthwiseCases)('depthwise gradients x%j k%j s%j %j d%j', async (xs, [
    kh,
    kw,
    m,
  ], strides, pad, dilations) => {
    const filterShape = [kh, kw, xs[3], m];
    // tfjs-core's depthwise gradient refuses dilation > 1 and cpu's backprop kernels ignore the dilations
    // attribute, so with dilation d the reference is the undilated problem with the zero-inserted filter
    // (kh → (kh − 1)·d + 1): its input gradient is the same, and its filter gradient at the taps k·d is ours.
    const d = dilations;
    const effShape = [(kh - 1) * d + 1, (kw - 1) * d + 1, xs[3], m];
    const dyShape = tf.tidy(
      () =>
        tf.depthwiseConv2d(t(xs, 1) as tf.Tensor4D, t(filterShape, 2) as tf.Tensor4D, strides, pad, 'NHWC', d).shape,
    );
    const dilateFilter = (w: tf.Tensor) => {
      const values = w.dataSync();
      const out = new Float32Array(effShape.reduce((a, b) => a * b, 1));
      const inner = xs[3] * m;
      for (let i = 0; i < kh; i++)
        for (let j = 0; j < kw; j++)
          for (let c = 0; c < inner; c++)
            out[(i * d * effShape[1] + j * d) * inner + c] = values[(i * kw + j) * inner + c];
      return tf.tensor(out, effShape);
    };
    const pickTaps = (dw: tf.Tensor) => tf.stridedSlice(dw, [0, 0, 0, 0], effShape, [d, d, 1, 1]);
    const wasm = await runOn('wasm', () => [
      tf
        .engine()
        .runKernel(
          'DepthwiseConv2dNativeBackpropFilter',
          { x: t(xs, 7), dy: t(dyShape, 8) },
          { strides, pad, dilations: d, filterShape },
        ) as tf.Tensor,
      tf
        .engine()
        .runKernel(
          'DepthwiseConv2dNativeBackpropInput',
          { dy: t(dyShape, 9), filter: t(filterShape, 10) },
          { strides, pad, dilations: d, inputShape: xs },
        ) as tf.Tensor,
    ]);
    const cpu = await runOn('cpu', () => [
      pickTaps(
        tf
          .engine()
          .runKernel(
            'DepthwiseConv2dNativeBackpropFilter',
            { x: t(xs, 7), dy: t(dyShape, 8) },
            { strides, pad, dilations: 1, filterShape: effShape },
          ) as tf.Tensor,
      ),
      tf
        .engine()
        .runKernel(
          'DepthwiseConv2dNativeBackpropInput',
          { dy: t(dyShape, 9), filter: dilateFilter(t(filterShape, 10)) },
          { strides, pad, dilations: 1, inputShape: xs },
        ) as tf.Tensor,
    ]);
    expect(wasm.shapes).toEqual(cpu.shapes);
    for (const [i, ref] of cpu.values.entries()) {
      expect(relativeError(wasm.values[i], ref)).toBeLessThanOrEqual(TOLERANCE);
    }
    expect(cpu.values.every((v) => v.some((x) => x !== 0))).toBe(true);
  });

  const poolCases: Array<[number[], number, number, 'same' | 'valid']> = [
    [[2, 8, 8, 3], 2, 2, 'same'],
    [[1, 7, 5, 2], 2, 2, 'same'],
    [[2, 9, 7, 1], 3, 2, 'valid'],
    [[1, 6, 6, 4], 3, 1, 'same'],
    [[1, 7, 5, 2], 2, 2, 'valid'],
    // Exact 2×2 tiling, channels a multiple of 4: the WebAssembly SIMD kernel.
    [[2, 8, 6, 4], 2, 2, 'valid'],
    [[3, 12, 10, 16], 2, 2, 'same'],
    [[1, 2, 2, 8], 2, 2, 'valid'],
  ];
  it.each(poolCases)('MaxPoolGrad x%j f%j s%j %j', async (xs, filter, strides, pad) => {
    await agree(() => {
      const x = t(xs, 10);
      return tf.grad((a: tf.Tensor) => {
        const y = tf.maxPool(a as tf.Tensor4D, filter, strides, pad);
        return tf.sum(tf.mul(y, t(y.shape, 11)));
      })(x);
    });
  });

  it('MaxPoolGrad 2×2/2 with ties (values rounded to integers): the first maximum of a window gets it', async () => {
    await agree(() => {
      const x = tf.round(tf.mul(t([2, 6, 8, 3], 20), 1.5));
      return tf.grad((a: tf.Tensor) => {
        const y = tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid');
        return tf.sum(tf.mul(y, t(y.shape, 21)));
      })(x);
    });
  });

  it('MaxPoolGrad SIMD kernel: ties (integers, and zeros as after a ReLU) and NaN agree with cpu', async () => {
    await agree(() => {
      const rounded = tf.round(tf.mul(t([2, 6, 8, 8], 22), 1.5));
      const relu = tf.relu(t([2, 6, 8, 8], 23));
      const withNaN = tf.tidy(() => {
        const v = t([1, 4, 4, 4], 24).dataSync().slice();
        // NaN in each window position (a, b, c, d) of different windows and channels.
        for (const i of [0, 5, 4 * 4 + 2, 4 * 4 + 4 + 3, 8 * 4 + 1]) v[i] = Number.NaN;
        return tf.tensor4d(v, [1, 4, 4, 4]);
      });
      return [rounded, relu, withNaN].map((x) =>
        tf.grad((a: tf.Tensor) => {
          const y = tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid');
          return tf.sum(tf.mul(y, t(y.shape, 25)));
        })(x),
      );
    });
  });

  it.each([
    [0, 1, 8],
    [0, 16, 8],
    [2, 0, 8],
    [2, 4, 0],
  ])('Conv2DBackpropFilter with %i images, %i input and %i output channels is zero', (n, ci, co) => {
    const values = tf.tidy(() => {
      const x = tf.zeros([n, 6, 6, ci]);
      const dy = tf.zeros([n, 6, 6, co]);
      const attrs = { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, ci, co] };
      return Array.from(
        (tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, attrs as never) as tf.Tensor).dataSync(),
      );
    });
    expect(values).toHaveLength(9 * ci * co);
    expect(values.every((v) => v === 0)).toBe(true);
  });

  it('Conv2D with no input channels is its bias, through the activation (wasm 4.22 returned stale memory)', async () => {
    await agree(() => {
      const x = tf.zeros([2, 5, 5, 0]) as tf.Tensor4D;
      const filter = tf.zeros([3, 3, 0, 4]) as tf.Tensor4D;
      return [
        tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias: t([4], 40) }),
        tf.fused.conv2d({ x, filter, strides: 2, pad: 'same', bias: t([4], 41), activation: 'relu' }),
        tf.add(tf.conv2d(x, filter, 1, 'valid'), 1),
      ];
    });
  });

  it.each([
    [0, 3],
    [2, 0],
  ])('Conv2DBackpropInput with an empty batch (%i images) or no output channels (%i) returns the right shape', (n, co) => {
    const out = tf.tidy(() => {
      const dy = tf.zeros([n, 3, 3, co]);
      const filter = tf.zeros([3, 3, 4, co]);
      const attrs = { strides: 2, pad: 'same', dataFormat: 'NHWC', inputShape: [n, 6, 6, 4] };
      const dx = tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs as never) as tf.Tensor;
      return { shape: dx.shape, values: Array.from(dx.dataSync()) };
    });
    expect(out.shape).toEqual([n, 6, 6, 4]);
    expect(out.values.every((v) => v === 0)).toBe(true);
  });

  it('BatchMatMul over an empty inner dimension is zero (a weight gradient over an empty batch)', () => {
    const values = tf.tidy(() => [
      ...tf.matMul(tf.zeros([0, 3]), tf.zeros([0, 4]), true, false).dataSync(),
      ...tf.matMul(tf.zeros([3, 0]), tf.zeros([0, 4])).dataSync(),
      ...tf.matMul(tf.zeros([2, 3, 0]), tf.zeros([2, 4, 0]), false, true).dataSync(),
    ]);
    expect(values).toHaveLength(12 + 12 + 24);
    expect(values.every((v) => v === 0)).toBe(true);
  });

  it('MaxPoolGrad on an empty batch returns an empty gradient (the SIMD loops never run empty)', () => {
    const shape = tf.tidy(
      () =>
        tf.grad((a: tf.Tensor) => tf.sum(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid')))(tf.zeros([0, 4, 4, 4])).shape,
    );
    expect(shape).toEqual([0, 4, 4, 4]);
  });

  it('UnsortedSegmentSum and the gather gradient', async () => {
    await agree(() => {
      const x = t([6, 3, 2], 12);
      const ids = tf.tensor1d([2, 0, 2, 4, 1, 0], 'int32');
      const direct = tf.unsortedSegmentSum(x, ids, 5);
      const perm = tf.tensor1d([3, 1, 1, 0, 5, 2, 4], 'int32');
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.gather(a, perm), t([7, 3, 2], 13))))(x);
      return [direct, g];
    });
  });

  it('GatherV2 on every axis, 2-D indices, int32 values, small and large trailing blocks', async () => {
    await agree(() => {
      const x = t([5, 4, 3, 2], 14);
      const big = t([6, 8, 8, 3], 15);
      const idx = tf.tensor1d([4, 0, 0, 2, 3], 'int32');
      const idx2 = tf.tensor2d(
        [
          [1, 0],
          [2, 2],
          [0, 1],
        ],
        [3, 2],
        'int32',
      );
      const ints = tf.tensor2d(
        [
          [3, 1, 4],
          [1, 5, 9],
          [2, 6, 5],
        ],
        [3, 3],
        'int32',
      );
      return [
        tf.gather(x, idx, 0),
        tf.gather(x, tf.tensor1d([3, 1, 0], 'int32'), 1),
        tf.gather(x, idx2, 2),
        tf.gather(x, tf.tensor1d([1, 1, 0], 'int32'), 3),
        tf.gather(big, tf.tensor1d([5, 4, 3, 2, 1, 0], 'int32')),
        tf.cast(tf.gather(ints, tf.tensor1d([2, 0], 'int32'), 1), 'float32'),
      ];
    });
  });

  it('Tile on every axis, several at once, int32, and the batch-norm gradient that uses it', async () => {
    await agree(() => {
      const stats = t([1, 1, 1, 5], 16);
      const x = t([2, 3, 4], 17);
      const ints = tf.tensor2d(
        [
          [1, 2],
          [3, 4],
        ],
        [2, 2],
        'int32',
      );
      const act = t([4, 5, 6, 5], 18);
      const bnGrad = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        const y = tf.batchNorm(a as tf.Tensor4D, mean, variance, b as tf.Tensor1D, g as tf.Tensor1D, 1e-5);
        return tf.sum(tf.mul(y, t([4, 5, 6, 5], 19)));
      })([act, tf.ones([5]), tf.zeros([5])]);
      return [
        tf.tile(stats, [3, 4, 2, 1]),
        tf.tile(x, [2, 1, 3]),
        tf.tile(x, [1, 2, 1]),
        tf.cast(tf.tile(ints, [3, 2]), 'float32'),
        ...bnGrad,
      ];
    });
  });

  it('Identity shares memory: a clone outlives its source, and no tensor or byte leaks', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory();
    const a = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const b = tf.clone(a);
    const c = tf.clone(b);
    a.dispose();
    expect(Array.from(b.dataSync())).toEqual([1, 2, 3, 4]);
    b.dispose();
    expect(Array.from(c.dataSync())).toEqual([1, 2, 3, 4]);
    c.dispose();
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });

  it('GatherV2 rejects an index out of range', async () => {
    await tf.setBackend('wasm');
    const x = tf.tensor2d([
      [1, 2],
      [3, 4],
    ]);
    const bad = tf.tensor1d([0, 2], 'int32');
    expect(() => tf.gather(x, bad)).toThrow(/GatherV2: the index value 2 is not in \[0, 1\]/);
    tf.dispose([x, bad]);
  });

  it('OneHot with float on/off values (label smoothing) and int32', async () => {
    await agree(() => {
      const ids = tf.tensor1d([2, 0, 4, 1], 'int32');
      return [tf.oneHot(ids, 5, 0.92, 0.02, 'float32'), tf.cast(tf.oneHot(ids, 5), 'float32')];
    });
  });

  it('BatchMatMul with transposes, and Sum and Mean over leading and other axes, empty ones included', async () => {
    await agree(() => {
      const a = t([2, 5, 4], 14);
      const b = t([2, 5, 3], 15);
      const c = t([2, 3, 4], 16);
      const x = t([3, 4, 5, 6], 17);
      return [
        tf.matMul(a, b, true, false),
        tf.matMul(b, c, false, false),
        tf.matMul(a, c, false, true),
        tf.matMul(b, t([2, 4, 5], 18), true, true),
        tf.sum(x, [0, 1, 2]),
        tf.sum(x, [0], true),
        tf.sum(x, [1, 3]),
        tf.sum(x),
        tf.sum(t([7, 3, 5], 19), [0]), // odd columns: the JavaScript loop; one block of four rows and three more
        tf.sum(t([7, 2, 6], 19), [0, 1]), // the SIMD kernel: three blocks of four rows and two more
        tf.mean(x, [0, 1, 2]),
        tf.mean(t([7, 3, 5], 19), [0], true),
        tf.mean(x, [1, 2]),
        tf.mean(x),
        tf.sum(tf.zeros([3, 0]), 0),
        tf.sum(tf.zeros([0, 4]), 0),
      ];
    });
    // The mean of nothing is 0/0, as in NumPy and PyTorch (tfjs's cpu backend returns 0).
    const empty = await runOn('wasm', () => tf.mean(tf.zeros([0, 4]), 0));
    expect(Array.from(empty.values[0])).toEqual([Number.NaN, Number.NaN, Number.NaN, Number.NaN]);
  });

  it('ChannelAffine with relu equals relu(a·scale + shift) on cpu bit for bit, SIMD (16 channels) and JavaScript (6)', async () => {
    for (const channels of [16, 6]) {
      const shape = [3, 5, 7, channels];
      const inputs = () => {
        const a = t(shape, 40 + channels);
        // a shift of either sign, so that about half the outputs are clamped
        return [a, t([channels], 41), t([channels], 42)];
      };
      const cpu = await runOn('cpu', () => {
        const [a, scale, shift] = inputs();
        return tf.relu(tf.add(tf.mul(a, scale), shift));
      });
      const wasm = await runOn('wasm', () => {
        const [a, scaleA, shift] = inputs();
        return tf.engine().runKernel(CHANNEL_AFFINE, { a, scaleA, shift }, { relu: true }) as tf.Tensor;
      });
      const unclamped = await runOn('wasm', () => {
        const [a, scaleA, shift] = inputs();
        return tf.engine().runKernel(CHANNEL_AFFINE, { a, scaleA, shift }) as tf.Tensor;
      });
      expect(Array.from(wasm.values[0])).toEqual(Array.from(cpu.values[0]));
      const zeros = cpu.values[0].filter((v) => v === 0).length;
      expect(zeros).toBeGreaterThan(cpu.values[0].length / 5);
      expect(unclamped.values[0].some((v) => v < 0)).toBe(true);
    }
  });

  it('imageIntoGrid: each image in turn into the interior of one zeroed grid, channels padded, the borders left zero', () => {
    for (const [top, left, hg, wg, c4] of [
      [1, 1, 7, 6, 2],
      [0, 0, 5, 4, 2],
      [2, 0, 8, 4, 4],
      [0, 1, 5, 7, 4],
    ]) {
      const [n, h, w, c] = [3, 5, 4, 2];
      // images and grid in one buffer, as in the backend's heap (the copies go through copyWithin on it)
      const heap = new Float32Array(n * h * w * c + hg * wg * c4);
      const images = heap.subarray(0, n * h * w * c);
      images.set(seededValues(n * h * w * c, 50 + top));
      const gridAt = 4 * images.length;
      const grid = heap.subarray(images.length);
      const fill = imageIntoGrid(images, [h, w, c], wg * c4, c4, top, left);
      for (let b = 0; b < n; b++) {
        fill(b, gridAt);
        const want = new Float32Array(grid.length);
        for (let y = 0; y < h; y++)
          for (let x = 0; x < w; x++)
            for (let k = 0; k < c; k++)
              want[((y + top) * wg + x + left) * c4 + k] = images[((b * h + y) * w + x) * c + k];
        expect(Array.from(grid)).toEqual(Array.from(want));
      }
    }
  });

  it('semix channel kernels refuse mismatched inputs, naming them', () => {
    const a = tf.zeros([2, 3, 4]);
    const wrong = tf.zeros([3]);
    expect(() => tf.engine().runKernel(CHANNEL_AFFINE, { a, scaleA: wrong, shift: wrong })).toThrow(
      /scaleA is float32 \[3\]; it must be float32 \[4\]/,
    );
    expect(() => tf.engine().runKernel(CHANNEL_DOT, { a, b: wrong })).toThrow(/both must be float32 of one shape/);
    tf.dispose([a, wrong]);
  });

  it.each([
    8, 6, 5,
  ])('batch norm + ReLU gradient sums (%i channels): Σ dy·step(y) and Σ dy·step(y)·x as cpu computes them; the mask inside dx', async (c) => {
    // 55 rows: 13 blocks of four and 3 single rows; y negative, zero, positive and NaN (in the last channel only).
    const rows = 55;
    const dy = seededValues(rows * c, 41);
    const x = seededValues(rows * c, 42).map((v) => v * 3 + 1);
    const y = seededValues(rows * c, 43).map((v, i) => (i % 7 === 0 ? 0 : i % c === c - 1 && i > 100 ? Number.NaN : v));
    const inputs = () => [dy, y, x].map((v) => tf.tensor2d(v, [rows, c]));
    const wasm = await runOn('wasm', () => {
      const [d, m, xs] = inputs();
      const sums = tf.engine().runKernel(MASKED_CHANNEL_SUMS, { dy: d, mask: m, x: xs }) as tf.Tensor[];
      const gs = tf.linspace(0.5, 1.5, c);
      const k = tf.linspace(-0.2, 0.3, c);
      const shift = tf.linspace(0.1, -0.1, c);
      const dx = tf.engine().runKernel(CHANNEL_AFFINE, { a: d, mask: m, scaleA: gs, b: xs, scaleB: k, shift });
      return [...sums, dx as tf.Tensor];
    });
    // The reference: tfjs's own ops on cpu (Step, Multiply, Sum), independent of the pack.
    const cpu = await runOn('cpu', () => {
      const [d, m, xs] = inputs();
      const masked = tf.mul(d, tf.step(m));
      const gs = tf.linspace(0.5, 1.5, c);
      const k = tf.linspace(-0.2, 0.3, c);
      const shift = tf.linspace(0.1, -0.1, c);
      const dx = tf.add(tf.add(tf.mul(masked, gs), tf.mul(xs, k)), shift);
      return [tf.sum(masked, 0), tf.sum(tf.mul(masked, xs), 0), dx];
    });
    for (const [i, ref] of cpu.values.entries()) {
      const got = wasm.values[i];
      expect(got.length).toBe(ref.length);
      // NaN exactly where cpu has NaN (the last channel's sums, and dx where y is NaN); the rest within tolerance.
      expect(Array.from(got, Number.isNaN)).toEqual(Array.from(ref, Number.isNaN));
      const finite = (v: Float32Array) => v.filter((_, j) => !Number.isNaN(ref[j]));
      expect(relativeError(finite(got), finite(ref))).toBeLessThanOrEqual(1e-6);
      expect(finite(ref).some((v) => v !== 0)).toBe(true);
    }
    expect(Number.isNaN(cpu.values[0][c - 1])).toBe(true);
  });

  it.each([
    8, 6, 5,
  ])('centered batch-norm passes (%i channels): x − μ inside ChannelDot (variance), ChannelAffine (centerA, centerB) and the masked sums, as cpu computes them from tf.sub', async (c) => {
    const rows = 55;
    const x = seededValues(rows * c, 44).map((v) => v * 3 + 1);
    const dy = seededValues(rows * c, 45);
    const y = seededValues(rows * c, 46).map((v, i) => (i % 5 === 0 ? 0 : v));
    const center = seededValues(c, 47).map((v) => v + 1);
    const inputs = () => [...[x, dy, y].map((v) => tf.tensor2d(v, [rows, c])), tf.tensor1d(center)];
    // per-channel parameters as given values (tf.linspace rounds differently on wasm and cpu)
    const line = (from: number, to: number) =>
      tf.tensor1d(Array.from({ length: c }, (_, i) => from + ((to - from) * i) / c));
    const params = () => [line(0.5, 1.5), line(-0.2, 0.3), line(0.1, -0.1)];
    const wasm = await runOn('wasm', () => {
      const [xs, d, m, mu] = inputs();
      const [s1, s2, shift] = params();
      const run = (inputs: tf.NamedTensorMap, attrs = {}) => tf.engine().runKernel(CHANNEL_AFFINE, inputs, attrs);
      const sums = tf.engine().runKernel(MASKED_CHANNEL_SUMS, { dy: d, mask: m, x: xs, center: mu }) as tf.Tensor[];
      return [
        tf.engine().runKernel(CHANNEL_DOT, { a: xs, b: xs, center: mu }, { mean: true }) as tf.Tensor,
        tf.engine().runKernel(CHANNEL_DOT, { a: xs, b: d, center: mu }) as tf.Tensor,
        run({ a: xs, centerA: mu, scaleA: s1, shift }, { relu: true }) as tf.Tensor,
        run({ a: d, mask: m, scaleA: s1, b: xs, centerB: mu, scaleB: s2, shift }) as tf.Tensor,
        ...sums,
      ];
    });
    // The reference: tfjs's own ops on cpu with the centered copy, independent of the pack.
    const cpu = await runOn('cpu', () => {
      const [xs, d, m, mu] = inputs();
      const [s1, s2, shift] = params();
      const xc = tf.sub(xs, mu);
      const masked = tf.mul(d, tf.step(m));
      return [
        tf.mean(tf.square(xc), 0),
        tf.sum(tf.mul(tf.sub(d, mu), xc), 0),
        tf.relu(tf.add(tf.mul(xc, s1), shift)),
        tf.add(tf.add(tf.mul(masked, s1), tf.mul(xc, s2)), shift),
        tf.sum(masked, 0),
        tf.sum(tf.mul(masked, xc), 0),
      ];
    });
    for (const [i, ref] of cpu.values.entries()) {
      expect(wasm.values[i].length).toBe(ref.length);
      // Elementwise passes round as cpu's ops do, bit for bit; the sums (float64 against cpu's float32) within 1e-6.
      if (i === 2 || i === 3) expect(Array.from(wasm.values[i])).toEqual(Array.from(ref));
      else expect(relativeError(wasm.values[i], ref)).toBeLessThanOrEqual(1e-6);
      expect(ref.some((v) => v !== 0)).toBe(true);
    }
  });

  it('Sum over leading axes: the SIMD kernel equals the float64 loop bit for bit', async () => {
    const [outer, inner] = [4 * 97 + 3, 2 * 21];
    const x = seededValues(outer * inner, 31).map((v) => v * 1e3 + 1e-3);
    const wasm = await runOn('wasm', () => tf.sum(tf.tensor2d(x, [outer, inner]), 0));
    expect(Array.from(wasm.values[0])).toEqual(Array.from(Float32Array.from(sumRows(x, outer, inner))));
  });

  it('tf.grads of a small convnet loss agree between wasm and cpu', async () => {
    await agree(() => {
      const x = t([4, 12, 10, 3], 20);
      const w1 = t([3, 3, 3, 6], 21);
      const w2 = t([3, 3, 6, 8], 22);
      const wd = t([3 * 3 * 8, 5], 23);
      const labels = tf.oneHot(tf.tensor1d([0, 3, 1, 4], 'int32'), 5);
      const perm = tf.tensor1d([2, 0, 3, 1], 'int32');
      const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => {
        const mixed = tf.add(tf.mul(x, 0.7), tf.mul(tf.gather(x, perm), 0.3));
        let h = tf.relu(tf.conv2d(mixed as tf.Tensor4D, a as tf.Tensor4D, 1, 'same'));
        h = tf.maxPool(h, 2, 2, 'same');
        h = tf.relu(tf.conv2d(h, b as tf.Tensor4D, 2, 'same'));
        const z = tf.reshape(h, [4, -1]);
        const logits = tf.matMul(z, c);
        return tf.mean(tf.neg(tf.sum(tf.mul(labels, tf.logSoftmax(logits)), 1))) as tf.Scalar;
      };
      return tf.grads(loss)([w1, w2, wd]);
    });
  });
});
