/**
 * The SIMD convolution kernels with relaxed SIMD's fused multiply-add and without, against tfjs `cpu`, in one
 * process. kernels.test.ts calls it directly where the running Node validates relaxed SIMD, or runs this file in a
 * child started with --experimental-wasm-relaxed-simd (Node 20), or with `enable` (enableRelaxedSimd at run time),
 * which prints the result as one JSON line.
 */
import * as tf from '@tensorflow/tfjs-core';
import { relativeError, runOn, seededTensor, seededValues, useWasm } from '../test_utils';
import { enableRelaxedSimd, relaxedSimdSupported, setRelaxedSimd } from '../wasm_asm';

export interface RelaxedComparison {
  supported: boolean;
  cases: Array<{ name: string; plainVsCpu: number; relaxedVsCpu: number; relaxedVsPlain: number; differs: boolean }>;
}

const t = seededTensor;

// The direct correlation (stride 2, and 3 → 16 channels), Winograd's products (16 → 24), each in the three kernels.
const cases: Array<{ name: string; x: number[]; co: number; strides: number }> = [
  { name: 'direct, stride 2', x: [2, 9, 8, 8], co: 12, strides: 2 },
  { name: 'direct, 3 channels', x: [2, 10, 9, 3], co: 16, strides: 1 },
  { name: 'Winograd', x: [2, 9, 10, 16], co: 24, strides: 1 },
];

export async function compareRelaxed(): Promise<RelaxedComparison> {
  await useWasm();
  const out: RelaxedComparison = { supported: relaxedSimdSupported(), cases: [] };
  for (const c of cases) {
    const filterShape = [3, 3, c.x[3], c.co];
    const run = () => {
      const x = t(c.x, 1) as tf.Tensor4D;
      const filter = t(filterShape, 2) as tf.Tensor4D;
      const y = tf.fused.conv2d({ x, filter, strides: c.strides, pad: 'same', bias: t([c.co], 3), activation: 'relu' });
      const dy = t(y.shape, 4) as tf.Tensor4D;
      const dx = tf.conv2dTranspose(dy, filter, c.x as [number, number, number, number], c.strides, 'same');
      const dw = tf
        .engine()
        .runKernel('Conv2DBackpropFilter', { x, dy }, { strides: c.strides, pad: 'same', dataFormat: 'NHWC', filterShape });
      return [y, dx, dw as tf.Tensor];
    };
    setRelaxedSimd(false);
    const plain = await runOn('wasm', run);
    setRelaxedSimd(true);
    const relaxed = await runOn('wasm', run);
    const cpu = await runOn('cpu', run);
    await tf.setBackend('wasm');
    cpu.values.forEach((ref, i) => {
      out.cases.push({
        name: `${c.name}: ${['Conv2D', 'Conv2DBackpropInput', 'Conv2DBackpropFilter'][i]}`,
        plainVsCpu: relativeError(plain.values[i], ref),
        relaxedVsCpu: relativeError(relaxed.values[i], ref),
        relaxedVsPlain: relativeError(relaxed.values[i], plain.values[i]),
        differs: relaxed.values[i].some((v, k) => v !== plain.values[i][k]),
      });
    });
  }
  return out;
}

if (process.argv[1]?.endsWith('relaxed_simd.ts')) {
  // `enable`: switched on at run time (enableRelaxedSimd) instead of by the command line's flag.
  if (process.argv[2] === 'enable') enableRelaxedSimd();
  console.log(JSON.stringify(await compareRelaxed()));
}
