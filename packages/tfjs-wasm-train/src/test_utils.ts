import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
// The gradients are the application's to register (see the README); the tests register tfjs-core's own.
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-backend-wasm';
import { registerAll } from './register_all_kernels';

/** Activates wasm with the kernel pack (the tests compare it with `cpu`). */
export async function useWasm(): Promise<void> {
  registerAll();
  if (!(await tf.setBackend('wasm'))) throw new Error('tfjs-backend-wasm failed to initialise');
  await tf.ready();
}

/** Runs `f` on `backend` and returns plain arrays of its outputs; leaves no tensors behind. */
export async function runOn(
  backend: 'wasm' | 'cpu',
  f: () => tf.Tensor | tf.Tensor[],
): Promise<{ values: Float32Array[]; shapes: number[][] }> {
  await tf.setBackend(backend);
  const before = tf.memory().numTensors;
  const out = tf.tidy(f);
  const list = Array.isArray(out) ? out : [out];
  const values = list.map((t) => t.dataSync() as Float32Array).map((v) => Float32Array.from(v));
  const shapes = list.map((t) => t.shape);
  tf.dispose(list);
  if (tf.memory().numTensors !== before)
    throw new Error(`leaked ${tf.memory().numTensors - before} tensors on ${backend}`);
  return { values, shapes };
}

/** max |a − b| / max(1, max |b|): the error relative to the reference's magnitude. */
export function relativeError(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let maxDiff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return maxDiff / scale;
}

/** Deterministic inputs that do not depend on any backend's RNG. */
export function seededValues(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 4294967296) * 2 - 1;
  }
  return out;
}

/** A tensor of `shape` holding {@link seededValues} (the same on every backend). */
export function seededTensor(shape: number[], seed: number): tf.Tensor {
  return tf.tensor(
    seededValues(
      shape.reduce((a, b) => a * b, 1),
      seed,
    ),
    shape,
  );
}
