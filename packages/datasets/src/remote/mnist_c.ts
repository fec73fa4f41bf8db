import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { tempBeside, writeAtomic } from '@semix/env/node';
import yauzl from 'yauzl';
import { checkStoredFile, checksumPath } from '../checksum';
import { readNpyHeader, readNpyRows } from '../formats/npy_file';
import type { Dataset } from '../types';
import { type DownloadProgress, downloadFile } from './download';
import { makeDataset } from './make_dataset';
import { checkReleasedCorruption, type RemoteDataset } from './registry';

export interface MnistCOptions {
  /** The data set's own cache folder (`<cache>/mnist-c`). */
  dir: string;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
}

/** CRC-32 (IEEE), streamed: zlib's where Node has it (20.15+), a table otherwise. */
let table: Uint32Array | null = null;
function crc32(chunk: Uint8Array, previous: number): number {
  if (typeof zlib.crc32 === 'function') return zlib.crc32(chunk, previous);
  if (!table) {
    table = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c >>> 0;
    }
  }
  let c = ~previous >>> 0;
  for (let i = 0; i < chunk.length; i++) c = table[(c ^ chunk[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * Extracts the named members of a zip (paths inside it → destination paths), each streamed on its own from the
 * archive (yauzl reads the central directory, then one member at a time), checked against the CRC-32 the zip
 * records, and written atomically (temp file, then rename). A missing member, a bad CRC or a damaged archive
 * fails with the archive's name and leaves no partial file.
 */
export async function extractZipMembers(archive: string, members: Readonly<Record<string, string>>): Promise<void> {
  let zip: yauzl.ZipFile;
  try {
    zip = await yauzl.openPromise(archive, { lazyEntries: true, autoClose: false, validateEntrySizes: true });
  } catch (error) {
    throw new Error(`${archive}: not a readable zip archive (${(error as Error).message})`);
  }
  const wanted = new Set(Object.keys(members));
  try {
    for await (const entry of zip.eachEntry()) {
      if (!wanted.has(entry.fileName)) continue;
      wanted.delete(entry.fileName);
      const dest = members[entry.fileName];
      await mkdir(join(dest, '..'), { recursive: true });
      const tmp = tempBeside(dest);
      try {
        let crc = 0;
        const sha256 = createHash('sha256');
        const check = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            crc = crc32(chunk, crc);
            sha256.update(chunk);
            done(null, chunk);
          },
        });
        await pipeline(await zip.openReadStreamPromise(entry), check, createWriteStream(tmp));
        if (crc >>> 0 !== entry.crc32 >>> 0) {
          throw new Error(
            `CRC-32 ${(crc >>> 0).toString(16).padStart(8, '0')}, the archive records ${(entry.crc32 >>> 0).toString(16).padStart(8, '0')}`,
          );
        }
        await rename(tmp, dest);
        // Its own checksum beside it (the zip's CRC stays in the zip), checked when it is read: checkStoredFile.
        await writeAtomic(checksumPath(dest), `${sha256.digest('hex')}\n`);
      } catch (error) {
        throw new Error(`${archive}: member ${entry.fileName} is damaged (${(error as Error).message})`);
      } finally {
        await rm(tmp, { force: true });
      }
      if (wanted.size === 0) break;
    }
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(message.startsWith(archive) ? message : `${archive}: ${message}`);
  } finally {
    zip.close();
  }
  if (wanted.size > 0) throw new Error(`${archive}: the archive lacks ${[...wanted].join(', ')}`);
}

/**
 * The 10,000 test images of one MNIST-C corruption (or `identity`, the clean MNIST test set) from the released
 * mnist_c.zip: downloaded once and checked against Zenodo's MD5, then the corruption's `test_images.npy` and
 * `test_labels.npy` extracted once (CRC-checked, then kept with their SHA-256, checked on first use in each process:
 * a changed file is extracted again with a warning), and their dtype, shape and counts checked.
 */
export async function loadMnistC(spec: RemoteDataset, corruption: string, options: MnistCOptions): Promise<Dataset> {
  const name = checkReleasedCorruption(corruption);
  const [file] = spec.files;
  const { path: archive } = await downloadFile({
    urls: file.urls,
    md5: file.md5,
    dest: join(options.dir, file.name),
    onProgress: options.onProgress,
    signal: options.signal,
  });
  const root = file.name.replace(/\.zip$/, '');
  const imagesPath = join(options.dir, name, 'test_images.npy');
  const labelsPath = join(options.dir, name, 'test_labels.npy');
  const members = { [`${root}/${name}/test_images.npy`]: imagesPath, [`${root}/${name}/test_labels.npy`]: labelsPath };
  const stale: Record<string, string> = {};
  for (const [member, path] of Object.entries(members)) {
    const state = await checkStoredFile(path);
    if (state.status === 'ok') continue;
    stale[member] = path;
    if (state.status === 'bad') {
      options.onProgress?.({
        file: member,
        url: archive,
        receivedBytes: 0,
        totalBytes: null,
        warning: `${state.problem}; unpacked again from ${archive}`,
      });
    }
  }
  if (Object.keys(stale).length > 0) await extractZipMembers(archive, stale);
  const [h, w, c] = spec.shape;
  const n = spec.testCount;
  const header = await readNpyHeader(imagesPath);
  if (!header.descr.endsWith('u1') || header.shape.join() !== [n, h, w, c].join()) {
    throw new Error(
      `${imagesPath}: array ${header.descr} (${header.shape.join(', ')}), expected uint8 (${[n, h, w, c].join(', ')})`,
    );
  }
  const labelsHeader = await readNpyHeader(labelsPath);
  if (labelsHeader.shape.length !== 1 || labelsHeader.shape[0] !== n) {
    throw new Error(`${labelsPath}: shape (${labelsHeader.shape.join(', ')}) does not match the ${n} images`);
  }
  const images = (await readNpyRows(imagesPath, 0, n)).data;
  const labels = (await readNpyRows(labelsPath, 0, n)).data;
  return makeDataset(spec, name, images, labels, spec.classNames, labelsPath);
}
