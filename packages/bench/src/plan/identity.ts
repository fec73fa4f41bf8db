/**
 * A job's identity: everything that determines its result, and nothing else. The job id (and its record's file
 * name) is a hash of it, so a changed preset re-runs exactly the jobs whose inputs changed, and a record can be
 * checked against its id: the record stores its identity, and the id must be the identity's hash.
 */
import { createHash } from 'node:crypto';
import type { ComputeIdentity } from '@semix/core';
import type { ResolvedMethod } from '@semix/mixup';
import { isAaLabel } from './controls';
import { type Preset, presetShards } from './preset';

/** What the data contribute to a job's identity: checksums of what is trained and evaluated on. */
export interface DataIdentity {
  /** Checksum of the training images and labels (after `trainImages`). */
  train: string;
  /**
   * Checksum of the evaluated images and labels: the first `evaluation.images` of the test split, or of the
   * validation images where `evaluation.split` is `validation` (the identity's `evaluation` says which).
   */
  test: string;
  /**
   * Each suite: generated suites are fixed by their name, seed, generator version (@semix/datasets'
   * GENERATOR_VERSION: a corruption's code changed) and the evaluated images they are made from (the same checksum
   * as `test`); official ones by their name (the files are checked against published checksums).
   */
  suites: Array<{ name: string; source: 'generated' | 'official'; seed?: number; generator?: number }>;
}

/**
 * Version 3 added `compute`: version 2 ids did not say what computed them, so a results directory made under
 * other kernels (or another backend) reused their records as done and mixed them with new ones on one board.
 * Version 4 redefined the equivariance gap (random pairs per λ instead of mirror pairs; the angular gap as
 * `equivariance_gap`, the relative L2 one beside it): a version 3 record's gap is another measure, so its job re-runs.
 * Version 5: a method is `{ policy, mix, sem, … }` (SEM an option of the policy) where it was `{ name: 'mixup+sem', … }`:
 * the method hashes differently, so every job re-runs under its new id (grids that name old ids still show their
 * records, read as the new shape with the same labels).
 */
export interface JobIdentity {
  v: 5;
  dataset: string;
  model: Preset['model'];
  /** The preset's training settings with `shards` resolved (absent when 1) and without `threads`. */
  train: Omit<Preset['train'], 'threads' | 'workers'>;
  /** The preset's evaluation settings, `split` left out where it is `test` (the default: ids from before it hold). */
  evaluation: Preset['evaluation'];
  /**
   * The preset's `data.validation`: the validation images carved from the training split (not trained on).
   * Absent without one, so ids from before the field existed hold.
   */
  validation?: { images: number; seed: number };
  /** The method with every option resolved; its label is presentation, not identity (but its A/A marker: `control`). */
  method: Omit<ResolvedMethod, 'label'>;
  /** The preset's seed; an A/A control trains from another (`trainingSeed`). */
  seed: number;
  /**
   * `aa` for an A/A control (a method whose label ends in ` (A/A)`, controls.ts): it trains on an independent
   * seed stream, `aaTrainingSeed(seed)`. Absent otherwise.
   */
  control?: 'aa';
  data: DataIdentity;
  /**
   * What computes it: the backend and, on wasm with semix's kernel pack, the pack's arithmetic (`computeIdentity()`
   * of @semix/core). Another backend, or fused instead of separate multiply-adds, rounds differently: another result.
   */
  compute: ComputeIdentity;
}

/** JSON with object keys sorted and undefined fields dropped, so equal configurations hash equally. */
export function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What of the training settings determines a result: `shards` (resolved: a preset's `threads` alone is as many
 * shards) but not `threads` (nor its deprecated name `workers`), the threads that compute them (the numbers are
 * the same for any). One shard, the default, is left out, so ids from before the field existed stay valid.
 */
export function identityTrain(train: Preset['train']): JobIdentity['train'] {
  const { threads: _threads, workers: _workers, shards: _shards, ...rest } = train;
  const shards = presetShards(train);
  return shards === 1 ? rest : { ...rest, shards };
}

/** What of the evaluation settings determines a result: all of them, `split` only where it is not the default. */
export function identityEvaluation(evaluation: Preset['evaluation']): JobIdentity['evaluation'] {
  const { split, ...rest } = evaluation;
  return split === undefined || split === 'test' ? rest : { ...rest, split };
}

/**
 * The identity of (preset, method, seed) on the given data, computed by `compute`. The preset's name and
 * description are not part of it, nor the method's label, but for its A/A marker (`control`).
 */
export function jobIdentity(
  preset: Preset,
  method: ResolvedMethod,
  seed: number,
  data: DataIdentity,
  compute: ComputeIdentity,
): JobIdentity {
  const { label: _label, ...options } = method;
  return {
    v: 5,
    dataset: preset.dataset,
    model: preset.model,
    train: identityTrain(preset.train),
    evaluation: identityEvaluation(preset.evaluation),
    ...(preset.data?.validation ? { validation: preset.data.validation } : {}),
    method: options,
    seed,
    ...(isAaLabel(method.label) ? { control: 'aa' as const } : {}),
    data,
    compute,
  };
}

/**
 * The seed an A/A control's job trains from (weights, data order, mixing draws): the first 32 bits (big-endian) of
 * the SHA-256 of `semix-aa-stream/<seed>`. A fixed, documented mapping, so a preset seed gives the same A/A run
 * anywhere; a hash rather than `seed + k`, so that no list of small seeds makes one row's stream another row's
 * (seeds 0–999 all map outside 0–999: preset.test.ts). The record keeps the preset's `seed`, which pairs the A/A
 * row with its twin seed by seed.
 */
export function aaTrainingSeed(seed: number): number {
  return createHash('sha256').update(`semix-aa-stream/${seed}`).digest().readUInt32BE(0);
}

/** The seed a job trains from: its identity's, or the A/A stream's where it is an A/A control (`control: 'aa'`). */
export function trainingSeed(identity: Pick<JobIdentity, 'seed' | 'control'>): number {
  return identity.control === 'aa' ? aaTrainingSeed(identity.seed) : identity.seed;
}

/** `semix-` and 24 hex digits of SHA-256 over the canonical identity (also the BullMQ job id). */
export function jobId(identity: JobIdentity): string {
  return `semix-${createHash('sha256').update(canonical(identity)).digest('hex').slice(0, 24)}`;
}

/** The dotted paths at which two identities differ (e.g. `train.lr`, `method.policy`), for error messages. */
export function identityDiff(a: unknown, b: unknown, prefix = ''): string[] {
  const isObj = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);
  if (isObj(a) && isObj(b)) {
    const keys = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    return keys.flatMap((k) => identityDiff(a[k], b[k], prefix ? `${prefix}.${k}` : k));
  }
  return canonical(a) === canonical(b) ? [] : [prefix || '(root)'];
}
