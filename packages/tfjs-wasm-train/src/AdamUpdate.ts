import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, f32, heapOffset, type KernelInputs } from './kernel_utils';
import { simdAdam } from './simd_adam';

/** The name under which semix registers its fused Adam update (not a tfjs kernel: only semix's optimizer calls it). */
export const ADAM_UPDATE = 'SemixAdamUpdate';

export interface AdamUpdateAttrs {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

/**
 * One Adam update of a float32 variable x with gradient g and moments m, v in one pass (simd_adam.ts), where
 * tfjs's AdamOptimizer runs ~12 kernels per variable; c1 = 1 − β₁ᵗ and c2 = 1 − β₂ᵗ are scalar tensors. Returns
 * [x', m', v']. The values that do not fill a group of four take the same float32 operations in JavaScript
 * (Math.fround after each: float64 arithmetic rounded once is float32 arithmetic for + − × ÷ √).
 */
export function adamUpdate(args: {
  inputs: KernelInputs<'x' | 'm' | 'v' | 'g' | 'c1' | 'c2'>;
  backend: BackendWasm;
  attrs: AdamUpdateAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x, m, v, g, c1, c2 } = inputs;
  const fr = Math.fround;
  const size = util.sizeFromShape(x.shape);
  for (const [name, t] of Object.entries({ m, v, g })) {
    if (!util.arraysEqual(t.shape, x.shape)) {
      throw new Error(`${ADAM_UPDATE}: ${name} has shape [${t.shape}]; it must have the variable's shape [${x.shape}]`);
    }
  }
  const outs = [x, m, v].map((t) => backend.makeOutput(t.shape, 'float32'));
  const constants = backend.makeOutput([8], 'float32');
  const k = [
    fr(attrs.beta1),
    fr(1 - attrs.beta1),
    fr(attrs.beta2),
    fr(1 - attrs.beta2),
    f32(backend, c1)[0],
    f32(backend, c2)[0],
    fr(attrs.epsilon),
    fr(-attrs.learningRate),
  ];
  f32(backend, constants).set(k);
  const fn = simdAdam(backend.wasm);
  const groups = fn ? Math.floor(size / 4) : 0;
  if (fn && groups > 0) {
    const address = (t: TensorInfo) => heapOffset(backend, t) as number;
    fn(
      ...([x, m, v, g, ...outs].map(address) as [number, number, number, number, number, number, number]),
      groups,
      address(constants),
    );
  }
  const [xs, ms, vs, gs] = [x, m, v, g].map((t) => f32(backend, t));
  const [xo, mo, vo] = outs.map((t) => f32(backend, t));
  const [b1, omb1, b2, omb2, cc1, cc2, eps, negLr] = k;
  for (let i = 4 * groups; i < size; i++) {
    const mn = fr(fr(ms[i] * b1) + fr(gs[i] * omb1));
    const vn = fr(fr(vs[i] * b2) + fr(fr(gs[i] * gs[i]) * omb2));
    const step = fr(fr(mn / cc1) / fr(fr(Math.sqrt(fr(vn / cc2))) + eps));
    mo[i] = mn;
    vo[i] = vn;
    xo[i] = fr(fr(step * negLr) + xs[i]);
  }
  backend.disposeData(constants.dataId);
  return outs;
}

export const adamUpdateConfig: KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: BACKEND_NAME,
  kernelFunc: adamUpdate as unknown as KernelFunc,
};
