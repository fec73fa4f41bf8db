import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  type DepthwiseConv2dNativeBackpropFilterAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { forEachDepthwiseTap } from './depthwise_utils';
import { BACKEND_NAME, f32, type KernelInputs } from './kernel_utils';

/**
 * dW[fy,fx,c,q] = Σ_{b,oy,ox} x[b, oy·s + fy·d − pt, ox·s + fx·d − pl, c] · dy[b, oy, ox, c·m + q].
 * A depthwise filter gradient is no single XNNPACK convolution (it would need a block-diagonal output), and no
 * semix model uses depthwise layers in its hot path, so this is one direct pass: the same work as the forward.
 */
export function depthwiseConv2dNativeBackpropFilter(args: {
  inputs: KernelInputs<'x' | 'dy'>;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropFilterAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  const { strides, dilations, pad, dimRoundingMode, filterShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const channels = info.inChannels;
  const multiplier = info.outChannels / channels;
  const dW = backend.makeOutput(filterShape, 'float32');
  const xs = f32(backend, x);
  const g = f32(backend, dy);
  const out = f32(backend, dW);
  out.fill(0);
  forEachDepthwiseTap(info, (xo, go, wo) => {
    for (let c = 0; c < channels; c++) {
      const v = xs[xo + c];
      const k = c * multiplier;
      for (let q = 0; q < multiplier; q++) out[wo + k + q] += v * g[go + k + q];
    }
  });
  return dW;
}

export const depthwiseConv2dNativeBackpropFilterConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropFilter',
  backendName: BACKEND_NAME,
  kernelFunc: depthwiseConv2dNativeBackpropFilter as unknown as KernelFunc,
};
