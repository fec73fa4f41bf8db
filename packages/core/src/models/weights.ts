import * as tf from '@tensorflow/tfjs-core';

/**
 * Assigns saved variables to a model, by name; a name the model lacks or a shape that differs fails before any
 * variable is changed. Does not dispose `saved`.
 */
export function assignWeights(
  model: { namedVariables(): Map<string, tf.Variable> },
  saved: Map<string, tf.Tensor>,
): void {
  const named = model.namedVariables();
  for (const [name, tensor] of saved) {
    const v = named.get(name);
    if (!v) throw new Error(`checkpoint: variable '${name}' is not in this model`);
    if (!tf.util.arraysEqual(v.shape, tensor.shape)) {
      throw new Error(`checkpoint: variable '${name}' [${tensor.shape}] does not match the model's [${v.shape}]`);
    }
  }
  const missing = [...named.keys()].filter((k) => !saved.has(k));
  if (missing.length > 0) throw new Error(`checkpoint: lacks the model's variable(s) ${missing.join(', ')}`);
  for (const [name, tensor] of saved) named.get(name)?.assign(tensor);
}
