import { DataRng } from '../rng';
import type { Dataset } from '../types';
import { checkSafeName, hash32 } from '../util';
import {
  ALL_CORRUPTIONS,
  CORRUPTION_FUNCTIONS,
  CORRUPTIONS,
  type CorruptionName,
  JPEG_QUALITY,
  jpegRoundTrip,
  SEVERITIES,
} from './corruptions';
import type { Img } from './image';
import { MNIST_C_CORRUPTIONS, MNIST_C_FUNCTIONS, type MnistCCorruptionName } from './mnist_c';

// The corruption suites as pure functions of the data (no file system): what the main entry exports.
// suite.ts adds the on-disk cache for `@semix/datasets/node`.

/** The corruption suites semix generates: CIFAR-10-C's 15 × 5 levels, or MNIST-C's 15 at one level each. */
export const SUITE_NAMES = ['cifar10-c', 'mnist-c'] as const;
export type SuiteName = (typeof SUITE_NAMES)[number];
/** A corruption of either suite. */
export type SuiteCorruptionName = CorruptionName | MnistCCorruptionName;
/** MNIST-C has one level per corruption; suites and data set names number it 1. */
export const MNIST_C_LEVEL = 1;
/**
 * The generator's version per suite, bumped whenever a generated image would change, so that cached suites of
 * older code are not read (it is part of the cache key). cifar10-c: 1 had no version in its key; 2 fixed fog's
 * plasma perturbation (wibble², as make_cifar_c.py), spatter's water colour and the Gaussian radius rule.
 */
export const GENERATOR_VERSION: Readonly<Record<SuiteName, number>> = { 'cifar10-c': 2, 'mnist-c': 1 };

export function checkSuite(name: string): SuiteName {
  if (!(SUITE_NAMES as readonly string[]).includes(name)) {
    throw new Error(`suite: '${name}' is not a corruption suite; allowed: ${SUITE_NAMES.join(', ')}`);
  }
  return name as SuiteName;
}

export function checkMnistCCorruption(name: string): MnistCCorruptionName {
  checkSafeName('corruption', name);
  if (!(MNIST_C_CORRUPTIONS as readonly string[]).includes(name)) {
    throw new Error(`corruption: '${name}' is not an MNIST-C corruption; allowed: ${MNIST_C_CORRUPTIONS.join(', ')}`);
  }
  return name as MnistCCorruptionName;
}

function checkMnistShape(data: Dataset): void {
  const [h, w, c] = data.shape;
  if (h !== 28 || w !== 28 || c !== 1) {
    throw new Error(
      `dataset: ${data.name} has images of shape [${data.shape.join(', ')}]; MNIST-C needs 28 × 28 grayscale ([28, 28, 1])`,
    );
  }
}

/**
 * Applies one MNIST-C corruption to every image of a 28 × 28 grayscale data set. Deterministic: image i draws
 * from a generator seeded by (seed, corruption, i). Pixels are rounded to uint8 (the reference's notebook rounds).
 */
export function corruptMnistC(data: Dataset, corruption: string, seed = 0): Uint8Array {
  const name = checkMnistCCorruption(corruption);
  checkMnistShape(data);
  const per = 28 * 28;
  const n = data.images.length / per;
  const out = new Uint8Array(n * per);
  const fn = MNIST_C_FUNCTIONS[name];
  const base = hash32(`${seed}/mnist-c/${name}`);
  const img: Img = { data: new Float32Array(per), h: 28, w: 28, c: 1 };
  for (let i = 0; i < n; i++) {
    for (let p = 0; p < per; p++) img.data[p] = data.images[i * per + p] / 255;
    const result = fn(img, new DataRng((base ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0));
    for (let p = 0; p < per; p++) {
      const v = result.data[p];
      out[i * per + p] = Math.round((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
    }
  }
  return out;
}

export function checkCorruption(name: string): CorruptionName {
  checkSafeName('corruption', name);
  if (!(ALL_CORRUPTIONS as readonly string[]).includes(name)) {
    throw new Error(`corruption: '${name}' is not a corruption; allowed: ${ALL_CORRUPTIONS.join(', ')}`);
  }
  return name as CorruptionName;
}

export function checkSeverity(severity: number): void {
  if (!(SEVERITIES as readonly number[]).includes(severity)) {
    throw new Error(`severity: ${severity} is not valid; allowed: 1, 2, 3, 4, 5`);
  }
}

/**
 * Corrupts every image of a data set at one severity. Deterministic: image i draws from a generator seeded by
 * (seed, corruption, severity, i), so the bytes do not depend on the order of generation. Pixels are clipped
 * to [0, 1] and truncated to uint8, as `np.uint8` does in make_cifar_c.py.
 */
export function corruptImages(data: Dataset, corruption: string, severity: number, seed = 0): Uint8Array {
  const name = checkCorruption(corruption);
  checkSeverity(severity);
  const [h, w, c] = data.shape;
  const per = h * w * c;
  const n = data.images.length / per;
  const out = new Uint8Array(n * per);
  const fn = CORRUPTION_FUNCTIONS[name];
  const base = hash32(`${seed}/${name}/${severity}`);
  const load = (i: number): Img => {
    const img: Img = { data: new Float32Array(per), h, w, c };
    for (let p = 0; p < per; p++) img.data[p] = data.images[i * per + p] / 255;
    return img;
  };
  const store = (i: number, result: Img) => {
    for (let p = 0; p < per; p++) {
      const v = result.data[p];
      out[i * per + p] = Math.floor((v < 0 ? 0 : v > 1 ? 1 : v) * 255);
    }
  };
  if (name === 'jpeg_compression') {
    // Deterministic without randomness; batched because jpeg-js's encoder set-up dominates per-image calls.
    const chunk = 512;
    for (let start = 0; start < n; start += chunk) {
      const batch = Array.from({ length: Math.min(chunk, n - start) }, (_, k) => load(start + k));
      for (const [k, img] of jpegRoundTrip(batch, JPEG_QUALITY[severity - 1]).entries()) store(start + k, img);
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const rng = new DataRng((base ^ Math.imul(i + 1, 0x9e3779b1)) >>> 0);
    store(i, fn(load(i), severity, rng));
  }
  return out;
}

/** A generated corruption suite: images[corruption][level index], labels shared with the clean data. */
export interface CorruptionSuite<N extends SuiteCorruptionName = CorruptionName> {
  /**
   * e.g. `mnist-mini-c` (CIFAR-10-C style) or `mnist-mini-mnist-c` (MNIST-C): generated by semix, never the
   * official files.
   */
  name: string;
  suite: SuiteName;
  seed: number;
  corruptions: N[];
  /** The levels each corruption has: 1–5 for cifar10-c, [MNIST_C_LEVEL] for mnist-c. */
  severities: readonly number[];
  images: Map<N, Uint8Array[]>;
  labels: Uint8Array;
  shape: readonly [number, number, number];
}

export interface SuiteOptions {
  /** Which suite: 'cifar10-c' (default: 15 corruptions × 5 severities) or 'mnist-c' (15 × 1, 28 × 28 gray). */
  suite?: SuiteName;
  /** A subset of the suite's corruptions (default: all 15 of it). */
  corruptions?: readonly string[];
  seed?: number;
  /**
   * Cache generated arrays on disk (default true; `SEMIX_CACHE` decides where): `@semix/datasets/node`'s
   * corruptionSuite only. The main entry's has no cache and generates every time.
   */
  cache?: boolean;
  /**
   * Called after each (corruption, level), with the suite it belongs to, whether the level was read from the cache
   * (`load`) or computed (`generate`), and a warning when a cached file was refused and regenerated.
   */
  onProgress?: (
    done: number,
    total: number,
    corruption: SuiteCorruptionName,
    severity: number,
    detail: SuiteProgress,
  ) => void;
}

/** What `onProgress` says about one level beside the counts. */
export interface SuiteProgress {
  suite: SuiteName;
  /** The suite's name, e.g. `mnist-mini-c` or `mnist-mini-mnist-c`. */
  name: string;
  /** `load`: read from the store and its checksum matched; `generate`: computed (and stored). */
  action: 'load' | 'generate';
  /** Why a stored file was not used (changed bytes, wrong length, no checksum); the level was regenerated. */
  warning?: string;
}

/**
 * Where generated arrays are kept between runs: `path` is relative (`generated/<suite name>/<key>/<file>.u8`).
 * `read` returns null when absent or unusable (another length, bytes that fail their checksum); for a file that is
 * there but unusable it calls `refuse` with why, naming the file, and the suite regenerates it with that warning.
 */
export interface SuiteStore {
  read(path: readonly string[], length: number, refuse?: (problem: string) => void): Promise<Uint8Array | null>;
  write(path: readonly string[], bytes: Uint8Array): Promise<void>;
}

/** One level from the store, or generated (and stored) when the store has no usable copy. */
async function level(
  store: SuiteStore | null,
  file: readonly string[],
  length: number,
  generate: () => Uint8Array,
): Promise<{ bytes: Uint8Array; action: SuiteProgress['action']; warning?: string }> {
  let problem: string | undefined;
  const stored = store
    ? await store.read(file, length, (p) => {
        problem = p;
      })
    : null;
  if (stored) return { bytes: stored, action: 'load' };
  const bytes = generate();
  if (store) await store.write(file, bytes);
  return { bytes, action: 'generate', warning: problem && `${problem}; regenerated` };
}

/** The overloads of `corruptionSuite`, shared by the main entry and `@semix/datasets/node`. */
export interface CorruptionSuiteFunction {
  (
    data: Dataset,
    baseName: string,
    options: SuiteOptions & { suite: 'mnist-c' },
  ): Promise<CorruptionSuite<MnistCCorruptionName>>;
  (
    data: Dataset,
    baseName: string,
    options?: SuiteOptions & { suite?: 'cifar10-c' },
  ): Promise<CorruptionSuite<CorruptionName>>;
  (data: Dataset, baseName: string, options?: SuiteOptions): Promise<CorruptionSuite<SuiteCorruptionName>>;
}

/**
 * Generates a corruption suite of a data set, reading and writing `store` when one is given. `suite:
 * 'cifar10-c'` (default): the 15 CIFAR-10-C corruptions × 5 severities, named `<data set>-c` (`mnist-mini-c`),
 * kept as `generated/<name>/<checksum>-seed<seed>-v<version>/<corruption>-<severity>.u8`. `suite: 'mnist-c'`: the 15 MNIST-C
 * corruptions at their one level, for 28 × 28 grayscale data, named `<data set>-mnist-c`, kept as
 * `generated/<name>/<checksum>-seed<seed>-v<version>/<corruption>.u8`.
 */
export async function generateSuite(
  data: Dataset,
  baseName: string,
  options: SuiteOptions,
  store: SuiteStore | null,
): Promise<CorruptionSuite<SuiteCorruptionName>> {
  checkSafeName('dataset', baseName);
  const suiteName = checkSuite(options.suite ?? 'cifar10-c');
  if (suiteName === 'mnist-c') return mnistCSuite(data, baseName, options, store);
  const corruptions = (options.corruptions ?? CORRUPTIONS).map(checkCorruption);
  const seed = options.seed ?? 0;
  const name = `${baseName}-c`;
  const dir = ['generated', name, `${data.checksum.slice(0, 16)}-seed${seed}-v${GENERATOR_VERSION['cifar10-c']}`];
  const images = new Map<CorruptionName, Uint8Array[]>();
  const total = corruptions.length * SEVERITIES.length;
  let done = 0;
  for (const corruption of corruptions) {
    const levels: Uint8Array[] = [];
    for (const severity of SEVERITIES) {
      const file = [...dir, `${corruption}-${severity}.u8`];
      const got = await level(store, file, data.images.length, () => corruptImages(data, corruption, severity, seed));
      levels.push(got.bytes);
      done += 1;
      options.onProgress?.(done, total, corruption, severity, {
        suite: 'cifar10-c',
        name,
        action: got.action,
        warning: got.warning,
      });
    }
    images.set(corruption, levels);
  }
  return {
    name,
    suite: 'cifar10-c',
    seed,
    corruptions,
    severities: SEVERITIES,
    images,
    labels: data.labels,
    shape: data.shape,
  };
}

async function mnistCSuite(
  data: Dataset,
  baseName: string,
  options: SuiteOptions,
  store: SuiteStore | null,
): Promise<CorruptionSuite<MnistCCorruptionName>> {
  checkMnistShape(data);
  const corruptions = (options.corruptions ?? MNIST_C_CORRUPTIONS).map(checkMnistCCorruption);
  const seed = options.seed ?? 0;
  const name = `${baseName}-mnist-c`;
  const dir = ['generated', name, `${data.checksum.slice(0, 16)}-seed${seed}-v${GENERATOR_VERSION['mnist-c']}`];
  const images = new Map<MnistCCorruptionName, Uint8Array[]>();
  let done = 0;
  for (const corruption of corruptions) {
    const file = [...dir, `${corruption}.u8`];
    const got = await level(store, file, data.images.length, () => corruptMnistC(data, corruption, seed));
    images.set(corruption, [got.bytes]);
    done += 1;
    options.onProgress?.(done, corruptions.length, corruption, MNIST_C_LEVEL, {
      suite: 'mnist-c',
      name,
      action: got.action,
      warning: got.warning,
    });
  }
  return {
    name,
    suite: 'mnist-c',
    seed,
    corruptions,
    severities: [MNIST_C_LEVEL],
    images,
    labels: data.labels,
    shape: data.shape,
  };
}

/**
 * One (corruption, severity) slice of a suite as a Dataset (for `evaluate`). For an MNIST-C suite the severity
 * may be left out (it has the one level, `MNIST_C_LEVEL`).
 */
export function corruptedDataset<N extends SuiteCorruptionName>(
  clean: Dataset,
  suite: CorruptionSuite<N>,
  corruption: N,
  severity?: number,
): Dataset {
  const levels = suite.images.get(corruption);
  if (!levels)
    throw new Error(
      `corruption: '${corruption}' is not in suite ${suite.name}; it has ${suite.corruptions.join(', ')}`,
    );
  const level = severity ?? (suite.severities.length === 1 ? suite.severities[0] : undefined);
  const index = level === undefined ? -1 : suite.severities.indexOf(level);
  if (index < 0) {
    throw new Error(
      `severity: ${severity} is not a level of suite ${suite.name}; allowed: ${suite.severities.join(', ')}`,
    );
  }
  return { ...clean, name: `${suite.name}/${corruption}/${level}`, images: levels[index] };
}
