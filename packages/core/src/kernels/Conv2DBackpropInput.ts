import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  type Conv2DBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BACKEND_NAME, callKernel, explicitPad, f32, type KernelInputs, release } from './kernel_utils';

/**
 * The input gradient as one XNNPACK convolution: the stride-dilated dy, padded by (k − 1 − pad) on each side,
 * correlated with the filter rotated by 180° and with its in/out channels swapped.
 *
 * dx[n,i,j,ci] = Σ_{kh,kw,co} D[n, i + pt − kh, j + pl − kw, co] · W[kh,kw,ci,co],  D = dy with s − 1 zeros
 * between rows and columns. Substituting kh → KH − 1 − kh turns the sum into a stride-1 correlation of D,
 * padded by KH − 1 − pt on top, with W rotated.
 *
 * Stride 1 with non-negative padding needs no copy of dy (the padding goes to XNNPACK); otherwise the zero-
 * inserted, padded (or cropped) dy is built in one pass over dy.
 */
export function conv2DBackpropInput(args: {
  inputs: KernelInputs<'dy' | 'filter'>;
  backend: BackendWasm;
  attrs: Conv2DBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  const $dataFormat = backend_util.convertConv2DDataFormat(dataFormat);
  if ($dataFormat !== 'channelsLast') {
    throw new Error(`semix Conv2DBackpropInput (wasm): dataFormat '${dataFormat}' is not supported; use 'NHWC'`);
  }
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    $dataFormat,
  );
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
