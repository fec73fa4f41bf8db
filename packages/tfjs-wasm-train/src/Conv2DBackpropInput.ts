import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type {
  backend_util,
  Conv2DBackpropInputAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import {
  BACKEND_NAME,
  callKernel,
  callOriginal,
  copyRows,
  explicitPad,
  f32,
  heapOffset,
  imageIntoGrid,
  type KernelInputs,
  nhwcConvInfo,
  release,
} from './kernel_utils';
import { correlator } from './simd_conv';
import { winogradCorrelation, winogradPays, winogradTile } from './winograd';

/**
 * The input gradient,
 *
 * dx[n,i,j,ci] = Σ_{fy,fx,co} dy[n, oy, ox, co] · W[fy,fx,ci,co]  over i = oy·sh + fy − pt, j = ox·sw + fx − pl,
 *
 * through semix's WebAssembly SIMD correlation kernel (simdInputGradient); where the runtime has no WebAssembly
 * SIMD, through one convolution of the zero-dilated dy (dilatedInputGradient), which is then XNNPACK's. Measured (batch 64, medians): stride-2 3×3
 * layers of preact-resnet18 ×0.25 36–43 → 8–10 ms, stride 1 19–22 → 16–18 ms (XNNPACK also creates and packs an
 * operator per call for the rotated filter); conv2 of the reference step (batch 128) 15–18 → 12 ms.
 */
export function conv2DBackpropInput(args: {
  inputs: KernelInputs<'dy' | 'filter'>;
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const info = inputGradientInfo(filter, attrs);
  // A dy whose shape is not the forward convolution's output (conv2dTranspose accepts any outputShape; tfjs-core's
  // op tests pass one) is read by wasm's own kernel in its own way: leave those to it.
  const [dn, dh, dw, dc] = dy.shape;
  if (dn !== info.batchSize || dh !== info.outHeight || dw !== info.outWidth || dc !== info.outChannels) {
    return callOriginal(backend, 'Conv2DBackpropInput', { dy, filter }, attrs as never);
  }
  return simdInputGradient(backend, dy, filter, info) ?? dilatedInputGradient(backend, dy, filter, info);
}

/** The convolution's geometry from the kernel's attributes (NHWC only). */
export function inputGradientInfo(filter: TensorInfo, attrs: Conv2DBackpropInputAttrs): backend_util.Conv2DInfo {
  return nhwcConvInfo('Conv2DBackpropInput', attrs.inputShape, filter.shape, attrs);
}

/**
 * The input gradient by residue classes, as a sub-pixel (transposed) convolution is computed: the rows i with
 * (i + pt) mod sh = a receive only the filter rows fy = a + sh·t, from dy row oy = m − t where i = a − pt + sh·m.
 * So each class (a, b) of rows × columns is a stride-1 correlation of dy (zero-padded) with the sub-filter of taps
 * (a + sh·t, b + sw·u), rotated, whose outputs land sh rows and sw columns apart in dx. For stride 1 there is one
 * class: the usual full correlation with the rotated filter. No multiplication by an inserted zero, against the
 * XNNPACK path's convolution over the zero-dilated dy (sh·sw times the work). Null where WebAssembly SIMD is
 * missing.
 */
export function simdInputGradient(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | null {
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outChannels: co } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const ci4 = 4 * Math.ceil(ci / 4);
  const row = correlator(backend.wasm, ci4, 4 * co);
  if (!row) return null;
  if (kh === 3 && kw === 3 && sh === 1 && sw === 1 && winogradPays(co, ci) && n * H * W * ci > 0 && oh * ow * co > 0) {
    // The full correlation of dy with the rotated filter: dy padded by 2 − pt above and 2 − pl to the left.
    const winograd = winogradCorrelation(
      backend,
      {
        x: dy,
        filter,
        rotated: true,
        outChannels: ci,
        top: kh - 1 - pt,
        left: kw - 1 - pl,
        outHeight: H,
        outWidth: W,
        bias: null,
        relu: false,
      },
      winogradTile(),
    );
    if (winograd) return winograd;
  }
  const dx = backend.makeOutput([n, H, W, ci], 'float32');
  if (n * H * W * ci === 0) return dx;
  if (oh * ow * co === 0) {
    // Nothing flows back (no output channels or positions): the loops below must not run empty.
    f32(backend, dx).fill(0);
    return dx;
  }
  // The residue classes that receive any tap, with their ranges of m (rows) and m' (columns).
  const range = (r: number, s: number, p: number, size: number, k: number) => {
    const taps = Math.ceil((k - r) / s);
    return { taps, lo: Math.max(0, Math.ceil((p - r) / s)), hi: Math.floor((size - 1 - r + p) / s) };
  };
  const classes: Array<{ a: number; b: number; rows: ReturnType<typeof range>; cols: ReturnType<typeof range> }> = [];
  for (let a = 0; a < sh; a++) {
    for (let b = 0; b < sw; b++) {
      const rows = range(a, sh, pt, H, kh);
      const cols = range(b, sw, pl, W, kw);
      if (rows.taps > 0 && cols.taps > 0 && rows.hi >= rows.lo && cols.hi >= cols.lo)
        classes.push({ a, b, rows, cols });
    }
  }
  const padT = Math.ceil(kh / sh) - 1;
  const padL = Math.ceil(kw / sw) - 1;
  const Hg = Math.max(oh, ...classes.map((c) => c.rows.hi + 1)) + padT;
  const Wg = Math.max(ow, ...classes.map((c) => c.cols.hi + 1)) + padL;
  const subFilterSizes = classes.map((c) => c.rows.taps * c.cols.taps * co * ci4);
  // dy one image at a time in a zero-padded grid (its borders zeroed once).
  const grid = backend.makeOutput([Hg, Wg, co], 'float32');
  const subFilters = backend.makeOutput([subFilterSizes.reduce((x, y) => x + y, 0)], 'float32');
  const out = ci4 === ci ? dx : backend.makeOutput([n, H, W, ci4], 'float32');
  const noBias = backend.makeOutput([ci4], 'float32');
  // Views after every allocation: growing the wasm heap detaches earlier ones.
  f32(backend, grid).fill(0);
  // Sub-filter of class (a, b), rotated: rows (t', u', o) of ci4 output channels, from W[a + sh·(Ta−1−t'), …].
  const w = f32(backend, filter);
  const sub = f32(backend, subFilters);
  sub.fill(0);
  let at = 0;
  const subAt: number[] = [];
  for (const { a, b, rows, cols } of classes) {
    subAt.push(at);
    for (let t = 0; t < rows.taps; t++) {
      const fy = a + sh * (rows.taps - 1 - t);
      for (let u = 0; u < cols.taps; u++) {
        const fx = b + sw * (cols.taps - 1 - u);
        const tap = (fy * kw + fx) * ci * co;
        for (let o = 0; o < co; o++) {
          const row = at + ((t * cols.taps + u) * co + o) * ci4;
          for (let c = 0; c < ci; c++) sub[row + c] = w[tap + c * co + o];
        }
      }
    }
    at += rows.taps * cols.taps * co * ci4;
  }
  const covered = classes.length === sh * sw;
  if (!covered) f32(backend, out).fill(0);
  const address = (t: TensorInfo) => heapOffset(backend, t) as number;
  f32(backend, noBias).fill(0);
  const [gridAt, subFiltersAt, outAt, noBiasAt] = [grid, subFilters, out, noBias].map(address);
  const fill = imageIntoGrid(f32(backend, dy), [oh, ow, co], Wg * co, co, padT, padL);
  for (let img = 0; img < n; img++) {
    fill(img, gridAt);
    for (const [k, { a, b, rows, cols }] of classes.entries()) {
      const count = cols.hi - cols.lo + 1;
      const wAt = subFiltersAt + 4 * subAt[k];
      for (let m = rows.lo; m <= rows.hi; m++) {
        const x = gridAt + ((m - rows.taps + 1 + padT) * Wg + cols.lo - cols.taps + 1 + padL) * co * 4;
        const y = outAt + ((img * H + a - pt + sh * m) * W + b - pl + sw * cols.lo) * ci4 * 4;
        row(x, wAt, noBiasAt, y, count, rows.taps, cols.taps * co, Wg * co * 4, sw * ci4 * 4);
      }
    }
  }
  release(backend, grid, subFilters, noBias);
  if (out !== dx) {
    copyRows(f32(backend, out), f32(backend, dx), n * H * W, ci, ci4, ci);
    release(backend, out);
  }
  return dx;
}

/**
 * The input gradient as one convolution (the Conv2D kernel registered for wasm: XNNPACK's where SIMD is missing):
 * the stride-dilated dy, padded by (k − 1 − pad) on each side, correlated with the filter rotated by 180° and with
 * its in/out channels swapped.
 *
 * dx[n,i,j,ci] = Σ_{kh,kw,co} D[n, i + pt − kh, j + pl − kw, co] · W[kh,kw,ci,co],  D = dy with s − 1 zeros
 * between rows and columns. Substituting kh → KH − 1 − kh turns the sum into a stride-1 correlation of D,
 * padded by KH − 1 − pt on top, with W rotated.
 *
 * Stride 1 with non-negative padding needs no copy of dy (the padding goes to XNNPACK); otherwise the zero-
 * inserted, padded (or cropped) dy is built in one pass over dy.
 */
export function dilatedInputGradient(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outChannels: co } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const top = kh - 1 - info.padInfo.top;
  const left = kw - 1 - info.padInfo.left;
  const dilatedH = (oh - 1) * sh + 1;
  const dilatedW = (ow - 1) * sw + 1;
  const bottom = H + kh - 1 - top - dilatedH;
  const right = W + kw - 1 - left - dilatedW;

  const rotated = rotateFilter(backend, filter, kh, kw, ci, co);
  let source: TensorInfo = dy;
  let padding = explicitPad(top, bottom, left, right);
  const direct = sh === 1 && sw === 1 && top >= 0 && bottom >= 0 && left >= 0 && right >= 0;
  if (!direct) {
    source = dilateAndPad(backend, dy, n, oh, ow, co, sh, sw, top, left, H + kh - 1, W + kw - 1);
    padding = explicitPad(0, 0, 0, 0);
  }
  const dx = callKernel(backend, 'Conv2D', { x: source, filter: rotated }, {
    strides: [1, 1],
    dilations: [1, 1],
    pad: padding,
    dataFormat: 'NHWC',
  } as unknown as Record<string, never>);
  release(backend, rotated);
  if (source !== dy) release(backend, source);
  return dx;
}

/** W[kh,kw,ci,co] → W[KH−1−kh, KW−1−kw, co, ci]. */
function rotateFilter(
  backend: BackendWasm,
  filter: TensorInfo,
  kh: number,
  kw: number,
  ci: number,
  co: number,
): TensorInfo {
  const out = backend.makeOutput([kh, kw, co, ci], 'float32');
  const src = f32(backend, filter);
  const dst = f32(backend, out);
  for (let h = 0; h < kh; h++) {
    for (let w = 0; w < kw; w++) {
      const s0 = (h * kw + w) * ci * co;
      const d0 = ((kh - 1 - h) * kw + (kw - 1 - w)) * co * ci;
      for (let i = 0; i < ci; i++) {
        for (let o = 0; o < co; o++) dst[d0 + o * ci + i] = src[s0 + i * co + o];
      }
    }
  }
  return out;
}

/**
 * dy [n, oh, ow, c] → [n, outH, outW, c] with dy[., y, x, .] at (top + y·sh, left + x·sw), zeros elsewhere;
 * rows or columns that land outside (negative padding) are dropped.
 */
function dilateAndPad(
  backend: BackendWasm,
  dy: TensorInfo,
  n: number,
  oh: number,
  ow: number,
  c: number,
  sh: number,
  sw: number,
  top: number,
  left: number,
  outH: number,
  outW: number,
): TensorInfo {
  const out = backend.makeOutput([n, outH, outW, c], 'float32');
  const src = f32(backend, dy);
  const dst = f32(backend, out);
  dst.fill(0);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const ty = top + y * sh;
      if (ty < 0 || ty >= outH) continue;
      for (let x = 0; x < ow; x++) {
        const tx = left + x * sw;
        if (tx < 0 || tx >= outW) continue;
        const s0 = ((b * oh + y) * ow + x) * c;
        dst.set(src.subarray(s0, s0 + c), ((b * outH + ty) * outW + tx) * c);
      }
    }
  }
  return out;
}

export const conv2DBackpropInputConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropInput',
  backendName: BACKEND_NAME,
  kernelFunc: conv2DBackpropInput as unknown as KernelFunc,
};
