import { convReluPool, dense, flatten } from './ops';
import { ParamStore } from './params';
import { sequentialModel } from './sequential';
import type { ModelConfig, SemixModel } from './types';

/**
 * conv3×3(16)-ReLU-maxpool2 → conv3×3(32)-ReLU-maxpool2 → dense(64)-ReLU = representation; linear head.
 * The quick preset's model and the speed benchmark's reference step. Channels scale with `width`.
 *
 * Mixable layers (Manifold Mixup): 0 the input, 1 after conv1's block (ReLU, pool), 2 after conv2's. No reference
 * implementation uses this network; our choice is the one preact-resnet18's reference makes, a layer at the end of
 * each convolutional stage, so the defaults {0, 1, 2} mix at the input and after each of its two stages. The dense
 * layer's output is the representation itself, not a mixable layer.
 */
export function cnnSmall(config: ModelConfig): SemixModel {
  const [h, w, c] = config.inputShape;
  const width = config.width ?? 1;
  const c1 = Math.max(1, Math.round(16 * width));
  const c2 = Math.max(1, Math.round(32 * width));
  const d = Math.max(1, Math.round(64 * width));
  const params = new ParamStore(config.seed);
  const k1 = params.conv('conv1.weight', 3, 3, c, c1);
  const b1 = params.zeros('conv1.bias', c1);
  const k2 = params.conv('conv2.weight', 3, 3, c1, c2);
  const b2 = params.zeros('conv2.bias', c2);
  const flat = Math.ceil(Math.ceil(h / 2) / 2) * Math.ceil(Math.ceil(w / 2) / 2) * c2;
  const wf = params.dense('fc.weight', flat, d);
  const bf = params.zeros('fc.bias', d);
  const wh = params.dense('head.weight', d, config.numClasses, 'head');
  const bh = params.zeros('head.bias', config.numClasses);
  return sequentialModel({
    arch: 'cnn-small',
    inputShape: config.inputShape,
    numClasses: config.numClasses,
    featureDim: d,
    params,
    blocks: [
      { name: 'conv1', run: (x) => convReluPool(x, k1, b1, true) },
      { name: 'conv2', run: (x) => convReluPool(x, k2, b2) },
      { name: 'fc', run: (x) => dense(flatten(x), wf, bf, true) },
    ],
    toFeatures: (x) => x,
    headWeight: wh,
    headBias: bh,
  });
}
