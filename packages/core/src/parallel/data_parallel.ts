import type { Worker } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { type ComputeIdentity, computeIdentity } from '../backend';
import { errorFromData } from '../error_data';
import type { ModelConfig, SemixModel } from '../models/types';
import type { LossGradients, MethodContext, MethodSpec, TrainMethod } from '../step';
import { methodModuleUrl } from './method_spec';
import { type EvalRequest, packedViews, type StepReply, type StepRequest, type WorkerInit } from './protocol';
import { combineShards, computeShards, planShards, shardRngs, threadShards } from './shards';
import { startWorker } from './start_worker';

/**
 * Data-parallel gradients over worker threads, for backends that compute on one thread (wasm in Node: its
 * threaded build cannot start its own threads there). The batch is split into `shards` logical shards (default: one per
 * thread) computed by `size` threads: the calling thread computes shard 0 (and the next ones when there are more
 * shards than threads) with the model itself, and each worker thread holds a replica of the model that computes
 * its run of the other shards, one after another. The shards' gradients are averaged (weighted by shard size, in
 * shard order) and applied once, on the calling thread; the replicas receive the updated weights through shared
 * memory before the next step.
 *
 * As in PyTorch's DistributedDataParallel with timm's Mixup, each shard is mixed within itself: a pair never spans
 * two shards, and batch statistics (batch norm) are per shard. Each shard r ≥ 1 draws from its own generator,
 * forked from the trainer's `mix` stream at every step. Running batch-norm statistics come from shard 0. All of
 * that depends on `shards`, none of it on the number of threads: the same shards and seed give bit-identical
 * results with any number of threads from 1 to `shards` (see shards.ts).
 */
export class DataParallel {
  private readonly workers: Worker[] = [];
  /** Per shard r ≥ 1 computed by a worker thread: its gradients' views in that worker's shared buffer. */
  private readonly gradViews: Float32Array[][] = [];
  /** Thread t's shards (thread 0: this one). */
  private readonly plan: number[][];
  private readonly weightViews: Float32Array[];
  private readonly weightBuffer: SharedArrayBuffer;
  /** The trainable variables' sizes, in order: how weights and gradients are packed in shared memory. */
  private readonly sizes: number[];
  /** Replies each worker still owes, in the order of the requests (a worker answers them in order). */
  private readonly pending = new Map<Worker, Array<{ resolve: (r: StepReply) => void; reject: (e: Error) => void }>>();
  private failure: Error | null = null;
  /** Tensors alive in each worker thread after its last shard (for leak checks). */
  replicaTensors: number[] = [];
  /**
   * The variables' dataIds when their values were last published for evaluation (weights into shared memory,
   * running statistics packed), and that publication's number. A tfjs variable takes a new dataId on every
   * assign (optimizer steps, batch-norm updates, loaded weights), so equal dataIds mean equal values: evaluating
   * batch after batch with the same weights publishes them once. A train step resets it (it writes the weights).
   */
  private publishedIds: readonly object[] = [];
  private published = { version: 0, state: new Float32Array(0) };
  /** Publications of the weights and state for evaluation so far (diagnostics, tests). */
  evalPublications = 0;

  private constructor(
    private readonly model: SemixModel,
    private readonly vars: tf.Variable[],
    private readonly method: TrainMethod,
    /** Threads computing the shards, this one included. */
    readonly size: number,
    /** Logical shards of each batch: what the numbers depend on. */
    readonly shards: number,
  ) {
    this.plan = threadShards(shards, size);
    this.sizes = vars.map((v) => v.size);
    this.weightBuffer = new SharedArrayBuffer(this.bytes());
    this.weightViews = packedViews(this.weightBuffer, this.sizes);
  }

  /** Bytes of one packed copy of the trainable variables. */
  private bytes(): number {
    return 4 * this.sizes.reduce((a, b) => a + b, 0);
  }

  /**
   * Starts `threads - 1` replicas, each on a worker thread of its own building the model from `model.config` on
   * the current backend and the method from `spec`, for `shards` shards (default `threads`; at least `threads`).
   * Rejects with the first replica's error (named) if any cannot start.
   */
  static async create(
    model: SemixModel,
    vars: tf.Variable[],
    method: TrainMethod,
    spec: MethodSpec | null,
    threads: number,
    shards = threads,
  ): Promise<DataParallel> {
    threadShards(shards, threads);
    const config = model.config;
    if (!config) {
      throw new Error(
        `threads: ${threads} needs a model built by createModel (each replica rebuilds it from its ModelConfig); '${model.arch}' has none, so train it with threads: 1`,
      );
    }
    const dp = new DataParallel(model, vars, method, threads, shards);
    const compute = computeIdentity();
    const script = new URL(import.meta.url.endsWith('.ts') ? './worker.ts' : './parallel/worker.js', import.meta.url);
    const loads = spec ? [methodModuleUrl(spec)] : [];
    try {
      await Promise.all(
        Array.from({ length: threads - 1 }, (_, i) => dp.startWorker(i + 1, script, loads, config, spec, compute)),
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
    compute: ComputeIdentity,
  ): Promise<void> {
    // One gradient buffer per shard this worker computes.
    const gradients = this.plan[rank].map((r) => {
      const buffer = new SharedArrayBuffer(this.bytes());
      this.gradViews[r] = packedViews(buffer, this.sizes);
      return buffer;
    });
    const workerData: WorkerInit = {
      rank,
      compute,
      config,
      spec,
      weights: this.weightBuffer,
      gradients,
      sizes: this.sizes,
    };
    const worker = startWorker(script, workerData, loads);
    this.workers[rank - 1] = worker;
    const fail = (error: Error) => {
      this.failure ??= error;
      const waiting = this.pending.get(worker) ?? [];
      this.pending.delete(worker);
      for (const w of waiting) w.reject(error);
    };
    worker.on('error', (e) => fail(new Error(`data-parallel replica ${rank}: ${e.message}`)));
    worker.on('exit', (code) => fail(new Error(`data-parallel replica ${rank} exited (code ${code})`)));
    worker.on('message', (reply: StepReply) => {
      const waiting = this.pending.get(worker)?.shift();
      if (reply.type === 'error') waiting?.reject(errorFromData(reply.error, `data-parallel replica ${rank}: `));
      else waiting?.resolve(reply);
    });
    return this.request(worker).then(() => undefined);
  }

  private request(worker: Worker, message?: StepRequest | EvalRequest): Promise<StepReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      const queue = this.pending.get(worker) ?? [];
      queue.push({ resolve, reject });
      this.pending.set(worker, queue);
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
    const { sizes, starts } = planShards(batch, shards);
    const { version, state } = shards > 1 ? this.publishForEval() : this.published;
    const per = x.size / Math.max(1, batch);
    const pixels = shards > 1 ? (x.dataSync() as Float32Array) : null;
    const replies = this.workers.slice(0, shards - 1).map((worker, i) => {
      const r = i + 1;
      const shard = (pixels as Float32Array).slice(starts[r] * per, (starts[r] + sizes[r]) * per);
      return this.request(worker, { type: 'eval', version, state: state.slice(), x: shard, n: sizes[r] });
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
          throw new Error(`data-parallel replica ${i + 1}: expected logits, got ${reply.type}`);
        this.replicaTensors[i] = reply.numTensors;
        return reply.logits;
      });
      return tf.tidy(() => tf.concat([own, ...parts.map((p, i) => tf.tensor2d(p, [sizes[i + 1], classes]))], 0));
    } finally {
      own.dispose();
    }
  }

  /** The weights into shared memory and the running statistics packed, unless nothing was assigned since. */
  private publishForEval(): { version: number; state: Float32Array } {
    const trainable = new Set(this.vars);
    const state = [...this.model.namedVariables().values()].filter((v) => !trainable.has(v));
    const ids = [...this.vars, ...state].map((v) => v.dataId);
    const same = ids.length === this.publishedIds.length && ids.every((id, i) => id === this.publishedIds[i]);
    if (same) return this.published;
    for (const [i, v] of this.vars.entries()) this.weightViews[i].set(v.dataSync() as Float32Array);
    const packed = new Float32Array(state.reduce((a, v) => a + v.size, 0));
    let offset = 0;
    for (const v of state) {
      packed.set(v.dataSync() as Float32Array, offset);
      offset += v.size;
    }
    this.publishedIds = ids;
    this.published = { version: this.published.version + 1, state: packed };
    this.evalPublications += 1;
    return this.published;
  }

  /**
   * The loss parts and gradients of one batch, computed across the shards: the same contract as
   * `lossGradients` (the caller applies and disposes the gradients). `rng` draws the replicas' generators and
   * is shard 0's generator.
   */
  async lossGradients(
    x: tf.Tensor4D,
    labels: tf.Tensor1D,
    ctx: Pick<MethodContext, 'numClasses' | 'normalization' | 'epoch' | 'step' | 'rng'>,
  ): Promise<LossGradients> {
    const batch = x.shape[0];
    const plan = planShards(batch, this.shards);
    const { sizes, starts } = plan;
    // Publish the current weights, then send each replica its shards (one request each, answered in order). The
    // next evaluation publishes again (the replicas reload after a step request too).
    for (const [i, v] of this.vars.entries()) this.weightViews[i].set(v.dataSync() as Float32Array);
    this.publishedIds = [];
    const rngs = shardRngs(ctx.rng, this.shards);
    const per = x.size / batch;
    const pixels = x.dataSync() as Float32Array;
    const ys = labels.dataSync() as Int32Array;
    const requested: number[] = [];
    const replies: Array<Promise<StepReply>> = [];
    this.workers.forEach((worker, i) => {
      this.plan[i + 1].forEach((r, slot) => {
        requested.push(r);
        replies.push(
          this.request(worker, {
            epoch: ctx.epoch,
            step: ctx.step,
            numClasses: ctx.numClasses,
            normalization: ctx.normalization ?? null,
            rngState: rngs[r].state(),
            slot,
            x: pixels.slice(starts[r] * per, (starts[r] + sizes[r]) * per),
            labels: Int32Array.from(ys.subarray(starts[r], starts[r] + sizes[r])),
          }),
        );
      });
    });
    // This thread's shards (shard 0 last, its batch-norm updates kept), while the replicas compute theirs.
    const { rng: _rng, ...shardCtx } = ctx;
    let own: Map<number, LossGradients>;
    try {
      own = computeShards(this.model, this.vars, this.method, { x, labels }, shardCtx, plan, rngs, this.plan[0]);
    } catch (error) {
      await Promise.allSettled(replies);
      throw error;
    }
    let others: StepReply[];
    try {
      others = await Promise.all(replies);
    } catch (error) {
      for (const g of own.values()) tf.dispose(Object.values(g.grads));
      throw error;
    }
    const losses: Array<Record<string, number>> = [];
    for (const [r, g] of own) losses[r] = g.losses;
    others.forEach((reply, i) => {
      if (reply.type === 'grads') losses[requested[i]] = reply.losses;
    });
    this.workers.forEach((_, i) => {
      const last = others[requested.lastIndexOf(this.plan[i + 1].at(-1) as number)];
      if (last?.type === 'grads') this.replicaTensors[i] = last.numTensors;
    });
    try {
      return combineShards(this.vars, plan, losses, (r, v, j) => {
        const local = own.get(r);
        return local ? local.grads[v.name] : tf.tensor(this.gradViews[r][j], v.shape);
      });
    } finally {
      for (const g of own.values()) tf.dispose(Object.values(g.grads));
    }
  }

  /** Stops the worker threads. */
  async dispose(): Promise<void> {
    const failure = new Error('data-parallel replicas were disposed');
    this.failure ??= failure;
    const workers = this.workers.filter(Boolean);
    this.workers.length = 0;
    for (const w of workers) w.removeAllListeners('exit');
    // A step still waiting on a worker fails instead of waiting forever.
    for (const waiting of this.pending.values()) for (const { reject } of waiting) reject(failure);
    this.pending.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }
}
