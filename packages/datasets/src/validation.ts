import { DataRng } from './rng';
import type { Dataset } from './types';
import { hash32 } from './util';

/**
 * A validation split carved from a training split, so that choices (epochs, α, β) are made without the test
 * images. Give exactly one of `size` and `fraction`.
 */
export interface ValidationSplitOptions {
  /** Validation images: an integer from 1 to the split's images less one. */
  size?: number;
  /** Validation share of the split, strictly between 0 and 1; `round(fraction × images)` images. */
  fraction?: number;
  /** Seed of the draw (an integer from 0 to 2³² − 1); the same seed gives the same indices. */
  seed?: number;
  /** Keep every class's share of the split in both parts (largest remainder); else a uniform draw. */
  stratify?: boolean;
}

/** Defaults of `splitValidation`: seed 0, stratified by class. */
export const DEFAULT_VALIDATION_SPLIT_OPTIONS = { seed: 0, stratify: true } as const;

/** Disjoint indices into the split, ascending (the split's own order, its class interleaving kept); together all. */
export interface ValidationIndices {
  readonly train: Int32Array;
  readonly validation: Int32Array;
}

/**
 * Validation images per class, by the largest-remainder (Hamilton) method: each class gets
 * ⌊size · count / total⌋, and the images left over go one each to the classes with the largest fractional parts,
 * the lower class first on a tie (scikit-learn's StratifiedShuffleSplit breaks ties at random; a fixed rule keeps
 * the counts a function of the sizes alone). No class gets more than it has: its quota is below its count
 * whenever the quota has a fractional part.
 */
export function stratifiedCounts(counts: readonly number[], size: number): number[] {
  const total = counts.reduce((a, b) => a + b, 0);
  // Integer arithmetic: size · count < 2⁵³ for any split that fits in memory, so the remainders compare exactly.
  const quota = counts.map((c) => Math.floor((size * c) / total));
  const remainder = counts.map((c, k) => size * c - quota[k] * total);
  let left = size - quota.reduce((a, b) => a + b, 0);
  const order = counts.map((_, k) => k).sort((a, b) => remainder[b] - remainder[a] || a - b);
  for (const k of order) {
    if (left === 0) break;
    if (remainder[k] > 0) {
      quota[k] += 1;
      left -= 1;
    }
  }
  return quota;
}

function checkOptions(data: Pick<Dataset, 'name' | 'labels'>, options: ValidationSplitOptions) {
  const n = data.labels.length;
  const { size, fraction } = options;
  const seed = options.seed ?? DEFAULT_VALIDATION_SPLIT_OPTIONS.seed;
  const stratify = options.stratify ?? DEFAULT_VALIDATION_SPLIT_OPTIONS.stratify;
  if (n < 2) throw new Error(`${data.name}: ${n} images; a validation split needs at least 2`);
  if (size !== undefined && fraction !== undefined) {
    throw new Error(`size and fraction: both given (${size} and ${fraction}); give one`);
  }
  if (size === undefined && fraction === undefined) throw new Error('size or fraction: neither given; give one');
  let count: number;
  if (size !== undefined) {
    if (!(Number.isInteger(size) && size >= 1 && size <= n - 1)) {
      throw new Error(`size: ${size} is not valid; allowed: an integer from 1 to ${n - 1} (${data.name} has ${n})`);
    }
    count = size;
  } else {
    const f = fraction as number;
    if (!(typeof f === 'number' && f > 0 && f < 1)) {
      throw new Error(`fraction: ${f} is not valid; allowed: a number strictly between 0 and 1`);
    }
    count = Math.round(f * n);
    if (count < 1 || count > n - 1) {
      throw new Error(
        `fraction: ${f} of ${data.name}'s ${n} images is ${count}; allowed: a fraction giving 1 to ${n - 1} images`,
      );
    }
  }
  if (!(Number.isInteger(seed) && seed >= 0 && seed <= 0xffffffff)) {
    throw new Error(`seed: ${seed} is not valid; allowed: an integer from 0 to 4294967295`);
  }
  if (typeof stratify !== 'boolean') throw new Error(`stratify: ${stratify} is not valid; allowed: true, false`);
  return { count, seed, stratify };
}

/**
 * Splits a training split into train and validation parts by index: disjoint, together every image, each
 * ascending. Stratified (the default): every class gives `stratifiedCounts` of its images, drawn by a seeded
 * shuffle of that class's indices, class by class. Not stratified: the first `size` of a seeded permutation of
 * all indices. Pure: the same labels and options give the same indices, here and in a browser.
 */
export function splitValidation(
  data: Pick<Dataset, 'name' | 'labels' | 'numClasses'>,
  options: ValidationSplitOptions,
): ValidationIndices {
  const { count, seed, stratify } = checkOptions(data, options);
  const n = data.labels.length;
  // Its own stream: batchIndices and the corruptions seed DataRng from small integers too.
  const rng = new DataRng(hash32(`validation-split/${seed}`));
  const chosen = new Uint8Array(n);
  if (stratify) {
    const members: number[][] = Array.from({ length: data.numClasses }, () => []);
    for (let i = 0; i < n; i++) {
      const label = data.labels[i];
      if (label >= data.numClasses) {
        throw new Error(`${data.name}: label ${label} at index ${i} is outside 0..${data.numClasses - 1}`);
      }
      members[label].push(i);
    }
    const quota = stratifiedCounts(
      members.map((m) => m.length),
      count,
    );
    members.forEach((m, k) => {
      const order = rng.permutation(m.length);
      for (let j = 0; j < quota[k]; j++) chosen[m[order[j]]] = 1;
    });
  } else {
    const order = rng.permutation(n);
    for (let j = 0; j < count; j++) chosen[order[j]] = 1;
  }
  const train = new Int32Array(n - count);
  const validation = new Int32Array(count);
  let t = 0;
  let v = 0;
  for (let i = 0; i < n; i++) {
    if (chosen[i]) validation[v++] = i;
    else train[t++] = i;
  }
  return { train, validation };
}
