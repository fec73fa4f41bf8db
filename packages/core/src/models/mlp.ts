import { dense, flatten } from './ops';
import { ParamStore } from './params';
import { sequentialModel } from './sequential';
import type { ModelConfig, SemixModel } from './types';

/**
 * flatten → dense(256)-ReLU → dense(256)-ReLU = representation; linear head. Hidden size scales with `width`.
 * Mixable layers: 0 the input, 1 after the first dense layer (Manifold Mixup's defaults keep those two).
 */
export function mlp(config: ModelConfig): SemixModel {
  const [h, w, c] = config.inputShape;
  const hiddenSize = Math.max(1, Math.round(256 * (config.width ?? 1)));
  const params = new ParamStore(config.seed);
  const w1 = params.dense('fc1.weight', h * w * c, hiddenSize);
  const b1 = params.zeros('fc1.bias', hiddenSize);
  const w2 = params.dense('fc2.weight', hiddenSize, hiddenSize);
  const b2 = params.zeros('fc2.bias', hiddenSize);
  const wh = params.dense('head.weight', hiddenSize, config.numClasses, 'head');
  const bh = params.zeros('head.bias', config.numClasses);
  return sequentialModel({
    arch: 'mlp',
    inputShape: config.inputShape,
    numClasses: config.numClasses,
    featureDim: hiddenSize,
    params,
    blocks: [
      { name: 'fc1', run: (x) => dense(flatten(x), w1, b1, true) },
      { name: 'fc2', run: (x) => dense(x, w2, b2, true) },
    ],
    toFeatures: (x) => x,
    headWeight: wh,
    headBias: bh,
  });
}
