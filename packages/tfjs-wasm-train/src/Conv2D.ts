import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  type backend_util,
  type Conv2DAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
  util,
} from '@tensorflow/tfjs-core';
import {
  BACKEND_NAME,
  type ConvAttrs,
  callKernel,
  callOriginal,
  copyRows,
  f32,
  heapOffset,
  imageIntoGrid,
  type KernelInputs,
  nhwcConvInfo,
  release,
} from './kernel_utils';
import { preActivationRows } from './simd_affine';
import { correlator } from './simd_conv';
import { type PreActivation, winogradCorrelation, winogradPays, winogradTile } from './winograd';

/**
 * Conv2D through semix's WebAssembly SIMD correlation kernel (NHWC, dilation 1); other cases go to wasm's own
 * (XNNPACK) kernel.
 */
export function conv2D(args: { inputs: KernelInputs<'x' | 'filter'>; backend: BackendWasm; attrs: Conv2DAttrs }) {
  const { inputs, backend, attrs } = args;
  const info = convolutionInfo(inputs.x, inputs.filter, attrs);
  return (
    (info && simdConvolution(backend, inputs.x, inputs.filter, null, info, false)) ??
    callOriginal(backend, 'Conv2D', inputs, attrs as never)
  );
}

/** The convolution's geometry, or null where the SIMD kernel does not apply (NCHW, dilation > 1). */
export function convolutionInfo(x: TensorInfo, filter: TensorInfo, attrs: ConvAttrs): backend_util.Conv2DInfo | null {
  const { dataFormat, dilations = 1 } = attrs;
  const [dh, dw] = typeof dilations === 'number' ? [dilations, dilations] : dilations;
  if (dataFormat === 'NCHW' || dh !== 1 || dw !== 1 || x.dtype !== 'float32') return null;
  return nhwcConvInfo('Conv2D', x.shape, filter.shape, attrs);
}

/**
 * y[n, oy, ox, co] = bias[co] + Σ_{fy,fx,ci} x[n, oy·sh + fy − pt, ox·sw + fx − pl, ci] · W[fy, fx, ci, co] (then
 * max(·, 0) with `relu`), one output row per call of the SIMD correlation kernel over the zero-padded input. The
 * filter is used as it lies (rows (fy, fx, ci) of co values), so, unlike XNNPACK, nothing is packed per filter: in
 * training every step's new weights made XNNPACK create and pack its operator again. Output channels that are not
 * a multiple of 4 are computed padded with zero filter columns. Null where WebAssembly SIMD is missing.
 *
 * `residual` (a tensor of the output's shape, with no bias): relu(conv + residual), added in the Winograd output
 * transform where F(4×4, 3×3) covers the output exactly (a residual block's second convolution and its skip in one
 * pass), else the convolution, then the backend's Add (and Relu): the same values either way, as conv + 0 + r is
 * conv + r. `preActivation` (input channels in fours): the convolution of relu(x·scale + shift) instead of x, the map
 * applied as each image enters the zero-padded grid (see {@link PreActivation}; a grid even where no padding is read).
 */
export function simdConvolution(
  backend: BackendWasm,
  x: TensorInfo,
  filter: TensorInfo,
  bias: TensorInfo | null,
  info: backend_util.Conv2DInfo,
  relu: boolean,
  {
    residual = null,
    preActivation = null,
  }: { residual?: TensorInfo | null; preActivation?: PreActivation | null } = {},
): TensorInfo | null {
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outChannels: co } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const co4 = 4 * Math.ceil(co / 4);
  const row = correlator(backend.wasm, co4, 4 * sw * ci, relu);
  if (!row) return null;
  if (kh === 3 && kw === 3 && sh === 1 && sw === 1 && winogradPays(ci, co)) {
    // Before this kernel allocates its own output: Winograd returns one of its own.
    const top = pt;
    const left = pl;
    const problem = { x, filter, rotated: false, outChannels: co, top, left, outHeight: oh, outWidth: ow, bias, relu };
    const winograd = winogradCorrelation(backend, { ...problem, residual, preActivation }, winogradTile());
    if (winograd) return winograd;
  }
  if (residual) {
    const conv = simdConvolution(backend, x, filter, bias, info, false, { preActivation });
    if (!conv) return null;
    const sum = callKernel(backend, 'Add', { a: conv, b: residual });
    release(backend, conv);
    if (!relu) return sum;
    const activated = callKernel(backend, 'Relu', { x: sum });
    release(backend, sum);
    return activated;
  }
  // The direct path's pre-activation (Winograd builds its own), before anything is allocated.
  const address = (t: TensorInfo) => heapOffset(backend, t) as number;
  const pre = preActivation;
  const preRow = pre ? preActivationRows(backend.wasm, ci, address(pre.scale), address(pre.shift)) : null;
  if (pre && !preRow) return null;
  const y = backend.makeOutput([n, oh, ow, co], 'float32');
  if (n * oh * ow * co === 0) return y;
  if (ci * kh * kw === 0) {
    // An empty sum (the SIMD loops never run with a zero count; wasm's own kernel returns whatever memory held):
    // every output is the bias, through the activation.
    const values = bias ? f32(backend, bias) : new Float32Array(1);
    const row = Float32Array.from({ length: co }, (_, c) => {
      const v = values[values.length === 1 ? 0 : c];
      return relu && v < 0 ? 0 : v;
    });
    const to = f32(backend, y);
    for (let p = 0; p < n * oh * ow; p++) to.set(row, p * co);
    return y;
  }
  const Hg = Math.max(pt + H, (oh - 1) * sh + kh);
  const Wg = Math.max(pl + W, (ow - 1) * sw + kw);
  // The input itself where no padding is read; otherwise each image in turn in a zero-padded grid.
  const grid = Hg === H && Wg === W && !pre ? x : backend.makeOutput([Hg, Wg, ci], 'float32');
  const weights = co4 === co ? filter : backend.makeOutput([kh * kw * ci, co4], 'float32');
  const biases = backend.makeOutput([co4], 'float32');
  const out = co4 === co ? y : backend.makeOutput([n, oh, ow, co4], 'float32');
  // Views after every allocation: growing the wasm heap detaches earlier ones.
  if (grid !== x) f32(backend, grid).fill(0);
  if (weights !== filter) {
    const to = f32(backend, weights);
    to.fill(0);
    copyRows(f32(backend, filter), to, kh * kw * ci, co, co, co4);
  }
  const b4 = f32(backend, biases);
  b4.fill(0);
  if (bias) {
    const values = f32(backend, bias);
    // A bias broadcasts over the output channels: one value each, or one for all.
    if (util.sizeFromShape(bias.shape) === 1) b4.fill(values[0], 0, co);
    else b4.set(values.subarray(0, co));
  }
  const [gridAt, wAt, biasAt, outAt] = [grid, weights, biases, out].map(address);
  const fill = grid === x ? null : imageIntoGrid(f32(backend, x), [H, W, ci], Wg * ci, ci, pt, pl, preRow ?? undefined);
  for (let b = 0; b < n; b++) {
    fill?.(b, gridAt);
    const image = fill ? gridAt : gridAt + b * Hg * Wg * ci * 4;
    for (let oy = 0; oy < oh; oy++) {
      const at = image + oy * sh * Wg * ci * 4;
      row(at, wAt, biasAt, outAt + (b * oh + oy) * ow * co4 * 4, ow, kh, kw * ci, Wg * ci * 4, co4 * 4);
    }
  }
  if (grid !== x) release(backend, grid);
  if (weights !== filter) release(backend, weights);
  release(backend, biases);
  if (out !== y) {
    copyRows(f32(backend, out), f32(backend, y), n * oh * ow, co, co4, co);
    release(backend, out);
  }
  return y;
}

export const conv2DConfig: KernelConfig = {
  kernelName: 'Conv2D',
  backendName: BACKEND_NAME,
  kernelFunc: conv2D as unknown as KernelFunc,
};
