/**
 * A data-parallel replica's thread (see DataParallel): holds a replica of the model, and for each shard it is sent
 * loads the current weights from shared memory, computes the method's loss parts and gradients, and writes the
 * gradients back to shared memory, into the buffer of the request's slot (a worker may compute several shards
 * of a step, one request each).
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { selectCompute } from '../backend';
import { errorToData } from '../error_data';
import { createModel } from '../models/create_model';
import { Rng } from '../rng';
import { crossEntropyMethod, lossGradients } from '../step';
import { loadMethod } from './method_spec';
import {
  type EvalRequest,
  isEvalRequest,
  packedViews,
  type StepReply,
  type StepRequest,
  type WorkerInit,
} from './protocol';

const init = workerData as WorkerInit;
const port = parentPort;
if (!port) throw new Error('semix data-parallel replica: must run in a worker thread');
const reply = (message: StepReply) => port.postMessage(message);

try {
  await selectCompute(init.compute);
  const model = createModel(init.config);
  const vars = model.trainableVariables();
  const method = init.spec ? await loadMethod(init.spec) : crossEntropyMethod;
  const weights = packedViews(init.weights, init.sizes);
  const gradients = init.gradients.map((buffer) => packedViews(buffer, init.sizes));
  if (vars.length !== init.sizes.length || vars.some((v, i) => v.size !== init.sizes[i])) {
    throw new Error(`model replica's variables do not match the main thread's (${init.config.arch})`);
  }
  const trainable = new Set(vars);
  const state = [...model.namedVariables().values()].filter((v) => !trainable.has(v));
  // The publication of weights and state last loaded for evaluation (-1: none, or a step request since).
  let loaded = -1;
  /** Inference-mode logits of one shard with the main thread's weights and running statistics. */
  const evaluateShard = (request: EvalRequest) => {
    if (request.version !== loaded) {
      tf.tidy(() => {
        for (const [i, v] of vars.entries()) v.assign(tf.tensor(weights[i], v.shape));
        let offset = 0;
        for (const v of state) {
          v.assign(tf.tensor(request.state.subarray(offset, offset + v.size), v.shape));
          offset += v.size;
        }
      });
      loaded = request.version;
    }
    const [h, w, c] = model.inputShape;
    const logits = tf.tidy(() => model.logits(tf.tensor4d(request.x, [request.n, h, w, c]), false).dataSync());
    const values = Float32Array.from(logits as Float32Array);
    port.postMessage({ type: 'logits', logits: values, numTensors: tf.memory().numTensors } satisfies StepReply, [
      values.buffer,
    ]);
  };
  port.on('message', (request: StepRequest | EvalRequest) => {
    if (isEvalRequest(request)) {
      try {
        evaluateShard(request);
      } catch (error) {
        reply({ type: 'error', error: errorToData(error) });
      }
      return;
    }
    try {
      loaded = -1;
      tf.tidy(() => {
        for (const [i, v] of vars.entries()) v.assign(tf.tensor(weights[i], v.shape));
      });
      const [h, w, c] = model.inputShape;
      const slot = gradients[request.slot];
      if (!slot) throw new Error(`slot: ${request.slot} is not one of this worker's ${gradients.length} shards`);
      const n = request.labels.length;
      const x = tf.tensor4d(request.x, [n, h, w, c]);
      const labels = tf.tensor1d(request.labels, 'int32');
      let losses: Record<string, number>;
      try {
        const result = lossGradients(model, vars, method, {
          x,
          labels,
          numClasses: request.numClasses,
          normalization: request.normalization,
          epoch: request.epoch,
          step: request.step,
          rng: new Rng(request.rngState),
        });
        losses = result.losses;
        for (const [i, v] of vars.entries()) slot[i].set(result.grads[v.name].dataSync() as Float32Array);
        tf.dispose(Object.values(result.grads));
      } finally {
        tf.dispose([x, labels]);
        // Running statistics are kept on the main thread (shard 0).
        model.discardUpdates();
      }
      reply({ type: 'grads', losses, numTensors: tf.memory().numTensors });
    } catch (error) {
      reply({ type: 'error', error: errorToData(error) });
    }
  });
  reply({ type: 'ready' });
} catch (error) {
  reply({ type: 'error', error: errorToData(error) });
}
