/** Per-kernel time of one step: where a step's time goes, by tfjs kernel name. */
import * as tf from '@tensorflow/tfjs-core';
import type { KernelProfile } from './types';

/** tf.profile's entries that wrap other kernels (customGrad ops) rather than run one. */
export const isScope = (name: string) => name.endsWith('__op') || name === 'unnamed scope';

/**
 * The kernels of one warm call of `fn` by name: total ms, calls, share of the kernels' sum. tfjs-core's profiler
 * times each kernel synchronously on wasm (and cpu), so the times add up to the step's.
 */
export async function profileKernels(backend: string, task: string, fn: () => unknown): Promise<KernelProfile> {
  await fn();
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    await fn();
  });
  const wallMs = performance.now() - t0;
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const entry = byName.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    entry.calls += 1;
    byName.set(k.name, entry);
  }
  const entries = [...byName].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = entries.filter(([name]) => !isScope(name)).reduce((a, [, e]) => a + e.ms, 0);
  const kernels = entries
    .filter(([name]) => !isScope(name))
    .map(([name, e]) => ({ name, ms: e.ms, calls: e.calls, share: kernelMs > 0 ? e.ms / kernelMs : 0 }));
  const scopes = entries.filter(([name]) => isScope(name)).map(([name, e]) => ({ name, ...e }));
  return { backend, task, wallMs, kernelMs, kernels, scopes };
}
