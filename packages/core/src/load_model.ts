import * as tf from '@tensorflow/tfjs-core';
import { type CheckpointHeader, loadCheckpoint } from './checkpoint';
import { createModel } from './models/create_model';
import type { ModelConfig, SemixModel } from './models/types';
import { assignWeights } from './models/weights';

/**
 * Rebuilds a trained model from a checkpoint directory: the architecture comes from the `model` entry of the
 * checkpoint's meta (a `ModelConfig`, which `semix train` and the bench store), the weights from its tensors.
 */
export async function loadModel(dir: string): Promise<{ model: SemixModel; header: CheckpointHeader }> {
  const saved = await loadCheckpoint(dir);
  if (!saved) throw new Error(`checkpoint: no checkpoint in ${dir}`);
  try {
    const config = saved.header.meta.model as ModelConfig | undefined;
    if (!config || typeof config !== 'object' || !config.arch) {
      throw new Error(
        `checkpoint ${dir}: its meta has no 'model' entry (a ModelConfig), so the model cannot be rebuilt`,
      );
    }
    const model = createModel(config);
    try {
      assignWeights(model, saved.model);
    } catch (error) {
      model.dispose();
      throw error;
    }
    return { model, header: saved.header };
  } finally {
    tf.dispose([...saved.model.values(), ...saved.optimizer.map((t) => t.tensor)]);
  }
}
