import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  type BatchMatMulAttrs,
  broadcast_util,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BACKEND_NAME, callOriginal, f32, type KernelInputs, release, transpose } from './kernel_utils';

/**
 * wasm's BatchMatMul reaches XNNPACK's GEMM only without transposes; with `transposeA` or `transposeB` (what
 * every matMul gradient asks for) it takes a slow path: [128,1568]ᵀ·[128,64] measured 13.5 ms against 1.7 ms
 * for an explicit Transpose followed by the plain product. So transpose first, then multiply.
 */
export function batchMatMul(args: {
  inputs: KernelInputs<'a' | 'b'>;
  backend: BackendWasm;
  attrs: BatchMatMulAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs;
  const { transposeA, transposeB } = attrs;
  const ra = a.shape.length;
  const rb = b.shape.length;
  const inner = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  if (inner === 0 && inner === (transposeB ? b.shape[rb - 1] : b.shape[rb - 2])) {
    // An empty sum (e.g. a weight gradient over an empty batch) is 0; XNNPACK refuses the operator and wasm's
    // kernel then returns whatever the output memory held.
    const outer = broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
    const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
    const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
    const out = backend.makeOutput([...outer, m, n], 'float32');
    f32(backend, out).fill(0);
    return out;
  }
  if (!transposeA && !transposeB) return callOriginal(backend, 'BatchMatMul', { a, b }, attrs as never);
  const swapLast = (rank: number) => [...Array(rank - 2).keys(), rank - 1, rank - 2];
  const $a = transposeA ? transpose(backend, a, swapLast(a.shape.length)) : a;
  const $b = transposeB ? transpose(backend, b, swapLast(b.shape.length)) : b;
  const out = callOriginal(backend, 'BatchMatMul', { a: $a, b: $b }, { transposeA: false, transposeB: false } as never);
  if ($a !== a) release(backend, $a);
  if ($b !== b) release(backend, $b);
  return out;
}

export const batchMatMulConfig: KernelConfig = {
  kernelName: 'BatchMatMul',
  backendName: BACKEND_NAME,
  kernelFunc: batchMatMul as unknown as KernelFunc,
};
