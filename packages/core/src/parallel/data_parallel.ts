import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import type { BackendName } from '../backend';
import type { ModelConfig, SemixModel } from '../models/types';
import type { Rng } from '../rng';
import { type LossGradients, lossGradients, type MethodSpec, type TrainMethod } from '../step';
import { methodModuleUrl } from './method_spec';
import { type EvalRequest, packedViews, type StepReply, type StepRequest, type WorkerInit } from './protocol';
import { startWorker } from './start_worker';

/**
 * Data-parallel gradients over worker threads, for backends that compute on one thread (wasm in Node: its
 * threaded build cannot start workers there). The batch is split into `workers` shards; the calling thread
 * computes shard 0 with the model itself and each worker thread holds a replica of the model that computes one
 * other shard. Their gradients are averaged (weighted by shard size, in a fixed order, so runs are
 * reproducible) and applied once, on the calling thread; the replicas receive the updated weights through shared
 * memory before the next step.
 *
 * As in PyTorch's DistributedDataParallel with timm's Mixup, each shard is mixed within itself: a pair never spans
 * two shards, and batch statistics (batch norm) are per shard. Each worker draws from its own generator, forked
 * from the trainer's at every step. Running batch-norm statistics come from shard 0.
 */
export class DataParallel {
  private readonly workers: Worker[] = [];
  private readonly gradViews: Float32Array[][] = [];
  private readonly weightViews: Float32Array[];
  private readonly weightBuffer: SharedArrayBuffer;
  /** The trainable variables' sizes, in order: how weights and gradients are packed in shared memory. */
  private readonly sizes: number[];
  private readonly pending = new Map<Worker, { resolve: (r: StepReply) => void; reject: (e: Error) => void }>();
  private failure: Error | null = null;
  /** Tensors alive in each worker after its last step (for leak checks). */
  workerTensors: number[] = [];

  private constructor(
    private readonly model: SemixModel,
    private readonly vars: tf.Variable[],
    private readonly method: TrainMethod,
    readonly size: number,
  ) {
    this.sizes = vars.map((v) => v.size);
    this.weightBuffer = new SharedArrayBuffer(this.bytes());
    this.weightViews = packedViews(this.weightBuffer, this.sizes);
  }

  /** Bytes of one packed copy of the trainable variables. */
  private bytes(): number {
    return 4 * this.sizes.reduce((a, b) => a + b, 0);
  }

  /**
   * Starts `workers - 1` worker threads, each building the model from `model.config` on the current backend and
   * the method from `spec`. Rejects with the first worker's error (named) if any cannot start.
   */
  static async create(
    model: SemixModel,
    vars: tf.Variable[],
    method: TrainMethod,
    spec: MethodSpec | null,
    workers: number,
  ): Promise<DataParallel> {
    const config = model.config;
    if (!config) {
      throw new Error(
        `workers: ${workers} needs a model built by createModel (each worker rebuilds it from its ModelConfig); '${model.arch}' has none, so train it with workers: 1`,
      );
    }
    const dp = new DataParallel(model, vars, method, workers);
    const backend = tf.getBackend() as BackendName;
    const script = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './parallel/worker.js', import.meta.url);
    const loads = spec ? [methodModuleUrl(spec)] : [];
    try {
      await Promise.all(
        Array.from({ length: workers - 1 }, (_, i) => dp.startWorker(i + 1, script, loads, config, spec, backend)),
      );
    } catch (error) {
      await dp.dispose();
      throw error;
    }
    return dp;
  }

  private startWorker(
    rank: number,
    script: URL,
    loads: string[],
    config: ModelConfig,
    spec: MethodSpec | null,
    backend: BackendName,
  ): Promise<void> {
    const gradBuffer = new SharedArrayBuffer(this.bytes());
    this.gradViews[rank] = packedViews(gradBuffer, this.sizes);
    const workerData: WorkerInit = {
      rank,
      backend,
      config,
      spec,
      weights: this.weightBuffer,
      gradients: gradBuffer,
      sizes: this.sizes,
    };
    const worker = startWorker(script, workerData, loads);
    this.workers[rank - 1] = worker;
    const fail = (error: Error) => {
      this.failure ??= error;
      const waiting = this.pending.get(worker);
      this.pending.delete(worker);
      waiting?.reject(error);
    };
    worker.on('error', (e) => fail(new Error(`data-parallel worker ${rank}: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`data-parallel worker ${rank} exited (code ${code})`)));
    worker.on('message', (reply: StepReply) => {
      const waiting = this.pending.get(worker);
      this.pending.delete(worker);
      if (reply.type === 'error') waiting?.reject(new Error(`data-parallel worker ${rank}: ${reply.message}`));
      else waiting?.resolve(reply);
    });
    return this.request(worker).then(() => undefined);
  }

  private request(worker: Worker, message?: StepRequest | EvalRequest): Promise<StepReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(worker, { resolve, reject });
      if (message && 'labels' in message) {
        worker.postMessage(message, [message.x.buffer as ArrayBuffer, message.labels.buffer as ArrayBuffer]);
      } else if (message) {
        worker.postMessage(message, [message.x.buffer as ArrayBuffer, message.state.buffer as ArrayBuffer]);
      }
    });
  }

  /**
   * Inference-mode logits of `x` (batch-norm running statistics: no state changes), [batch, classes], the batch
   * split over the threads as the train step splits it: this thread computes the first shard with the model, each
   * worker's replica another with the current weights and running statistics (sent with the request). Outputs in
   * inference mode depend on each image alone, so they equal `model.logits(x, false)` up to float rounding. A
   * batch smaller than the threads uses as many of them as it has images.
   */
  async logits(x: tf.Tensor4D): Promise<tf.Tensor2D> {
    const batch = x.shape[0];
    const shards = Math.max(1, Math.min(this.size, batch));
    const sizes = Array.from({ length: shards }, (_, r) => Math.floor(batch / shards) + (r < batch % shards ? 1 : 0));
    const starts = sizes.map((_, r) => sizes.slice(0, r).reduce((a, b) => a + b, 0));
    if (shards > 1) {
      for (const [i, v] of this.vars.entries()) this.weightViews[i].set(v.dataSync() as Float32Array);
    }
    const trainable = new Set(this.vars);
    const state = [...this.model.namedVariables().values()].filter((v) => !trainable.has(v));
    const packedState = () => {
      const out = new Float32Array(state.reduce((a, v) => a + v.size, 0));
      let offset = 0;
      for (const v of state) {
        out.set(v.dataSync() as Float32Array, offset);
        offset += v.size;
      }
      return out;
    };
    const per = x.size / Math.max(1, batch);
    const pixels = shards > 1 ? (x.dataSync() as Float32Array) : null;
    const replies = this.workers.slice(0, shards - 1).map((worker, i) => {
      const r = i + 1;
      const shard = (pixels as Float32Array).slice(starts[r] * per, (starts[r] + sizes[r]) * per);
      return this.request(worker, { type: 'eval', state: packedState(), x: shard, n: sizes[r] });
    });
    let own: tf.Tensor2D;
    try {
      own = tf.tidy(() => this.model.logits(shards > 1 ? tf.slice(x, 0, sizes[0]) : x, false));
    } catch (error) {
      await Promise.allSettled(replies);
      throw error;
    }
    let others: StepReply[];
    try {
      others = await Promise.all(replies);
    } catch (error) {
      own.dispose();
      throw error;
    }
    if (others.length === 0) return own;
    try {
      const classes = own.shape[1];
      const parts = others.map((reply, i) => {
        if (reply.type !== 'logits')
          throw new Error(`data-parallel worker ${i + 1}: expected logits, got ${reply.type}`);
        this.workerTensors[i] = reply.numTensors;
        return reply.logits;
      });
      return tf.tidy(() => tf.concat([own, ...parts.map((p, i) => tf.tensor2d(p, [sizes[i + 1], classes]))], 0));
    } finally {
      own.dispose();
    }
  }

  /**
   * The loss parts and gradients of one batch, computed across the shards: the same contract as
   * `lossGradients` (the caller applies and disposes the gradients). `rng` draws the workers' generators and
   * is shard 0's generator.
   */
  async lossGradients(
    x: tf.Tensor4D,
    labels: tf.Tensor1D,
    ctx: { numClasses: number; epoch: number; step: number; rng: Rng },
  ): Promise<LossGradients> {
    const batch = x.shape[0];
    if (batch < this.size) {
      throw new Error(
        `batch: ${batch} images cannot be split over ${this.size} data-parallel threads (one shard each)`,
      );
    }
    const sizes = Array.from(
      { length: this.size },
      (_, r) => Math.floor(batch / this.size) + (r < batch % this.size ? 1 : 0),
    );
    const starts = sizes.map((_, r) => sizes.slice(0, r).reduce((a, b) => a + b, 0));
    // Publish the current weights, then send each worker its shard.
    for (const [i, v] of this.vars.entries()) this.weightViews[i].set(v.dataSync() as Float32Array);
    const per = x.size / batch;
    const pixels = x.dataSync() as Float32Array;
    const ys = labels.dataSync() as Int32Array;
    const replies = this.workers.map((worker, i) => {
      const r = i + 1;
      const rng = ctx.rng.fork();
      return this.request(worker, {
        epoch: ctx.epoch,
        step: ctx.step,
        numClasses: ctx.numClasses,
        rngState: rng.state(),
        x: pixels.slice(starts[r] * per, (starts[r] + sizes[r]) * per),
        labels: Int32Array.from(ys.subarray(starts[r], starts[r] + sizes[r])),
      });
    });
    // Shard 0 on this thread, while the workers compute theirs.
    const [x0, labels0] = tf.tidy(() => [tf.slice(x, 0, sizes[0]), tf.slice(labels, 0, sizes[0])]);
    let own: LossGradients;
    try {
      own = lossGradients(this.model, this.vars, this.method, {
        ...ctx,
        x: x0 as tf.Tensor4D,
        labels: labels0 as tf.Tensor1D,
      });
    } catch (error) {
      await Promise.allSettled(replies);
      throw error;
    } finally {
      tf.dispose([x0, labels0]);
    }
    let others: StepReply[];
    try {
      others = await Promise.all(replies);
    } catch (error) {
      tf.dispose(Object.values(own.grads));
      throw error;
    }
    const weights = sizes.map((s) => s / batch);
    const losses: Record<string, number> = {};
    for (const [k, v] of Object.entries(own.losses)) losses[k] = v * weights[0];
    others.forEach((reply, i) => {
      if (reply.type !== 'grads') return;
      this.workerTensors[i] = reply.numTensors;
      for (const [k, v] of Object.entries(reply.losses)) losses[k] = (losses[k] ?? 0) + v * weights[i + 1];
    });
    const grads = tf.tidy(() => {
      const out: tf.NamedTensorMap = {};
      this.vars.forEach((v, j) => {
        let g = tf.mul(own.grads[v.name], weights[0]);
        for (let r = 1; r < this.size; r++) g = tf.add(g, tf.mul(tf.tensor(this.gradViews[r][j], v.shape), weights[r]));
        out[v.name] = g;
      });
      return out;
    });
    tf.dispose(Object.values(own.grads));
    return { losses, grads };
  }

  /** Stops the worker threads. */
  async dispose(): Promise<void> {
    const failure = new Error('data-parallel workers were disposed');
    this.failure ??= failure;
    const workers = this.workers.filter(Boolean);
    this.workers.length = 0;
    for (const w of workers) w.removeAllListeners('exit');
    // A step still waiting on a worker fails instead of waiting forever.
    for (const { reject } of this.pending.values()) reject(failure);
    this.pending.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
