/**
 * A job's identity: everything that determines its result, and nothing else. The job id (and its record's file
 * name) is a hash of it, so a changed preset re-runs exactly the jobs whose inputs changed, and a record can be
 * checked against its id: the record stores its identity, and the id must be the identity's hash.
 */
import { createHash } from 'node:crypto';
import type { ComputeIdentity } from '@semix/core';
import type { ResolvedMethod } from '@semix/mixup';
import { type Preset, presetShards } from './preset';

/** What the data contribute to a job's identity: checksums of what is trained and evaluated on. */
export interface DataIdentity {
  /** Checksum of the training images and labels (after `trainImages`). */
  train: string;
  /** Checksum of the evaluated test images and labels (the first `evaluation.images`). */
  test: string;
  /**
   * Each suite: generated suites are fixed by their name, seed, generator version (@semix/datasets'
   * GENERATOR_VERSION: a corruption's code changed) and the test images they are made from (the same checksum as
   * `test`); official ones by their name (the files are checked against published checksums).
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
  evaluation: Preset['evaluation'];
  /** The method with every option resolved; its label is presentation, not identity. */
  method: Omit<ResolvedMethod, 'label'>;
  seed: number;
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

/**
 * The identity of (preset, method, seed) on the given data, computed by `compute`. The preset's name and
 * description are not part of it.
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
    evaluation: preset.evaluation,
    method: options,
    seed,
    data,
    compute,
  };
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
