import * as tf from '@tensorflow/tfjs-core';
import { batchNorm, convBiasRelu, convBnRelu, convResidual, scaleShiftRelu } from './ops';
import { ParamStore } from './params';
import { type Block, sequentialModel } from './sequential';
import type { ModelConfig, SemixModel } from './types';

/**
 * PreAct ResNet-18 (He et al. 2016, "Identity Mappings in Deep Residual Networks"), the CIFAR backbone of the
 * mixup literature (Zhang et al. 2018; Verma et al. 2019): a 3×3 stem, four stages of two pre-activation
 * basic blocks with 64·w, 128·w, 256·w, 512·w channels (strides 1, 2, 2, 2), then BN-ReLU and global average
 * pooling = representation; linear head. `width` shrinks it for CPU runs.
 *
 * Mixable layers (Manifold Mixup) are those of the reference, Verma et al.'s `preresnet.py`
 * (vikasverma1077/manifold_mixup): 0 the input, 1 after the stem and layer1 (the reference's `conv1` then
 * `layer1`: it never mixes the stem's output alone), 2 after layer2, 3 after layer3. The stem is part of the
 * first block, so the defaults {0, 1, 2} mix where the reference's `layer_mix` 0, 1, 2 do.
 */
export function preactResnet18(config: ModelConfig): SemixModel {
  const [, , c] = config.inputShape;
  const width = config.width ?? 1;
  const params = new ParamStore(config.seed);
  const planes = [64, 128, 256, 512].map((p) => Math.max(1, Math.round(p * width)));
  const stem = params.conv('conv1.weight', 3, 3, c, planes[0]);
  const stages: Array<{ name: string; run: Block }> = [];
  let inPlanes = planes[0];
  planes.forEach((out, s) => {
    const blocks: Block[] = [];
    for (let b = 0; b < 2; b++) {
      const stride = b === 0 && s > 0 ? 2 : 1;
      blocks.push(preactBlock(params, `layer${s + 1}.${b}`, inPlanes, out, stride));
      inPlanes = out;
    }
    const stage: Block = (x, training) => blocks.reduce((h, blk) => blk(h, training), x);
    // The stem runs inside layer1's stage: the stem's output alone is no mixable layer (see above).
    const run: Block = s === 0 ? (x, training) => stage(convBiasRelu(x, stem, null, 1, false), training) : stage;
    stages.push({ name: `layer${s + 1}`, run });
  });
  const finalBn = batchNorm(params, 'bn', inPlanes);
  const wh = params.dense('linear.weight', inPlanes, config.numClasses, 'head');
  const bh = params.zeros('linear.bias', config.numClasses);
  return sequentialModel({
    arch: 'preact-resnet18',
    inputShape: config.inputShape,
    numClasses: config.numClasses,
    featureDim: inPlanes,
    params,
    blocks: stages,
    toFeatures: (x, training) => {
      if (training) return tf.mean(finalBn(x, true, true), [1, 2]);
      const { scale, shift } = finalBn.folded();
      return tf.mean(scaleShiftRelu(x, scale, shift), [1, 2]);
    },
    headWeight: wh,
    headBias: bh,
  });
}

function preactBlock(params: ParamStore, name: string, inPlanes: number, planes: number, stride: number): Block {
  const bn1 = batchNorm(params, `${name}.bn1`, inPlanes);
  const conv1 = params.conv(`${name}.conv1.weight`, 3, 3, inPlanes, planes);
  const bn2 = batchNorm(params, `${name}.bn2`, planes);
  const conv2 = params.conv(`${name}.conv2.weight`, 3, 3, planes, planes);
  const shortcut =
    stride !== 1 || inPlanes !== planes ? params.conv(`${name}.shortcut.weight`, 1, 1, inPlanes, planes) : null;
  return (x, training) => {
    if (!training) {
      // Inference: BN2 folded into conv1 (scaled filter, shift as bias, fused ReLU); BN1 + ReLU folded to one map,
      // applied inside conv1 where x feeds nothing else (else one pass, for the shortcut too).
      const { scale, shift } = bn1.folded();
      let h: tf.Tensor;
      let skip: tf.Tensor;
      if (shortcut) {
        const out = scaleShiftRelu(x, scale, shift);
        skip = convBiasRelu(out, shortcut, null, stride, false);
        h = convBnRelu(out, conv1, bn2, stride);
      } else {
        skip = x;
        h = convBnRelu(x, conv1, bn2, stride, { scale, shift });
      }
      tf.dispose([scale, shift]);
      return convResidual(h, conv2, skip, 1);
    }
    const out = bn1(x, training, true);
    const skip = shortcut ? convBiasRelu(out, shortcut, null, stride, false) : x;
    const h = convBiasRelu(out, conv1, null, stride, false);
    return convResidual(bn2(h, training, true), conv2, skip, 1);
  };
}
