import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { writeAtomic } from '@semix/env/node';

/** SHA-256 over images then labels: identifies the exact data a result was computed on. */
export function checksumOf(images: Uint8Array, labels: Uint8Array): string {
  return createHash('sha256').update(images).update(labels).digest('hex');
}

/** SHA-256 of bytes, as hex. */
export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Where a cached file's checksum is kept: `<file>.sha256`, one line of hex. */
export const checksumPath = (path: string): string => `${path}.sha256`;

/**
 * Writes a cache file and then its SHA-256 beside it (`<file>.sha256`), each atomically. The checksum goes last, so
 * a writer stopped in between leaves a file without one, which `readChecked` refuses rather than trusts.
 */
export async function writeChecked(path: string, bytes: Uint8Array): Promise<void> {
  await writeAtomic(path, bytes);
  await writeAtomic(checksumPath(path), `${sha256(bytes)}\n`);
}

/**
 * A cache file written by `writeChecked`, read back and checked against its SHA-256: `bytes` when it matches;
 * otherwise null with `problem`, which names the file and what is wrong (null when the file is simply absent).
 * `length`, when given, is checked first (a short file is not hashed).
 */
export async function readChecked(
  path: string,
  length?: number,
): Promise<{ bytes: Uint8Array; problem: null } | { bytes: null; problem: string | null }> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(path));
  } catch {
    return { bytes: null, problem: null };
  }
  if (length !== undefined && bytes.length !== length) {
    return { bytes: null, problem: `${path}: ${bytes.length} bytes, expected ${length}` };
  }
  let expected: string;
  try {
    expected = (await readFile(checksumPath(path), 'utf8')).trim();
  } catch {
    return {
      bytes: null,
      problem: `${path} has no checksum (${checksumPath(path)} is missing: written before semix kept checksums, or its writer was stopped)`,
    };
  }
  const got = sha256(bytes);
  if (got !== expected) {
    return { bytes: null, problem: `${path}: SHA-256 ${got}, expected ${expected} (changed since it was written)` };
  }
  return { bytes, problem: null };
}

/** SHA-256 of a file, streamed in 1 MiB reads. */
export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

/** Files `checkStoredFile` found intact in this process, by path: their state then (device, inode, size, mtime, ctime). */
const intactThisProcess = new Map<string, string>();

/**
 * A large cache file with its SHA-256 beside it (files unpacked from an archive, read a slice at a time), checked
 * by content on its first use in each process and after any change to it: ctime moves on every write and cannot be
 * set back with `utimes`, so a change that keeps size and mtime is seen too. `problem` names the file and says why.
 */
export async function checkStoredFile(
  path: string,
): Promise<{ status: 'ok' } | { status: 'missing' } | { status: 'bad'; problem: string }> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(path);
  } catch {
    return { status: 'missing' };
  }
  const state = `${info.dev} ${info.ino} ${info.size} ${info.mtimeMs} ${info.ctimeMs}`;
  if (intactThisProcess.get(path) === state) return { status: 'ok' };
  intactThisProcess.delete(path);
  let expected: string;
  try {
    expected = (await readFile(checksumPath(path), 'utf8')).trim();
  } catch {
    return {
      status: 'bad',
      problem: `${path} has no checksum (${checksumPath(path)} is missing: written before semix kept checksums, or its writer was stopped)`,
    };
  }
  const got = await sha256File(path);
  if (got !== expected) {
    return { status: 'bad', problem: `${path}: SHA-256 ${got}, expected ${expected} (changed since it was written)` };
  }
  intactThisProcess.set(path, state);
  return { status: 'ok' };
}
