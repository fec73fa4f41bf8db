import { createModel, type ImageDataset, type MethodSpec, type TrainMethod } from '@semix/core';
import { train } from '@semix/core/node';

/** How the tests' short training runs differ. */
export interface ShortRunOptions {
  epochs: number;
  batchSize: number;
  threads?: number;
}

/**
 * Trains a fresh cnn-small (seed 1, sized to `data`) with `method` and returns its loss history and final weights,
 * the model disposed: what a reproducibility test compares between two runs.
 */
export async function trainCnnSmall(
  data: ImageDataset,
  method: TrainMethod | MethodSpec,
  options: ShortRunOptions,
): Promise<{ history: Record<string, number>[]; weights: number[][] }> {
  const model = createModel({ arch: 'cnn-small', inputShape: [...data.shape], numClasses: data.numClasses, seed: 1 });
  try {
    const result = await train({ model, data, method, ...options });
    return { history: result.history, weights: model.trainableVariables().map((v) => Array.from(v.dataSync())) };
  } finally {
    model.dispose();
  }
}
