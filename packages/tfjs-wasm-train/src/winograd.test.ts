import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { convolutionInfo } from './Conv2D';
import { filterGradientInfo } from './Conv2DBackpropFilter';
import { inputGradientInfo } from './Conv2DBackpropInput';
import { relativeError, runOn, seededTensor, useWasm } from './test_utils';
import { chunkImages, setWinogradFilterTile, setWinogradTile, winogradCorrelation, winogradPays } from './winograd';
import { winogradFilterGradient, winogradFilterGradientPays } from './winograd_filter_grad';

/**
 * The bound winograd.ts states: max |error| ≤ 5e-6 · max(1, max |reference|) for inputs in [−1, 1] (measured on
 * these cases: at most 1.0e-6).
 */
const WINOGRAD_TOLERANCE = 5e-6;
/** F(4×4, 3×3)'s bound as winograd.ts states it: 2e-5 · max(1, max |reference|) (measured: at most 7.3e-6, at 128 channels). */
const WINOGRAD4_TOLERANCE = 2e-5;

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];
const explicit: Pad = [
  [0, 0],
  [1, 2],
  [0, 1],
  [0, 0],
];
const t = seededTensor;

// [batch, height, width, inChannels], outChannels, pad
const cases: Array<[number[], number, Pad]> = [
  [[1, 7, 5, 1], 4, 'same'], // batch 1, odd sizes: the last tiles are cut
  [[2, 8, 6, 3], 5, 'same'], // channels not multiples of 4 on both sides
  [[3, 9, 7, 6], 2, 'valid'],
  [[2, 7, 8, 4], 8, explicit],
  [[1, 3, 3, 8], 12, 'valid'], // one output
  [[2, 4, 4, 128], 128, 'same'], // the last stage of preact-resnet18 ×0.25
  [[3, 12, 12, 64], 64, 'same'], // one image per chunk of tiles: three chunks
  [[5, 6, 10, 20], 12, 'same'], // several images per chunk
  [[1, 7, 9, 18], 22, 'same'], // from 16 channels, not multiples of 4, odd sizes
  [[2, 8, 7, 16], 16, 'valid'],
  [[2, 9, 6, 17], 20, explicit],
  // from 32 channels and 8 × 8 outputs: Winograd for the filter gradient too
  [[1, 9, 11, 33], 34, 'same'],
  [[2, 10, 11, 32], 36, 'valid'],
  [[2, 9, 10, 32], 32, explicit],
];

/** Runs Winograd on wasm (it must not hand over) and returns its output and the reference's error. */
async function winogradAgrees(
  cpu: { values: Float32Array[]; shapes: number[][] },
  path: (b: BackendWasm) => TensorInfo | null,
  tolerance = WINOGRAD_TOLERANCE,
) {
  const wasm = await runOn('wasm', () => {
    const out = path(tf.backend() as BackendWasm);
    expect(out).not.toBeNull();
    return tf.engine().makeTensorFromTensorInfo(out as TensorInfo);
  });
  expect(wasm.shapes).toEqual(cpu.shapes);
  expect(cpu.values[0].some((v) => v !== 0)).toBe(true);
  const error = relativeError(wasm.values[0], cpu.values[0]);
  if (process.env.WINOGRAD_ERRORS) console.log(`winograd error ${error.toExponential(2)}`);
  expect(error).toBeLessThanOrEqual(tolerance);
}

describe('Winograd (F(2×2, 3×3), F(4×4, 3×3); filter gradients F(3×3, 2×2), F(3×3, 4×4)) vs cpu', () => {
  beforeAll(useWasm);

  // Both tiles, each held to its bound: F(2×2, 3×3) at 5e-6, F(4×4, 3×3) at 2e-5.
  const tileCases = ([2, 4] as const).flatMap((tile) => cases.map(([xs, co, pad]) => [tile, xs, co, pad] as const));
  const toleranceOf = (tile: 2 | 4) => (tile === 4 ? WINOGRAD4_TOLERANCE : WINOGRAD_TOLERANCE);

  it.each(tileCases)('F(%i×·) forward, bias and ReLU x%j → %i channels, %j', async (tile, xs, co, pad) => {
    const filterShape = [3, 3, xs[3], co];
    for (const [bias, relu] of [
      [null, false],
      [[co], true],
      [[1], false],
    ] as Array<[number[] | null, boolean]>) {
      const cpu = await runOn('cpu', () =>
        tf.fused.conv2d({
          x: t(xs, 1) as tf.Tensor4D,
          filter: t(filterShape, 2) as tf.Tensor4D,
          strides: 1,
          pad,
          bias: bias ? t(bias, 3) : undefined,
          activation: relu ? 'relu' : 'linear',
        }),
      );
      const problem = (backend: BackendWasm) => {
        const x = t(xs, 1);
        const filter = t(filterShape, 2);
        const info = convolutionInfo(x, filter, { strides: 1, pad, dataFormat: 'NHWC' });
        if (!info) return null;
        const { top, left } = info.padInfo;
        const p = { x, filter, rotated: false, outChannels: co, top, left, bias: bias ? t(bias, 3) : null, relu };
        return winogradCorrelation(backend, { ...p, outHeight: info.outHeight, outWidth: info.outWidth }, tile);
      };
      await winogradAgrees(cpu, problem, toleranceOf(tile));
    }
  });

  // The input gradient through both tiles, each held to its forward pass's bound.
  it.each(tileCases)('F(%i×·) input gradient x%j → %i channels, %j', async (tile, xs, co, pad) => {
    const filterShape = [3, 3, xs[3], co];
    const dyShape = tf.tidy(() => tf.conv2d(t(xs, 1) as tf.Tensor4D, t(filterShape, 2) as tf.Tensor4D, 1, pad).shape);
    const attrs = { strides: 1, pad, dataFormat: 'NHWC', inputShape: xs } as never;
    const cpu = await runOn(
      'cpu',
      () =>
        tf
          .engine()
          .runKernel('Conv2DBackpropInput', { dy: t(dyShape, 5), filter: t(filterShape, 6) }, attrs) as tf.Tensor,
    );
    const problem = (backend: BackendWasm) => {
      const filter = t(filterShape, 6);
      const info = inputGradientInfo(filter, attrs);
      const p = { x: t(dyShape, 5), filter, rotated: true, outChannels: xs[3], bias: null, relu: false };
      const at = { top: 2 - info.padInfo.top, left: 2 - info.padInfo.left, outHeight: xs[1], outWidth: xs[2] };
      return winogradCorrelation(backend, { ...p, ...at }, tile);
    };
    await winogradAgrees(cpu, problem, toleranceOf(tile));
  });

  // The filter gradient through both tiles: F(3×3, 2×2) held to 5e-6, F(3×3, 4×4) to F(4×4, 3×3)'s 2e-5.
  it.each(tileCases)('F(3×3, %i×·) filter gradient x%j → %i channels, %j', async (tile, xs, co, pad) => {
    const filterShape = [3, 3, xs[3], co];
    const dyShape = tf.tidy(() => tf.conv2d(t(xs, 1) as tf.Tensor4D, t(filterShape, 2) as tf.Tensor4D, 1, pad).shape);
    const attrs = { strides: 1, pad, dataFormat: 'NHWC', filterShape } as never;
    const cpu = await runOn(
      'cpu',
      () => tf.engine().runKernel('Conv2DBackpropFilter', { x: t(xs, 3), dy: t(dyShape, 4) }, attrs) as tf.Tensor,
    );
    // F(3×3, 4×4) from 16 channels as the forward pass, F(3×3, 2×2) from 32 channels and 8 × 8 outputs; the other
    // cases check that it hands over.
    if (!winogradFilterGradientPays(xs[3], co, dyShape[1], dyShape[2], tile)) {
      await runOn('wasm', () => {
        const x = t(xs, 3);
        expect(
          winogradFilterGradient(tf.backend() as BackendWasm, x, t(dyShape, 4), filterGradientInfo(x, attrs), tile),
        ).toBeNull();
        return tf.scalar(0);
      });
      return;
    }
    await winogradAgrees(
      cpu,
      (backend) => {
        const x = t(xs, 3);
        return winogradFilterGradient(backend, x, t(dyShape, 4), filterGradientInfo(x, attrs), tile);
      },
      toleranceOf(tile),
    );
  });

  // A bias of the output's shape (tfjs-core's fused op broadcasts it): a residual block's skip, added in F(4×4)'s
  // output transform where its tiles cover the output; elsewhere the convolution, then Add (and Relu).
  const residualCases: Array<[string, number[], number, 2 | 4]> = [
    ['in the output transform: 16 → 16 on 8×8', [2, 8, 8, 16], 16, 4],
    ['in the output transform: 128 → 128 on 4×4', [3, 4, 4, 128], 128, 4],
    ['after it, tiles overhanging a 7×9 output', [2, 7, 9, 16], 16, 4],
    ['after it, F(2×2)', [2, 8, 8, 16], 16, 2],
    ['after the direct kernel, 8 channels', [2, 8, 8, 8], 8, 4],
  ];
  it.each(
    residualCases,
  )('FusedConv2D with a residual %s: the bits of conv, then Add (and Relu), and within the bound of cpu', async (_, xs, co, tile) => {
    const filterShape = [3, 3, xs[3], co];
    const outShape = [xs[0], xs[1], xs[2], co];
    for (const relu of [false, true]) {
      const activation = relu ? 'relu' : 'linear';
      const fused = () =>
        tf.fused.conv2d({
          x: t(xs, 1) as tf.Tensor4D,
          filter: t(filterShape, 2) as tf.Tensor4D,
          strides: 1,
          pad: 'same',
          bias: t(outShape, 3),
          activation,
        });
      const composed = () => {
        const sum = tf.add(
          tf.conv2d(t(xs, 1) as tf.Tensor4D, t(filterShape, 2) as tf.Tensor4D, 1, 'same'),
          t(outShape, 3),
        );
        return relu ? tf.relu(sum) : sum;
      };
      setWinogradTile(tile);
      try {
        const wasm = await runOn('wasm', fused);
        const parts = await runOn('wasm', composed);
        expect(wasm.shapes).toEqual([outShape]);
        expect(Array.from(wasm.values[0])).toEqual(Array.from(parts.values[0]));
        const cpu = await runOn('cpu', fused);
        expect(relativeError(wasm.values[0], cpu.values[0])).toBeLessThanOrEqual(WINOGRAD4_TOLERANCE);
        // Which path: Winograd takes the residual only with F(4×4) tiles covering the output.
        await runOn('wasm', () => {
          const x = t(xs, 1);
          const filter = t(filterShape, 2);
          const info = convolutionInfo(x, filter, { strides: 1, pad: 'same', dataFormat: 'NHWC' });
          const residual = t(outShape, 3);
          const p = { x, filter, rotated: false, outChannels: co, top: 1, left: 1, bias: null, residual, relu };
          const out = winogradCorrelation(
            tf.backend() as BackendWasm,
            { ...p, outHeight: xs[1], outWidth: xs[2] },
            tile,
          );
          expect(info).not.toBeNull();
          expect(out !== null).toBe(tile === 4 && xs[1] % 4 === 0 && xs[2] % 4 === 0);
          if (out) (tf.backend() as BackendWasm).disposeData(out.dataId);
          return tf.scalar(0);
        });
      } finally {
        setWinogradTile(4);
      }
    }
  });

  it("the gradients through a fused residual are those through conv + Add, bit for bit (the residual's is dy)", async () => {
    const f = (fuse: boolean) => () =>
      tf.grads((a: tf.Tensor, w: tf.Tensor, r: tf.Tensor) => {
        const x = a as tf.Tensor4D;
        const filter = w as tf.Tensor4D;
        const y = fuse
          ? tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias: r, activation: 'linear' })
          : tf.add(tf.conv2d(x, filter, 1, 'same'), r);
        return tf.sum(tf.square(y));
      })([t([2, 8, 8, 16], 1), t([3, 3, 16, 16], 2), t([2, 8, 8, 16], 3)]);
    const fused = await runOn('wasm', f(true));
    const parts = await runOn('wasm', f(false));
    fused.values.forEach((v, i) => {
      expect(Array.from(v)).toEqual(Array.from(parts.values[i]));
    });
  });

  it('chunks hold 64 tiles at least where a transformed filter plane exceeds L1 (128 → 128 on 4×4), else what 512 KiB holds', () => {
    // 128 → 128 on 4×4: one tile an image, 36 · 128 floats (+ a vector) in and out; planes of 64 KiB
    const tile128 = 4 * (36 * 128 + 4);
    expect(chunkImages(128, 1, tile128, tile128, 4 * 128 * 128)).toBe(64);
    expect(chunkImages(20, 1, tile128, tile128, 4 * 128 * 128)).toBe(20);
    // 64 → 64 on 8×8: planes of 16 KiB, 4 tiles an image: 7 images fill 512 KiB
    const tile64 = 4 * (36 * 64 + 4);
    expect(chunkImages(128, 4, tile64, tile64, 4 * 64 * 64)).toBe(Math.floor((512 * 1024) / (2 * tile64 * 4)));
  });

  it('the registered Conv2D, FusedConv2D and Conv2DBackpropInput agree with cpu where they take it (16 → 20 channels)', async () => {
    expect(winogradPays(16, 20) && winogradPays(20, 16)).toBe(true);
    expect(winogradPays(3, 16) || winogradPays(16, 8)).toBe(false);
    const f = () => {
      const x = t([2, 9, 7, 16], 1) as tf.Tensor4D;
      const filter = t([3, 3, 16, 20], 2) as tf.Tensor4D;
      return tf.grads((a: tf.Tensor, w: tf.Tensor) =>
        tf.sum(
          tf.square(
            tf.fused.conv2d({
              x: a as tf.Tensor4D,
              filter: w as tf.Tensor4D,
              strides: 1,
              pad: 'same',
              bias: t([20], 3),
              activation: 'relu',
            }),
          ),
        ),
      )([x, filter]);
    };
    const wasm = await runOn('wasm', f);
    const cpu = await runOn('cpu', f);
    cpu.values.forEach((ref, i) => {
      expect(relativeError(wasm.values[i], ref)).toBeLessThanOrEqual(1e-4);
    });
  });

  it('the registered kernels on the Winograd path free every buffer they allocate (the backend holds no more data after)', async () => {
    await useWasm();
    const x = t([4, 10, 10, 32], 4) as tf.Tensor4D;
    const filter = t([3, 3, 32, 32], 5) as tf.Tensor4D;
    const bias = t([32], 6) as tf.Tensor1D;
    const run = () =>
      tf.tidy(() => {
        const y = tf.conv2d(x, filter, 1, 'same');
        const fused = tf.fused.conv2d({ x, filter, strides: 1, pad: 'same', bias, activation: 'relu' });
        const [dx, dw] = tf.grads((a: tf.Tensor, w: tf.Tensor) =>
          tf.sum(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, 1, 'same')),
        )([x, filter]);
        return [y, fused, dx, dw].map((v) => v.dataSync()[0]);
      });
    // Both filter-gradient tiles (F(3×3, 2×2) and F(3×3, 4×4) each take 32 → 32 on 10×10).
    for (const tile of [2, 4] as const) {
      setWinogradFilterTile(tile);
      expect(winogradPays(32, 32) && winogradFilterGradientPays(32, 32, 10, 10)).toBe(true);
      run();
      const before = tf.backend().numDataIds();
      for (let i = 0; i < 3; i++) run();
      // A kernel that allocated an output and then returned Winograd's own leaked one buffer per call.
      expect(tf.backend().numDataIds()).toBe(before);
    }
    setWinogradFilterTile(4);
    tf.dispose([x, filter, bias]);
  });
});
