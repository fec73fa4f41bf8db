import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { writeAtomic } from './cache';

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
