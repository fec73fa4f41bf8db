import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { type KernelConfig, type KernelFunc, type TensorInfo, util } from '@tensorflow/tfjs-core';
import { BACKEND_NAME, expectFloat32, f32, heapOffset } from './kernel_utils';
import { simdAffine } from './simd_affine';

/** semix's fused per-channel affine map (not a tfjs kernel: batch norm in semix's models calls it). */
export const CHANNEL_AFFINE = 'SemixChannelAffine';

/** Attributes of {@link CHANNEL_AFFINE}: `relu` takes max(·, 0) of the result in the same pass. */
export interface ChannelAffineAttrs {
  relu?: boolean;
}

/**
 * out = (a·scaleA + b·scaleB) + shift, or a·scaleA + shift without b, where a and b are [..., C] and the scales and
 * the shift are [C]: one pass where tf.add(tf.add(tf.mul(a, A), tf.mul(b, B)), C) takes four, with the same float32
 * roundings in the same order (bit for bit); with `relu`, max(·, 0) of it (batch norm + ReLU in inference, with the
 * running statistics folded into the scale and the shift). Channels that are not a multiple of 4 are done in
 * JavaScript with Math.fround after each operation. No gradient: callers use it inside their own (customGrad) or
 * outside a tape.
 * With `mask` (a's shape), a is first multiplied by Step(mask) (1 where mask > 0, NaN where NaN, else 0), rounded
 * as Multiply(a, Step(mask)) would be: batch norm + ReLU's input gradient, with mask the ReLU's output.
 * With `centerA` (or `centerB`, [C]), a − centerA (b − centerB) in place of a (b), rounded to float32 as Sub would,
 * first: batch norm's centered input x − μ without its copy. One of the two at most; `centerA` not with `mask`.
 */
export function channelAffine(args: {
  inputs: {
    a: TensorInfo;
    scaleA: TensorInfo;
    b?: TensorInfo;
    scaleB?: TensorInfo;
    shift: TensorInfo;
    mask?: TensorInfo;
    centerA?: TensorInfo;
    centerB?: TensorInfo;
  };
  backend: BackendWasm;
  attrs?: ChannelAffineAttrs;
}): TensorInfo {
  const { inputs, backend } = args;
  const relu = args.attrs?.relu === true;
  const { a, scaleA, b, scaleB, shift, mask, centerA, centerB } = inputs;
  const channels = a.shape[a.shape.length - 1] ?? 1;
  const twoTerms = b != null && scaleB != null;
  const expect = (name: string, t: TensorInfo, shape: number[]) => expectFloat32(CHANNEL_AFFINE, name, t, shape);
  expect('a', a, a.shape);
  for (const [name, t] of Object.entries({ scaleA, shift, ...(twoTerms ? { scaleB } : {}) })) {
    expect(name, t as TensorInfo, [channels]);
  }
  if (twoTerms) expect('b', b, a.shape);
  if (mask) expect('mask', mask, a.shape);
  if (centerA) expect('centerA', centerA, [channels]);
  if (centerB) expect('centerB', centerB, [channels]);
  if ((centerA && (centerB || mask)) || (centerB && !twoTerms)) {
    throw new Error(`${CHANNEL_AFFINE}: centerA goes alone (without centerB or mask); centerB needs b and scaleB`);
  }
  const centered = centerA ? 'a' : centerB ? 'b' : 'none';
  const center = centerA ?? centerB;
  const out = backend.makeOutput(a.shape, 'float32');
  const size = util.sizeFromShape(a.shape);
  if (size === 0) return out;
  const rows = size / channels;
  const fn = channels % 4 === 0 ? simdAffine(backend.wasm, twoTerms, relu, mask != null, centered) : null;
  if (fn) {
    const address = (t: TensorInfo | undefined) => (t ? (heapOffset(backend, t) as number) : 0);
    const at = [a, scaleA, b, scaleB, shift, out].map(address);
    fn(at[0], at[1], at[2], at[3], at[4], at[5], rows, channels / 4, address(mask), address(center));
    return out;
  }
  const fr = Math.fround;
  const [av, sa, sh, o] = [a, scaleA, shift, out].map((t) => f32(backend, t));
  const [bv, sb] = twoTerms ? [f32(backend, b), f32(backend, scaleB)] : [null, null];
  const mv = mask ? f32(backend, mask) : null;
  const cv = center ? f32(backend, center) : null;
  for (let i = 0; i < size; i++) {
    const c = i % channels;
    const a0 = cv && centered === 'a' ? fr(av[i] - cv[c]) : av[i];
    const ai = mv ? fr(a0 * step(mv[i])) : a0;
    let r = fr(ai * sa[c]);
    if (bv && sb) r = fr(r + fr((cv && centered === 'b' ? fr(bv[i] - cv[c]) : bv[i]) * sb[c]));
    r = fr(r + sh[c]);
    o[i] = relu && r < 0 ? 0 : r;
  }
  return out;
}

/** tfjs's Step with alpha 0: 1 where v > 0, NaN where v is NaN, else 0. */
export const step = (v: number) => (Number.isNaN(v) ? Number.NaN : v > 0 ? 1 : 0);

export const channelAffineConfig: KernelConfig = {
  kernelName: CHANNEL_AFFINE,
  backendName: BACKEND_NAME,
  kernelFunc: channelAffine as unknown as KernelFunc,
};
