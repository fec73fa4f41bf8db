import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  type Conv2DBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import {
  BACKEND_NAME,
  callKernel,
  explicitPad,
  f32,
  type KernelInputs,
  release,
  slice,
  transpose,
} from './kernel_utils';

/**
 * The filter gradient through XNNPACK: for small patches, patches + one GEMM; with stride 1 and padding no larger at
 * the bottom/right than at the top/left, a GEMM over a zero-banded grid (sharedPadFilterGradient); otherwise one
 * convolution over the batch dimension:
 *
 * dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s + kh·d − pt, ow·s + kw·d − pl, ci] · dy[n, oh, ow, co]
 *
 * which is a convolution whose batch is ci, whose input channels are n, whose filter is dy laid out as
 * [oh, ow, n, co], with stride d and dilation s (the forward pass's dilation and stride swapped; d = 1 for this
 * kernel). The output [ci, kh, kw, co] is transposed to the filter layout [kh, kw, ci, co].
 */
export function conv2DBackpropFilter(args: {
  inputs: KernelInputs<'x' | 'dy'>;
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  const $dataFormat = backend_util.convertConv2DDataFormat(dataFormat);
  if ($dataFormat !== 'channelsLast') {
    throw new Error(`semix Conv2DBackpropFilter (wasm): dataFormat '${dataFormat}' is not supported; use 'NHWC'`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    $dataFormat,
  );
  // The Conv2DBackpropFilter kernel has no dilations attribute (tfjs-core's conv2d gradient requires
  // dilation 1), so d = 1: the helper convolution runs with stride 1 and dilation s.
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, inHeight, inWidth } = info;
  const { outHeight: oh, outWidth: ow, padInfo } = info;
  const padTop = padInfo.top;
  const padLeft = padInfo.left;
  // Enough bottom/right padding that the output covers kh × kw; any extra rows are sliced off below.
  const padBottom = Math.max(0, kh - 1 + (oh - 1) * sh + 1 - inHeight - padTop);
  const padRight = Math.max(0, kw - 1 + (ow - 1) * sw + 1 - inWidth - padLeft);

  if (info.batchSize * oh * ow === 0) {
    // No output positions (an empty batch): the gradient is zero, whatever an empty GEMM would leave.
    const zeros = backend.makeOutput(filterShape, 'float32');
    f32(backend, zeros).fill(0);
    return zeros;
  }
  if (kh * kw * info.inChannels < IM2COL_MAX_PATCH) {
    return im2colFilterGradient(backend, x, dy, info);
  }
  if (sh === 1 && sw === 1 && padInfo.bottom <= padTop && padInfo.right <= padLeft && padTop < kh && padLeft < kw) {
    return sharedPadFilterGradient(backend, x, dy, info);
  }
  const xT = transpose(backend, x, [3, 1, 2, 0]); // [ci, H, W, n]
  const dyT = transpose(backend, dy, [1, 2, 0, 3]); // [oh, ow, n, co]
  const conv = callKernel(backend, 'Conv2D', { x: xT, filter: dyT }, {
    strides: [1, 1],
    dilations: [sh, sw],
    pad: explicitPad(padTop, padBottom, padLeft, padRight),
    dataFormat: 'NHWC',
    dimRoundingMode: undefined,
  } as unknown as Record<string, never>);
  release(backend, xT, dyT);
  let cropped = conv;
  if (conv.shape[1] !== kh || conv.shape[2] !== kw) {
    cropped = slice(backend, conv, [0, 0, 0, 0], [conv.shape[0], kh, kw, conv.shape[3]]);
    release(backend, conv);
  }
  const dW = transpose(backend, cropped, [1, 2, 0, 3]);
  release(backend, cropped);
  return dW;
}

/**
 * Below this patch size (kh·kw·ci) the helper convolution has too few output rows for XNNPACK's tiles: for the
 * 3×3×1 first layer of cnn-small it measured 19.6 ms, against ~4 ms for patches + one GEMM.
 */
const IM2COL_MAX_PATCH = 64;

/**
 * dW[K, co] = patchesᵀ[K, P] · dy[P, co] with P = n·oh·ow and K = kh·kw·ci, through XNNPACK's GEMM. The patches
 * are written already transposed (one row per filter tap and input channel), so dy is used as it lies and the
 * product is the filter in its own layout: no Transpose at all.
 */
function im2colFilterGradient(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outChannels: co } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const P = n * oh * ow;
  const K = kh * kw * ci;
  const patchesT = backend.makeOutput([1, K, P], 'float32');
  const dy3 = callKernel(backend, 'Reshape', { x: dy }, { shape: [1, P, co] });
  const src = f32(backend, x);
  const dst = f32(backend, patchesT);
  // Output columns whose input column lies inside the image: [xoLo, xoHi), per filter column fx.
  for (let fy = 0; fy < kh; fy++) {
    for (let fx = 0; fx < kw; fx++) {
      const xoLo = Math.min(ow, Math.max(0, Math.ceil((pl - fx) / sw)));
      const xoHi = Math.max(xoLo, Math.min(ow, Math.floor((W - 1 + pl - fx) / sw) + 1));
      for (let c = 0; c < ci; c++) {
        const base = ((fy * kw + fx) * ci + c) * P;
        for (let b = 0; b < n; b++) {
          for (let y = 0; y < oh; y++) {
            const at = base + (b * oh + y) * ow;
            const iy = y * sh + fy - pt;
            if (iy < 0 || iy >= H) {
              dst.fill(0, at, at + ow);
              continue;
            }
            dst.fill(0, at, at + xoLo);
            dst.fill(0, at + xoHi, at + ow);
            const rowStart = (b * H + iy) * W;
            const ix0 = xoLo * sw + fx - pl;
            if (ci === 1 && sw === 1) {
              dst.set(src.subarray(rowStart + ix0, rowStart + ix0 + (xoHi - xoLo)), at + xoLo);
            } else {
              let s0 = (rowStart + ix0) * ci + c;
              const step = sw * ci;
              for (let xo = xoLo; xo < xoHi; xo++, s0 += step) dst[at + xo] = src[s0];
            }
          }
        }
      }
    }
  }
  return patchesTimesDy(backend, patchesT, dy3, [kh, kw, ci, co]);
}

/**
 * Stride 1, bottom/right padding no larger than top/left ('same' with odd kernels, 'valid'): dW[K, co] =
 * patchesᵀ[K, Q] · dy'[Q, co] through XNNPACK's GEMM, where every patch row is one contiguous copy.
 *
 * x is laid out channel by channel on a grid of rows Ws = W + pl wide, Hs = H + pt rows per image, the pixel
 * (b, iy, ix) at ((b·Hs + iy + pt)·Ws + ix + pl) and zeros elsewhere: one zero band serves as the right padding of a
 * row and the left padding of the next, and as the bottom padding of an image and the top of the next. The output
 * position (b, y, x) is grid point q = (b·Hs + y)·Ws + x, and its input under filter tap (fy, fx) sits at
 * q + fy·Ws + fx, so the patch row of (fy, fx, c) is channel c's grid shifted by fy·Ws + fx. Grid points that are
 * not outputs get dy' = 0. Measured on conv2 of the reference step (14×14×16 → 32), medians over interleaved runs:
 * 9.5 → 9.3 ms at batch 64 and 20.5 → 18.4 ms at batch 128 against the convolution over the batch (the GEMM itself
 * is most of it). For conv1's 3×3×1 patches the plain patches path stays faster (3.7 against 6.5 ms).
 */
function sharedPadFilterGradient(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outChannels: co } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const Hs = H + pt;
  const Ws = W + pl;
  const Q = ((n - 1) * Hs + oh - 1) * Ws + ow;
  const L = Math.max(n * Hs * Ws, Q + (kh - 1) * Ws + kw - 1);
  const K = kh * kw * ci;
  const patchesT = backend.makeOutput([1, K, Q], 'float32');
  const dyGrid = backend.makeOutput([1, Q, co], 'float32');
  // Views after every allocation: growing the wasm heap detaches earlier ones.
  const src = f32(backend, x);
  const g = f32(backend, dy);
  const grid = new Float32Array(ci * L);
  for (let b = 0; b < n; b++) {
    for (let iy = 0; iy < H; iy++) {
      const rowAt = (b * Hs + iy + pt) * Ws + pl;
      const from = (b * H + iy) * W * ci;
      if (ci === 1) {
        grid.set(src.subarray(from, from + W), rowAt);
        continue;
      }
      for (let ix = 0; ix < W; ix++) {
        const s0 = from + ix * ci;
        for (let c = 0; c < ci; c++) grid[c * L + rowAt + ix] = src[s0 + c];
      }
    }
  }
  const patches = f32(backend, patchesT);
  for (let fy = 0; fy < kh; fy++) {
    for (let fx = 0; fx < kw; fx++) {
      for (let c = 0; c < ci; c++) {
        const from = c * L + fy * Ws + fx;
        patches.set(grid.subarray(from, from + Q), ((fy * kw + fx) * ci + c) * Q);
      }
    }
  }
  const dyg = f32(backend, dyGrid);
  dyg.fill(0);
  for (let b = 0; b < n; b++) {
    for (let y = 0; y < oh; y++) {
      const from = (b * oh + y) * ow * co;
      dyg.set(g.subarray(from, from + ow * co), (b * Hs + y) * Ws * co);
    }
  }
  return patchesTimesDy(backend, patchesT, dyGrid, [kh, kw, ci, co]);
}

/** dW = patchesᵀ[1, K, P] · dy[1, P, co] through XNNPACK's GEMM, as the filter; releases both inputs. */
function patchesTimesDy(
  backend: BackendWasm,
  patchesT: TensorInfo,
  dyRows: TensorInfo,
  filterShape: [number, number, number, number],
): TensorInfo {
  const dW = callKernel(backend, 'BatchMatMul', { a: patchesT, b: dyRows }, { transposeA: false, transposeB: false });
  release(backend, patchesT, dyRows);
  const out = callKernel(backend, 'Reshape', { x: dW }, { shape: filterShape });
  release(backend, dW);
  return out;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: BACKEND_NAME,
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
