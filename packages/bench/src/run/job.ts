/**
 * One job: trains a (method, seed) of a preset on its data, evaluates it, applies the failure rules and returns its
 * record. Where the record is stored is the caller's (the record store, through the runner or the queue).
 */
import {
  type ComputeIdentity,
  computeIdentity,
  createModel,
  type ModelConfig,
  type ProgressEvent,
  sameCompute,
} from '@semix/core';
import { createInferencePool, train } from '@semix/core/node';
import { cifarAugment } from '@semix/datasets';
import { createMethod, methodSpec, type ResolvedMethod } from '@semix/mixup';
import { identityDiff, jobId, jobIdentity, trainingSeed } from '../plan/identity';
import { type Preset, presetShards } from '../plan/preset';
import type { PresetData } from './data';
import { type EvaluationResult, evaluateOn } from './evaluate';
import { explodedLoss, JobFailedError, jobFailure, nearChance } from './failure';
import { gitCommit } from './provenance';
import { type ResultRecord, resultRecord } from './records';

export interface JobContext {
  preset: Preset;
  data: PresetData;
  /**
   * What the caller planned the job to be computed with (part of its identity and id); the job refuses to start
   * when this thread computes otherwise (see `computeIdentity`).
   */
  compute: ComputeIdentity;
  versions: Record<string, string>;
  onTrainProgress?: (event: ProgressEvent) => void;
  signal?: AbortSignal;
  /** Keep a checkpoint here (end of every epoch) and resume from it; `semix train` uses this. */
  checkpointDir?: string;
  /**
   * Threads to train on (default: the preset's `train.threads`, else 1), at most the preset's shards: the bench's
   * job threads give a job the cores no other job needs. The record states it; the numbers do not depend on it.
   */
  threads?: number;
  /** Polled between steps: threads the job may use now (more are offered when job threads finish); never fewer. */
  threadsAvailable?: () => number;
  /** @deprecated Renamed `threads`; read for this release where `threads` is absent. */
  workers?: number;
  /** @deprecated Renamed `threadsAvailable`; read for this release where `threadsAvailable` is absent. */
  workersAvailable?: () => number;
}

/**
 * The threads a job trains on: `offered` (what the caller can give it, default 1), at least the preset's
 * `train.threads`, at most its shards (a thread computes one shard or more).
 */
export function jobThreads(train: Preset['train'], offered = 1): number {
  return Math.min(presetShards(train), Math.max(train.threads ?? 1, offered));
}

/** @deprecated Renamed `jobThreads`. */
export const jobWorkers = jobThreads;

/** Trains one (method, seed), evaluates it on clean and corrupted data, and returns its record. */
export async function runJob(method: ResolvedMethod, seed: number, ctx: JobContext): Promise<ResultRecord> {
  const { preset, data } = ctx;
  const started = performance.now();
  const shards = presetShards(preset.train);
  const threads = jobThreads(preset.train, ctx.threads ?? ctx.workers);
  const threadsAvailable = ctx.threadsAvailable ?? ctx.workersAvailable;
  // Replicas build the method themselves from its spec (also when threads may be added later).
  const threaded = threads > 1 || (shards > 1 && threadsAvailable !== undefined);
  const trainMethod = threaded ? methodSpec(method) : createMethod(method);
  const here = computeIdentity();
  if (!sameCompute(here, ctx.compute)) {
    throw new Error(
      `compute: this job was planned for ${JSON.stringify(ctx.compute)} but this thread computes with ${JSON.stringify(here)} (at ${identityDiff(ctx.compute, here).join(', ')})`,
    );
  }
  const identity = jobIdentity(preset, method, seed, data.identity, ctx.compute);
  const id = jobId(identity);
  // `seed`, but an A/A control's own stream (plan/controls.ts): weights, data order and mixing draws all follow it.
  const streamSeed = trainingSeed(identity);
  const modelConfig: ModelConfig = {
    arch: preset.model.arch,
    inputShape: [...data.train.shape],
    numClasses: data.train.numClasses,
    width: preset.model.width,
    seed: streamSeed,
  };
  const model = createModel(modelConfig);
  try {
    let result: Awaited<ReturnType<typeof train>>;
    try {
      result = await train({
        model,
        data: data.train,
        method: trainMethod,
        epochs: preset.train.epochs,
        batchSize: preset.train.batchSize,
        optimizer: preset.train.optimizer,
        lr: preset.train.lr,
        schedule: preset.train.schedule,
        weightDecay: preset.train.weightDecay,
        shards,
        threads,
        threadsAvailable,
        seed: streamSeed,
        augment: preset.train.augment === 'cifar' ? cifarAugment(4) : undefined,
        onProgress: ctx.onTrainProgress,
        signal: ctx.signal,
        checkpointDir: ctx.checkpointDir,
        // The job's id names its checkpoints: a checkpoint of another job (configuration) is refused, never resumed.
        runId: id,
        checkpointMeta: { model: modelConfig, method, seed, preset, job_id: id, identity },
      });
    } catch (error) {
      const failure = jobFailure(error);
      throw failure ? new JobFailedError(failure) : error;
    }
    // Finite losses that grew without bound: failed before it is evaluated.
    const exploded = explodedLoss(result.history, data.train.numClasses);
    if (exploded) throw new JobFailedError(exploded);
    // Trained on several threads: evaluated on as many (replicas of the final weights and running statistics).
    // (`result.threads`: the most threads the training reached, when more were offered while it ran.)
    const evalThreads = Math.max(threads, result.threads);
    const pool = evalThreads > 1 ? await createInferencePool(model, { threads: evalThreads }) : null;
    let evaluation: EvaluationResult;
    try {
      evaluation = await evaluateOn(model, data, preset.evaluation.gapImages, pool?.logits);
    } finally {
      await pool?.dispose();
    }
    const failed = nearChance(evaluation.clean.accuracy, data.train.numClasses, result.history);
    if (failed) throw new JobFailedError(failed);
    return resultRecord({
      identity,
      method,
      preset: preset.name,
      trainImages: data.train.labels.length,
      testImages: data.test.labels.length,
      versions: ctx.versions,
      gitCommit: gitCommit(),
      wallTimeS: (performance.now() - started) / 1000,
      samplesPerS: result.samplesPerSec,
      threads: result.threads,
      clean: evaluation.clean,
      suites: evaluation.suites,
      gap: evaluation.gap,
      history: result.history,
    });
  } finally {
    model.dispose();
  }
}
