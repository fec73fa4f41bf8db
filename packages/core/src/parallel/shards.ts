import * as tf from '@tensorflow/tfjs-core';
import type { SemixModel } from '../models/types';
import type { Rng } from '../rng';
import { type LossGradients, lossGradients, type MethodContext, type TrainMethod } from '../step';

// Logical shards, apart from the threads that compute them. The shards of a batch fix its numbers: each is mixed
// within itself, has its own batch-norm batch statistics and its own generator, and the gradients are combined
// in shard order. Which thread computes which shard is scheduling only: a shard's gradient is the same float32
// values on any thread (same weights, same inputs, same single-threaded kernels), so any number of threads gives
// bit-identical results. Browser-safe: no Node built-in here (`DataParallel` adds the threads).

/** Where each shard of a batch begins and how many images it has: sizes differ by at most one, larger first. */
export interface ShardPlan {
  sizes: number[];
  starts: number[];
}

export function planShards(batch: number, shards: number): ShardPlan {
  if (batch < shards) {
    throw new Error(
      `batch: ${batch} images cannot be split into ${shards} data-parallel shards (one image each at least)`,
    );
  }
  const sizes = Array.from({ length: shards }, (_, r) => Math.floor(batch / shards) + (r < batch % shards ? 1 : 0));
  const starts = sizes.map((_, r) => sizes.slice(0, r).reduce((a, b) => a + b, 0));
  return { sizes, starts };
}

/**
 * Which shards each of `threads` threads computes: contiguous runs, thread 0 (the calling thread, which also
 * combines and applies the gradients) first, the longer runs on the last threads. One shard each when
 * `threads` = `shards`.
 */
export function threadShards(shards: number, threads: number): number[][] {
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= shards)) {
    throw new Error(`threads: ${threads} is not valid for ${shards} shards; allowed: an integer from 1 to ${shards}`);
  }
  const base = Math.floor(shards / threads);
  const longer = shards % threads;
  const out: number[][] = [];
  let next = 0;
  for (let t = 0; t < threads; t++) {
    const n = base + (t >= threads - longer ? 1 : 0);
    out.push(Array.from({ length: n }, (_, i) => next + i));
    next += n;
  }
  return out;
}

/**
 * Each shard's generator: shard 0 draws from `rng` itself, shard r ≥ 1 from the r-th fork of it. All forks are
 * drawn, in shard order, before shard 0 draws, whatever thread computes what: the trainer's sequence depends on
 * the number of shards only.
 */
export function shardRngs(rng: Rng, shards: number): Rng[] {
  const forks = Array.from({ length: shards - 1 }, () => rng.fork());
  return [rng, ...forks];
}

type ShardContext = Omit<MethodContext, 'model' | 'x' | 'labels' | 'rng'>;

/**
 * Loss parts and gradients of the given shards, computed one after another on this thread. Batch-norm running
 * statistics come from shard 0 (as in DistributedDataParallel without SyncBatchNorm, where rank 0's buffers are
 * the ones kept): shard 0 is computed last and its updates (every training-mode pass it made, composed in order)
 * are left pending for the step to apply; any other shard's are dropped, here and on the worker threads alike. The caller owns the returned gradients.
 */
export function computeShards(
  model: SemixModel,
  vars: tf.Variable[],
  method: TrainMethod,
  batch: { x: tf.Tensor4D; labels: tf.Tensor1D },
  ctx: ShardContext,
  plan: ShardPlan,
  rngs: Rng[],
  which: readonly number[],
): Map<number, LossGradients> {
  const order = [...which.filter((r) => r !== 0), ...which.filter((r) => r === 0)];
  const out = new Map<number, LossGradients>();
  try {
    for (const r of order) {
      const [x, labels] = tf.tidy(() => [
        tf.slice(batch.x, plan.starts[r], plan.sizes[r]),
        tf.slice(batch.labels, plan.starts[r], plan.sizes[r]),
      ]);
      try {
        out.set(
          r,
          lossGradients(model, vars, method, {
            ...ctx,
            x: x as tf.Tensor4D,
            labels: labels as tf.Tensor1D,
            rng: rngs[r],
          }),
        );
      } finally {
        tf.dispose([x, labels]);
      }
      if (r !== 0) model.discardUpdates();
    }
  } catch (error) {
    for (const g of out.values()) tf.dispose(Object.values(g.grads));
    model.discardUpdates();
    throw error;
  }
  return out;
}

/**
 * The size-weighted mean of the shards' loss parts and gradients, summed in shard order (0, 1, …), so the result
 * does not depend on which thread computed which shard. `gradient(r, v, j)` is shard r's gradient of variable j
 * (called inside a tidy: a tensor made there is disposed; one made outside stays the caller's).
 */
export function combineShards(
  vars: tf.Variable[],
  plan: ShardPlan,
  losses: ReadonlyArray<Record<string, number>>,
  gradient: (r: number, v: tf.Variable, j: number) => tf.Tensor,
): LossGradients {
  const batch = plan.sizes.reduce((a, b) => a + b, 0);
  const weights = plan.sizes.map((s) => s / batch);
  const combined: Record<string, number> = {};
  losses.forEach((parts, r) => {
    for (const [k, v] of Object.entries(parts)) combined[k] = (combined[k] ?? 0) + v * weights[r];
  });
  const grads = tf.tidy(() => {
    const out: tf.NamedTensorMap = {};
    vars.forEach((v, j) => {
      let g = tf.mul(gradient(0, v, j), weights[0]);
      for (let r = 1; r < weights.length; r++) g = tf.add(g, tf.mul(gradient(r, v, j), weights[r]));
      out[v.name] = g;
    });
    return out;
  });
  return { losses: combined, grads };
}

/**
 * `shards` logical shards computed one after another on the calling thread: `train({ shards, threads: 1 })`.
 * The same numbers as `DataParallel` with the same shards and any number of threads; no thread, no Node.
 */
export class LocalShards {
  constructor(
    private readonly model: SemixModel,
    private readonly vars: tf.Variable[],
    private readonly method: TrainMethod,
    readonly shards: number,
  ) {}

  async lossGradients(
    x: tf.Tensor4D,
    labels: tf.Tensor1D,
    ctx: Omit<MethodContext, 'model' | 'x' | 'labels'>,
  ): Promise<LossGradients> {
    const plan = planShards(x.shape[0], this.shards);
    const rngs = shardRngs(ctx.rng, this.shards);
    const all = plan.sizes.map((_, r) => r);
    const { rng: _rng, ...rest } = ctx;
    const parts = computeShards(this.model, this.vars, this.method, { x, labels }, rest, plan, rngs, all);
    const at = (r: number) => parts.get(r) as LossGradients;
    try {
      return combineShards(
        this.vars,
        plan,
        all.map((r) => at(r).losses),
        (r, v) => at(r).grads[v.name],
      );
    } finally {
      for (const g of parts.values()) tf.dispose(Object.values(g.grads));
    }
  }

  async dispose(): Promise<void> {}
}
