import { CHANNEL_AFFINE, CHANNEL_DOT, MASKED_CHANNEL_SUMS, PREACT_CONV2D } from '@semix/tfjs-wasm-train';
import * as tf from '@tensorflow/tfjs-core';
import type { ParamStore } from './params';

/**
 * Whether a gradient tape is recording. tfjs-core's fused ops fall back to separate kernels (convolution, Add,
 * ReLU) when asked for a fused activation under a tape; a fused *linear* op keeps the bias inside the kernel.
 */
const recording = () => (tf.engine().state as unknown as { gradientDepth: number }).gradientDepth > 0;

/**
 * Convolution + bias (+ ReLU). Without a tape, tfjs's fused kernel applies bias and ReLU in XNNPACK's pass.
 * Under a tape, tfjs-core unfuses a fused ReLU (convolution, Add, ReLU) and its fused gradient computes the input
 * gradient eagerly; so under a tape the bias stays fused (one pass saved) except on the network's input
 * (`isInput`), whose gradient nobody needs: there separate ops let the tape skip it. Without bias or ReLU
 * there is nothing to fuse and the plain convolution is used.
 */
export function convBiasRelu(
  x: tf.Tensor,
  filter: tf.Variable,
  bias: tf.Variable | null,
  strides: number,
  relu: boolean,
  isInput = false,
): tf.Tensor4D {
  const x4 = x as tf.Tensor4D;
  const f4 = filter as tf.Tensor4D;
  if (!bias && !relu) return tf.conv2d(x4, f4, strides, 'same');
  const fused = (activation: 'relu' | 'linear') =>
    tf.fused.conv2d({ x: x4, filter: f4, strides, pad: 'same', bias: bias ?? undefined, activation });
  if (!recording()) return fused(relu ? 'relu' : 'linear');
  if (isInput) {
    const conv = tf.conv2d(x4, f4, strides, 'same');
    const biased = bias ? tf.add(conv, bias) : conv;
    return (relu ? tf.relu(biased) : biased) as tf.Tensor4D;
  }
  return relu ? tf.relu(fused('linear')) : fused('linear');
}

/**
 * conv(x, filter) + residual ('same' padding; the residual of the output's shape): a residual block's last
 * convolution and its skip connection. With semix's kernel pack, one fused convolution whose bias is the residual
 * (tfjs-core's fused op broadcasts the bias; the pack adds it in the Winograd output transform, where one pass over
 * the output is saved, and its gradient is dy as the Add's is); the same values as the Add of the two. Elsewhere,
 * tf.add of the convolution and the residual.
 */
export function convResidual(x: tf.Tensor, filter: tf.Variable, residual: tf.Tensor, strides: number): tf.Tensor4D {
  const x4 = x as tf.Tensor4D;
  const f4 = filter as tf.Tensor4D;
  if (tf.getKernel(CHANNEL_AFFINE, tf.getBackend()) != null && residual.dtype === 'float32') {
    return tf.fused.conv2d({ x: x4, filter: f4, strides, pad: 'same', bias: residual, activation: 'linear' });
  }
  return tf.add(tf.conv2d(x4, f4, strides, 'same'), residual);
}

/**
 * Convolution + bias, ReLU, then 2×2 max-pooling (stride 2, 'same'). Max-pooling commutes with ReLU (both are
 * monotone), so under a tape it pools first: the ReLU and its gradient mask touch a quarter of the values, with
 * identical results (the gradient reaches the same first maximum, or is zero when the window's maximum is ≤ 0).
 * Without a tape, the ReLU stays fused in the convolution.
 */
export function convReluPool(x: tf.Tensor, filter: tf.Variable, bias: tf.Variable, isInput = false): tf.Tensor4D {
  if (!recording()) return tf.maxPool(convBiasRelu(x, filter, bias, 1, true, isInput), 2, 2, 'same');
  return tf.relu(tf.maxPool(convBiasRelu(x, filter, bias, 1, false, isInput), 2, 2, 'same'));
}

/** Dense layer, fused bias (+ ReLU). */
export function dense(x: tf.Tensor, weight: tf.Variable, bias: tf.Variable, relu: boolean): tf.Tensor2D {
  const mm = (activation: 'relu' | 'linear') =>
    tf.fused.matMul({ a: x as tf.Tensor2D, b: weight as tf.Tensor2D, bias, activation }) as tf.Tensor2D;
  if (!relu) return mm('linear');
  return recording() ? tf.relu(mm('linear')) : mm('relu');
}

export function flatten(x: tf.Tensor): tf.Tensor2D {
  return tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D;
}

/** A batch-norm layer: `(x, training)`, and its inference-mode map folded to one scale and shift per channel. */
export interface BatchNormLayer {
  /** With `relu`, max(·, 0) of the normalisation, fused into it in training (see batchNormTrain). */
  (x: tf.Tensor, training: boolean, relu?: boolean): tf.Tensor;
  /**
   * y = x·scale + shift with scale = γ / √(running variance + ε) and shift = β − running mean · scale: the
   * inference-mode normalisation as one affine map (to fuse with a ReLU, or to fold into the convolution before it).
   * New tensors, the caller's to dispose.
   */
  folded(): { scale: tf.Tensor1D; shift: tf.Tensor1D };
}

/**
 * Batch normalisation over [batch, height, width] with learned scale and shift. In training it normalises
 * with the batch statistics and queues the running-statistics update (momentum 0.1, unbiased variance, as
 * PyTorch's BatchNorm2d does); in evaluation it uses the running statistics. Every training-mode pass of a step
 * updates them, in the order of the passes (the second from the first's result, as PyTorch's in-place update
 * does); they are assigned when the step applies its updates.
 */
export function batchNorm(params: ParamStore, name: string, channels: number): BatchNormLayer {
  const gamma = params.ones(`${name}.weight`, channels);
  const beta = params.zeros(`${name}.bias`, channels);
  const runningMean = params.zeros(`${name}.running_mean`, channels, false);
  const runningVar = params.ones(`${name}.running_var`, channels, false);
  const momentum = 0.1;
  const epsilon = 1e-5;
  const layer = (x: tf.Tensor, training: boolean, relu = false): tf.Tensor => {
    if (!training) {
      const y = tf.batchNorm(x as tf.Tensor4D, runningMean, runningVar, beta, gamma, epsilon);
      return relu ? tf.relu(y) : y;
    }
    const onMoments = (mean: tf.Tensor1D, variance: tf.Tensor1D) => {
      const n = x.size / channels;
      // running ← (1 − m)·running + m·batch, from the running value the step's earlier passes left (PyTorch order).
      params.queueUpdate(runningMean, (r) => tf.add(tf.mul(r, 1 - momentum), tf.mul(mean, momentum)));
      params.queueUpdate(runningVar, (r) =>
        tf.add(tf.mul(r, 1 - momentum), tf.mul(tf.mul(variance, n / Math.max(1, n - 1)), momentum)),
      );
    };
    return batchNormTrain(x as tf.Tensor4D, gamma, beta, epsilon, onMoments, true, relu);
  };
  layer.folded = () =>
    tf.tidy(() => {
      const scale = tf.mul(gamma, tf.rsqrt(tf.add(runningVar, epsilon))) as tf.Tensor1D;
      return { scale, shift: tf.sub(beta, tf.mul(runningMean, scale)) as tf.Tensor1D };
    });
  return layer;
}

/**
 * Inference-mode batch norm + ReLU: max(x·scale + shift, 0) per channel (scale and shift from
 * {@link BatchNormLayer.folded}). On wasm one pass of semix's channel kernel outside a tape (where three kernels,
 * FusedBatchNorm's 5-input pass, then ReLU, took ~9× longer); elsewhere, or under a tape, tfjs ops.
 */
export function scaleShiftRelu(x: tf.Tensor, scale: tf.Tensor1D, shift: tf.Tensor1D): tf.Tensor {
  if (!recording() && tf.getKernel(CHANNEL_AFFINE, tf.getBackend()) != null && x.dtype === 'float32') {
    return tf.engine().runKernel(CHANNEL_AFFINE, { a: x, scaleA: scale, shift }, { relu: true }) as tf.Tensor;
  }
  return tf.relu(tf.add(tf.mul(x, scale), shift));
}

/**
 * relu(bn(conv(x, filter))) in inference mode, with the batch norm folded into the convolution: filter·scale (per
 * output channel) and the shift as its bias, one fused convolution + bias + ReLU. Equal to the unfolded layers up
 * to float rounding (the scale multiplies the filter instead of the sum).
 *
 * With `preActivation` (a folded batch norm of x's channels, {@link BatchNormLayer.folded}), the convolution is of
 * relu(x·scale + shift), a pre-activation block's first layers: on wasm with the pack, outside a tape, one
 * SemixPreActConv2D that applies the map as the input enters the convolution's grid (the activated copy of x is not
 * written), the same values as {@link scaleShiftRelu} then the convolution; elsewhere those two.
 */
export function convBnRelu(
  x: tf.Tensor,
  filter: tf.Variable,
  bn: BatchNormLayer,
  strides: number,
  preActivation?: { scale: tf.Tensor1D; shift: tf.Tensor1D },
): tf.Tensor4D {
  return tf.tidy(() => {
    const { scale, shift } = bn.folded();
    const folded = tf.mul(filter, scale) as tf.Tensor4D;
    const pre = preActivation;
    if (pre && !recording() && tf.getKernel(PREACT_CONV2D, tf.getBackend()) != null && x.dtype === 'float32') {
      const inputs = { x, scale: pre.scale, shift: pre.shift, filter: folded, bias: shift };
      const attrs = { strides, pad: 'same', dataFormat: 'NHWC', dilations: 1, activation: 'relu' };
      return tf.engine().runKernel(PREACT_CONV2D, inputs, attrs as never) as tf.Tensor4D;
    }
    const input = (pre ? scaleShiftRelu(x, pre.scale, pre.shift) : x) as tf.Tensor4D;
    const conv = (activation: 'relu' | 'linear') =>
      tf.fused.conv2d({ x: input, filter: folded, strides, pad: 'same', bias: shift, activation });
    return recording() ? tf.relu(conv('linear')) : conv('relu');
  });
}

/**
 * Training-mode batch normalisation of NHWC x over [batch, height, width], y = γ·(x − μ)·s + β with
 * s = (σ² + ε)^−½ (σ² the biased batch variance), and its gradient in closed form, as cuDNN and PyTorch compute
 * it: with xc = x − μ and n values per channel,
 *
 *   dβ = Σ dy,   dγ = s·Σ dy·xc,   dx = γs·dy − γs·Σdy/n − γs·s²·Σ(dy·xc)/n · xc.
 *
 * Differentiating tf.moments + tf.batchNorm op by op instead costs ~30 full-size kernels per layer (each of the
 * mean's and the variance's paths broadcast back to the input's shape); this costs 4 in the forward pass and 4
 * in the backward one, plus per-channel arithmetic. `onMoments(mean, variance)` receives the batch statistics
 * (for the running averages; tensors it keeps must be kept with tf.keep).
 *
 * With `relu`, max(·, 0) of y in the same pass (the channel kernel's `relu` attribute), and in the backward pass
 * dy · step(y) before the rest, which is what tf.relu's gradient (dy · cast(step(x))) gives for y = max(x, 0), bit
 * for bit, without its cast (a copy of every value) and the separate ReLU pass. With relu on wasm with the pack,
 * xc is never written: the forward pass is Mean, the variance as one pass of SemixChannelDot over x with the mean
 * as its center, and the normalisation taking x − μ inside (2 reads of x where the ops take 5, 1 write where they
 * take 3); the backward pass's two kernels take x and μ too. Bit for bit what the ops give (the same roundings in
 * the same order: the test compares bits).
 */
export function batchNormTrain(
  x: tf.Tensor4D,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number,
  onMoments: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void = () => {},
  fused = true,
  relu = false,
): tf.Tensor4D {
  const axes = [0, 1, 2];
  // On wasm, semix's kernel pack fuses the per-channel passes (bit for bit the same as the ops below).
  const kernels = fused && tf.getKernel(CHANNEL_AFFINE, tf.getBackend()) != null;
  const affine = (a: tf.Tensor, scaleA: tf.Tensor, shift: tf.Tensor, b?: tf.Tensor, scaleB?: tf.Tensor) => {
    if (kernels) {
      const inputs: tf.NamedTensorMap = b && scaleB ? { a, scaleA, b, scaleB, shift } : { a, scaleA, shift };
      return tf.engine().runKernel(CHANNEL_AFFINE, inputs) as tf.Tensor;
    }
    const first = tf.mul(a, scaleA);
    return tf.add(b && scaleB ? tf.add(first, tf.mul(b, scaleB)) : first, shift);
  };
  const dot = (a: tf.Tensor, b: tf.Tensor) =>
    kernels ? (tf.engine().runKernel(CHANNEL_DOT, { a, b }) as tf.Tensor) : tf.sum(tf.mul(a, b), axes);
  // With the pack's batch norm + ReLU kernels, x − μ is never written out: the variance, the normalisation and both
  // gradient passes take x and μ and subtract inside (rounded as tf.sub would), bit for bit the values of before.
  const centered = relu && kernels && tf.getKernel(MASKED_CHANNEL_SUMS, tf.getBackend()) != null;
  const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [input, g, b, save] = args as [tf.Tensor4D, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    const xs = input;
    const mean = tf.mean(xs, axes) as tf.Tensor1D;
    const xc = centered ? null : tf.sub(xs, mean);
    const variance = (
      xc
        ? tf.mean(tf.square(xc), axes)
        : tf.engine().runKernel(CHANNEL_DOT, { a: xs, b: xs, center: mean }, { mean: true })
    ) as tf.Tensor1D;
    onMoments(mean, variance);
    const invStd = tf.rsqrt(tf.add(variance, epsilon));
    const scale = tf.mul(g, invStd);
    let value: tf.Tensor;
    if (!xc) {
      const inputs = { a: xs, centerA: mean, scaleA: scale, shift: b };
      value = tf.engine().runKernel(CHANNEL_AFFINE, inputs, { relu: true }) as tf.Tensor;
    } else if (!relu) value = affine(xc, scale, b);
    else if (kernels)
      value = tf.engine().runKernel(CHANNEL_AFFINE, { a: xc, scaleA: scale, shift: b }, { relu: true }) as tf.Tensor;
    else value = tf.relu(affine(xc, scale, b));
    save(xc ? (relu ? [xc, invStd, scale, value] : [xc, invStd, scale]) : [xs, invStd, scale, value, mean]);
    return {
      value,
      gradFunc: (upstream, saved) => {
        // centered: x and μ saved, x − μ taken inside the kernels; otherwise xc itself
        const [input, s, gs, y, mu] = saved;
        // With the pack: ReLU's mask applied inside the two passes (its sums, then dx) instead of a masked copy, and
        // x − μ taken inside them; the same roundings in the same order as the ops below, so bit for bit the same.
        const masked = centered;
        const dy = relu && !masked ? tf.mul(upstream, tf.step(y)) : upstream;
        const n = input.size / (input.shape[3] ?? 1);
        const [dBeta, sumDyXc] = masked
          ? (tf.engine().runKernel(MASKED_CHANNEL_SUMS, { dy: upstream, mask: y, x: input, center: mu }) as tf.Tensor[])
          : [tf.sum(dy, axes), dot(dy, input)];
        const dGamma = tf.mul(sumDyXc, s);
        // per channel: the coefficient of xc, and the constant term
        const k = tf.mul(gs, tf.mul(tf.square(s), tf.div(sumDyXc, -n)));
        const c = tf.mul(gs, tf.div(dBeta, -n));
        const dx = masked
          ? (tf.engine().runKernel(CHANNEL_AFFINE, {
              a: upstream,
              mask: y,
              scaleA: gs,
              b: input,
              scaleB: k,
              shift: c,
              centerB: mu,
            }) as tf.Tensor)
          : affine(dy, gs, c, input, k);
        return [dx, dGamma, dBeta];
      },
    };
  });
  return normalize(x, gamma, beta) as tf.Tensor4D;
}
