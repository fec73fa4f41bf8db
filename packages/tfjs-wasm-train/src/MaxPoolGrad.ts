import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  type KernelConfig,
  type KernelFunc,
  type MaxPoolGradAttrs,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { BACKEND_NAME, f32, heapOffset, type KernelInputs } from './kernel_utils';
import { simdPool2x2Grad } from './simd_pool_grad';

/**
 * Max-pool gradient: each dy value goes to the first maximum of its window (scan order row, then column,
 * strictly greater wins), as the `cpu` backend does. One pass over the windows, channels innermost so the
 * reads are contiguous; it replaces wasm's own MaxPoolGrad, measured at ~60 ms for the reference step. Windows of
 * 2×2, stride 2, that tile the input exactly with channels a multiple of 4 go to a WebAssembly SIMD kernel
 * (simd_pool_grad.ts) when the runtime has SIMD.
 */
export function maxPoolGrad(args: {
  inputs: KernelInputs<'dy' | 'input' | 'output'>;
  backend: BackendWasm;
  attrs: MaxPoolGradAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs;
  const { filterSize, strides, pad, dimRoundingMode } = attrs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    filterSize,
    strides,
    1,
    pad,
    dimRoundingMode,
  );
  const { batchSize, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const { strideHeight, strideWidth, effectiveFilterHeight: fh, effectiveFilterWidth: fw } = info;
  const { dilationHeight: dh, dilationWidth: dw } = info;
  const padTop = info.padInfo.top;
  const padLeft = info.padInfo.left;

  const dx = backend.makeOutput(input.shape, 'float32');
  // 2×2 windows, stride 2, no padding before: windows do not overlap.
  const window2x2 =
    fh === 2 &&
    fw === 2 &&
    strideHeight === 2 &&
    strideWidth === 2 &&
    dh === 1 &&
    dw === 1 &&
    padTop === 0 &&
    padLeft === 0;
  const exact2x2 =
    window2x2 &&
    2 * outHeight === inHeight &&
    2 * outWidth === inWidth &&
    c % 4 === 0 &&
    // The SIMD loops run their body at least once: never with an empty dimension.
    batchSize * outHeight * outWidth * c > 0;
  const simd = exact2x2 ? simdPool2x2Grad(backend) : null;
  if (simd) {
    const offsets = [input, dy, dx].map((info) => heapOffset(backend, info));
    if (offsets.every((o) => Number.isInteger(o))) {
      const [xAt, dyAt, dxAt] = offsets as number[];
      simd(xAt, dyAt, dxAt, batchSize * outHeight, outWidth, 4 * c);
      return dx;
    }
  }
  const x = f32(backend, input);
  const g = f32(backend, dy);
  const out = f32(backend, dx);
  out.fill(0);
  const plain2x2 = window2x2 && 2 * outHeight <= inHeight && 2 * outWidth <= inWidth;
  if (plain2x2) {
    pool2x2Grad(x, g, out, batchSize, inHeight, inWidth, c, outHeight, outWidth);
    return dx;
  }
  for (let b = 0; b < batchSize; b++) {
    const xBatch = b * inHeight * inWidth * c;
    for (let oy = 0; oy < outHeight; oy++) {
      const y0 = oy * strideHeight - padTop;
      const yStart = Math.max(0, Math.ceil(-y0 / dh)) * dh;
      for (let ox = 0; ox < outWidth; ox++) {
        const x0 = ox * strideWidth - padLeft;
        const xStart = Math.max(0, Math.ceil(-x0 / dw)) * dw;
        const gBase = ((b * outHeight + oy) * outWidth + ox) * c;
        for (let ch = 0; ch < c; ch++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let wy = yStart; wy < fh && y0 + wy < inHeight; wy += dh) {
            const row = xBatch + (y0 + wy) * inWidth * c + ch;
            for (let wx = xStart; wx < fw && x0 + wx < inWidth; wx += dw) {
              const i = row + (x0 + wx) * c;
              const v = x[i];
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) out[at] += g[gBase + ch];
        }
      }
    }
  }
  return dx;
}

/**
 * The common case, 2×2 windows with stride 2 and no padding, unrolled: the four candidates of a window are read
 * in the same order as the general loop (row, then column; strictly greater wins), and windows do not overlap,
 * so each dy value is stored, not accumulated.
 */
function pool2x2Grad(
  x: Float32Array,
  g: Float32Array,
  out: Float32Array,
  n: number,
  h: number,
  w: number,
  c: number,
  oh: number,
  ow: number,
): void {
  const row = w * c;
  for (let b = 0; b < n; b++) {
    for (let oy = 0; oy < oh; oy++) {
      const top = (b * h + 2 * oy) * row;
      let gi = (b * oh + oy) * ow * c;
      for (let ox = 0; ox < ow; ox++) {
        const i00 = top + 2 * ox * c;
        const i01 = i00 + c;
        const i10 = i00 + row;
        const i11 = i10 + c;
        for (let ch = 0; ch < c; ch++, gi++) {
          // From −∞, strictly greater: as the general loop and the cpu backend (a NaN never wins).
          let at = -1;
          let best = Number.NEGATIVE_INFINITY;
          if (x[i00 + ch] > best) {
            best = x[i00 + ch];
            at = i00 + ch;
          }
          if (x[i01 + ch] > best) {
            best = x[i01 + ch];
            at = i01 + ch;
          }
          if (x[i10 + ch] > best) {
            best = x[i10 + ch];
            at = i10 + ch;
          }
          if (x[i11 + ch] > best) at = i11 + ch;
          if (at >= 0) out[at] = g[gi];
        }
      }
    }
  }
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: 'MaxPoolGrad',
  backendName: BACKEND_NAME,
  kernelFunc: maxPoolGrad as unknown as KernelFunc,
};
