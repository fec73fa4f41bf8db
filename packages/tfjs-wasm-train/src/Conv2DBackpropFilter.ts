import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type {
  backend_util,
  Conv2DBackpropFilterAttrs,
  KernelConfig,
  KernelFunc,
  TensorInfo,
} from '@tensorflow/tfjs-core';
import {
  BACKEND_NAME,
  callKernel,
  copyRows,
  explicitPad,
  f32,
  heapOffset,
  imageIntoGrid,
  type KernelInputs,
  nhwcConvInfo,
  release,
  slice,
  transpose,
} from './kernel_utils';
import { planSimd, simdFilterGrad } from './simd_filter_grad';
import { winogradFilterGradient } from './winograd_filter_grad';

/**
 * The filter gradient, dW[kh,kw,ci,co] = Σ_{n,oh,ow} x[n, oh·s + kh − pt, ow·s + kw − pl, ci] · dy[n, oh, ow, co]
 * (tfjs-core's conv2d gradient requires dilation 1, and the kernel has no dilations attribute), through semix's
 * WebAssembly SIMD kernel (simd_filter_grad.ts); where the runtime has no WebAssembly SIMD, through one
 * convolution over the batch dimension (convolutionFilterGradient).
 */
export { planSimd, type SimdPlan } from './simd_filter_grad';

export function conv2DBackpropFilter(args: {
  inputs: KernelInputs<'x' | 'dy'>;
  backend: BackendWasm;
  attrs: Conv2DBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const info = filterGradientInfo(x, attrs);
  const { batchSize, outHeight, outWidth, filterHeight, filterWidth, inChannels, outChannels } = info;
  if (batchSize * outHeight * outWidth * filterHeight * filterWidth * inChannels * outChannels === 0) {
    // No output positions (an empty batch) or an empty filter: the gradient is zero (or empty), whatever an empty
    // sum would leave; the SIMD loops never run with a zero count.
    const zeros = backend.makeOutput(info.filterShape, 'float32');
    f32(backend, zeros).fill(0);
    return zeros;
  }
  return (
    winogradFilterGradient(backend, x, dy, info) ??
    simdFilterGradient(backend, x, dy, info) ??
    convolutionFilterGradient(backend, x, dy, info)
  );
}

/** The convolution's geometry from the kernel's attributes (NHWC only). */
export function filterGradientInfo(x: TensorInfo, attrs: Conv2DBackpropFilterAttrs): backend_util.Conv2DInfo {
  return nhwcConvInfo('Conv2DBackpropFilter', x.shape, attrs.filterShape, attrs);
}

/**
 * The filter gradient as one convolution (the Conv2D kernel registered for wasm: XNNPACK's where SIMD is missing,
 * or with dilation) whose batch is ci, whose input channels are n, whose filter is dy
 * laid out as [oh, ow, n, co], with stride 1 and dilation s (the forward pass's dilation and stride swapped). The
 * output [ci, kh, kw, co] is transposed to the filter layout [kh, kw, ci, co]. The fallback where WebAssembly SIMD
 * is missing: 2–4× slower than the SIMD kernel on the shapes measured there.
 */
export function convolutionFilterGradient(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo {
  const { filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, inHeight, inWidth } = info;
  const { outHeight: oh, outWidth: ow, padInfo } = info;
  const padTop = padInfo.top;
  const padLeft = padInfo.left;
  // Enough bottom/right padding that the output covers kh × kw; any extra rows are sliced off below.
  const padBottom = Math.max(0, kh - 1 + (oh - 1) * sh + 1 - inHeight - padTop);
  const padRight = Math.max(0, kw - 1 + (ow - 1) * sw + 1 - inWidth - padLeft);
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

/** dy rows handed to one call of the SIMD kernel: about this many bytes, reread for every row block from L1. */
const DY_CHUNK_BYTES = 16 * 1024;

/**
 * The filter gradient through the SIMD kernel (simd_filter_grad.ts), or null where WebAssembly SIMD is missing.
 * Each image is copied into a zero-padded grid large enough for every tap of every output position; its output
 * rows are then accumulated into dW a chunk at a time (about 16 KiB of dy per call: 16 and 32 KiB measured alike,
 * whole 32×32×64 images 20% slower); where a whole image's dy fits the chunk (4×4 outputs), as many whole images
 * as fill it in one call, summed in one pass of the accumulators. Output channels that are not a multiple of 4 are padded with zero columns of
 * dy, and the padding's columns of dW dropped. Measured against the GEMM paths it replaces (medians, batch 128):
 * conv2 of the reference step 18 → 7.5 ms, conv1 5.5 → 1.6 ms; 12–15 GMAC/s on preact-resnet shapes, against 3–9.
 */
export function simdFilterGradient(
  backend: BackendWasm,
  x: TensorInfo,
  dy: TensorInfo,
  info: backend_util.Conv2DInfo,
): TensorInfo | null {
  const plan = planSimd(info);
  const fn = simdFilterGrad(backend.wasm, plan.rows, plan.vectors);
  if (!fn) return null;
  const { batchSize: n, inHeight: H, inWidth: W, inChannels: ci, outChannels: co } = info;
  const { outHeight: oh, outWidth: ow, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw } = info;
  const pt = info.padInfo.top;
  const pl = info.padInfo.left;
  const Hg = Math.max(pt + H, (oh - 1) * sh + kh);
  const Wg = Math.max(pl + W, (ow - 1) * sw + kw);
  const K = kh * kw * ci;
  const kBlocks = K / plan.rows;
  const co4 = 4 * Math.ceil(co / 4);
  const dyRowBytes = ow * co4 * 4;
  const imageBytes = Hg * Wg * ci * 4;
  // Small outputs: whole images a call, as many as fill the chunk, summed in one pass of the accumulators.
  const perCall = oh * dyRowBytes <= DY_CHUNK_BYTES ? Math.floor(DY_CHUNK_BYTES / (oh * dyRowBytes)) : 0;
  // The input itself where no padding is read; otherwise the images of one call in turn in zero-padded grids.
  const inPlace = Hg === H && Wg === W;
  const grid = inPlace ? x : backend.makeOutput([Math.min(n, Math.max(1, perCall)), Hg, Wg, ci], 'float32');
  const offsets = backend.makeOutput([kBlocks], 'int32');
  const dyPadded = co4 === co ? dy : backend.makeOutput([n, oh, ow, co4], 'float32');
  const dWPadded = backend.makeOutput([K, co4], 'float32');
  // Views after every allocation: growing the wasm heap detaches earlier ones.
  if (!inPlace) f32(backend, grid).fill(0);
  if (dyPadded !== dy) {
    const to = f32(backend, dyPadded);
    to.fill(0);
    copyRows(f32(backend, dy), to, n * oh * ow, co, co, co4);
  }
  const offs = backend.typedArrayFromHeap(offsets) as Int32Array;
  for (let kb = 0; kb < kBlocks; kb++) {
    const k = kb * plan.rows;
    const c = k % ci;
    const tap = (k - c) / ci;
    offs[kb] = ((Math.floor(tap / kw) * Wg + (tap % kw)) * ci + c) * 4;
  }
  f32(backend, dWPadded).fill(0);
  const address = (t: TensorInfo) => heapOffset(backend, t) as number;
  const [gridAt, dyAt, dWAt, offsAt] = [grid, dyPadded, dWPadded, offsets].map(address);
  const fill = inPlace ? null : imageIntoGrid(f32(backend, x), [H, W, ci], Wg * ci, ci, pt, pl);
  /** The grids of images b … b + count − 1 (consecutive, imageBytes apart): in place, or copied into the grid. */
  const imagesAt = (b: number, count: number) => {
    if (!fill) return gridAt + b * imageBytes;
    for (let j = 0; j < count; j++) fill(b + j, gridAt + j * imageBytes);
    return gridAt;
  };
  const args = (rows: number, images: number) =>
    [
      offsAt,
      kBlocks,
      co4 / (4 * plan.vectors),
      rows,
      ow,
      sw * ci * 4,
      sh * Wg * ci * 4,
      co4 * 4,
      images,
      imageBytes,
    ] as const;
  if (perCall > 0) {
    for (let b = 0; b < n; b += perCall) {
      const count = Math.min(perCall, n - b);
      fn(imagesAt(b, count), dyAt + b * oh * dyRowBytes, dWAt, ...args(oh, count));
    }
  } else {
    const rowsPerCall = Math.max(1, Math.floor(DY_CHUNK_BYTES / dyRowBytes));
    for (let b = 0; b < n; b++) {
      const image = imagesAt(b, 1);
      for (let y0 = 0; y0 < oh; y0 += rowsPerCall) {
        const at = image + y0 * sh * Wg * ci * 4;
        fn(at, dyAt + (b * oh + y0) * dyRowBytes, dWAt, ...args(Math.min(rowsPerCall, oh - y0), 1));
      }
    }
  }
  if (!inPlace) release(backend, grid);
  release(backend, offsets);
  if (dyPadded !== dy) release(backend, dyPadded);
  const dW = backend.makeOutput(info.filterShape, 'float32');
  copyRows(f32(backend, dWPadded), f32(backend, dW), K, co, co4, co);
  release(backend, dWPadded);
  return dW;
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: BACKEND_NAME,
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
