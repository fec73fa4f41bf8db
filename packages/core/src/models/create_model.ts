import { checkSeed } from '../rng';
import { cnnSmall } from './cnn_small';
import { mlp } from './mlp';
import { preactResnet18 } from './preact_resnet18';
import { ARCHITECTURES, MAX_WIDTH, type ModelConfig, type SemixModel } from './types';

/** Builds a model by architecture name; bad options fail with the field, the value and what is allowed. */
export function createModel(config: ModelConfig): SemixModel {
  const { arch, inputShape, numClasses, width = 1, seed } = config;
  if (!ARCHITECTURES.includes(arch)) {
    throw new Error(`arch: '${String(arch)}' is not an architecture; allowed: ${ARCHITECTURES.join(', ')}`);
  }
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d > 0)) {
    throw new Error(
      `inputShape: ${JSON.stringify(inputShape)} is not valid; expected [height, width, channels] of positive integers`,
    );
  }
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new Error(`numClasses: ${numClasses} is not valid; expected an integer >= 2`);
  }
  if (!(width > 0 && width <= MAX_WIDTH))
    throw new Error(`width: ${width} is not valid; expected a number > 0 and <= ${MAX_WIDTH}`);
  checkSeed(seed);
  const full = { ...config, width };
  const model = build(full);
  Object.defineProperty(model, 'config', {
    value: Object.freeze({ ...full, inputShape: [...full.inputShape] }),
    enumerable: true,
  });
  return model;
}

function build(config: ModelConfig & { width: number }): SemixModel {
  switch (config.arch) {
    case 'mlp':
      return mlp(config);
    case 'cnn-small':
      return cnnSmall(config);
    case 'preact-resnet18':
      return preactResnet18(config);
  }
}
