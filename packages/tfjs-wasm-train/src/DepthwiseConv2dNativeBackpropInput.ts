import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  backend_util,
  type DepthwiseConv2dNativeBackpropInputAttrs,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';
import { forEachDepthwiseTap } from './depthwise_utils';
import { BACKEND_NAME, f32, type KernelInputs } from './kernel_utils';

/**
 * dx[b,y,x,c] = Σ_{fy,fx,q : y = oy·s + fy·d − pt, …} dy[b, oy, ox, c·m + q] · W[fy, fx, c, q], computed by
 * scattering each dy pixel back through the taps that read the input pixel: one pass, the forward's cost.
 */
export function depthwiseConv2dNativeBackpropInput(args: {
  inputs: KernelInputs<'dy' | 'filter'>;
  backend: BackendWasm;
  attrs: DepthwiseConv2dNativeBackpropInputAttrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  const { strides, dilations, pad, dimRoundingMode, inputShape } = attrs;
  const info = backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    strides,
    dilations,
    pad,
    dimRoundingMode,
    true,
  );
  const channels = info.inChannels;
  const multiplier = info.outChannels / channels;
  const dx = backend.makeOutput(inputShape, 'float32');
  const w = f32(backend, filter);
  const g = f32(backend, dy);
  const out = f32(backend, dx);
  out.fill(0);
  forEachDepthwiseTap(info, (xo, go, wo) => {
    for (let c = 0; c < channels; c++) {
      const k = c * multiplier;
      let sum = 0;
      for (let q = 0; q < multiplier; q++) sum += g[go + k + q] * w[wo + k + q];
      out[xo + c] += sum;
    }
  });
  return dx;
}

export const depthwiseConv2dNativeBackpropInputConfig: KernelConfig = {
  kernelName: 'DepthwiseConv2dNativeBackpropInput',
  backendName: BACKEND_NAME,
  kernelFunc: depthwiseConv2dNativeBackpropInput as unknown as KernelFunc,
};
