import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { env } from '@semix/env';

/** Progress of one file: bytes so far and, when the server says, the total. */
export interface DownloadProgress {
  file: string;
  url: string;
  receivedBytes: number;
  totalBytes: number | null;
  /**
   * Why a cached file was refused (a download that failed its MD5 and is fetched again, a member unpacked from an
   * archive that failed its SHA-256 and is unpacked again): an event of its own, before the work, with no bytes.
   */
  warning?: string;
}

export interface DownloadOptions {
  /** Mirrors, tried in order until one gives a file with the right checksum. */
  urls: readonly string[];
  /** The published MD5 of the file (what the data sets' authors and torchvision publish). */
  md5: string;
  /** Where the verified file is kept. */
  dest: string;
  onProgress?: (p: DownloadProgress) => void;
  signal?: AbortSignal;
  /** Milliseconds without a byte before a mirror is given up; default 60 s. */
  idleTimeoutMs?: number;
}

/** A download that failed on every mirror; its message says how to put the file in place by hand. */
export class DownloadError extends Error {
  constructor(
    readonly dest: string,
    readonly urls: readonly string[],
    readonly md5: string,
    readonly causes: readonly string[],
  ) {
    super(
      [
        `could not download ${urls[0]}${urls.length > 1 ? ` (or its ${urls.length - 1} mirror(s))` : ''}`,
        ...causes.map((c) => `  - ${c}`),
        `Put the file there by hand: download it from ${urls.join(' or ')}, check that its MD5 is ${md5}, and save it as ${dest}`,
      ].join('\n'),
    );
    this.name = 'DownloadError';
  }
}

/** MD5 of a file, streamed in 1 MiB reads (the default 64 KiB spends more time per call than hashing). */
export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(path, { highWaterMark: 1 << 20 }), hash);
  return hash.digest('hex');
}

/**
 * The files whose content was checked in this process, by path: the MD5 and the file's state then (device, inode,
 * size, mtime and ctime). ctime changes on every write and cannot be set back by `utimes`, so a file changed in
 * place after the check is hashed again even when its size and mtime were kept.
 */
const checkedThisProcess = new Map<string, string>();

/** What the cache holds at `dest`: the file with this MD5, nothing, or a file with another MD5. */
export type CachedFileState = { status: 'ok' } | { status: 'missing' } | { status: 'mismatch'; md5: string };

/**
 * Checks `dest` against its published MD5 by content: on the first use of the file in each process (and after any
 * change to it), never from its size and mtime alone: MD5 ran at about 250 MB/s on a busy 2-core machine, so
 * CIFAR-10-C's 2.9 GB archive costs about 12 s once a process (or worker thread), the 170 MB CIFAR-10 archive under
 * a second (`bench:hash`; the README has the figures). `force` hashes even when this process has.
 */
export async function checkCachedFile(dest: string, md5: string, force = false): Promise<CachedFileState> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dest);
  } catch {
    return { status: 'missing' };
  }
  const state = `${md5} ${info.dev} ${info.ino} ${info.size} ${info.mtimeMs} ${info.ctimeMs}`;
  if (!force && checkedThisProcess.get(dest) === state) return { status: 'ok' };
  checkedThisProcess.delete(dest);
  const got = await md5File(dest);
  if (got !== md5) return { status: 'mismatch', md5: got };
  checkedThisProcess.set(dest, state);
  return { status: 'ok' };
}

/** Whether `dest` holds the file with this MD5 (`checkCachedFile`, by content). */
export async function isVerified(dest: string, md5: string): Promise<boolean> {
  return (await checkCachedFile(dest, md5)).status === 'ok';
}

/**
 * Downloads a file into the cache, verified: streamed to a temp file beside `dest` while its MD5 is computed,
 * checked against the announced length and the published checksum, then renamed into place. On any failure the
 * temp file is removed, so the cache never holds a partial or wrong file. A file already there with the right
 * checksum (checked by content, `checkCachedFile`) is not downloaded again; one that fails is downloaded again,
 * with a `warning` through `onProgress`.
 */
export async function downloadFile(options: DownloadOptions): Promise<{ path: string; downloaded: boolean }> {
  const { urls, md5, dest } = options;
  if (urls.length === 0) throw new Error(`download ${dest}: no URL given`);
  if (!/^[0-9a-f]{32}$/.test(md5)) throw new Error(`download ${dest}: md5 '${md5}' is not 32 hex digits`);
  const cached = await checkCachedFile(dest, md5);
  if (cached.status === 'ok') return { path: dest, downloaded: false };
  const changed =
    cached.status === 'mismatch' ? `${dest}: MD5 ${cached.md5}, expected ${md5} (changed since it was verified)` : null;
  if (env.offline) {
    throw new Error(
      `download ${dest}: offline (env.offline / SEMIX_OFFLINE) and the file is not in the cache with md5 ${md5}${changed ? ` (${changed})` : ''}; no download was attempted (it comes from ${urls[0]})`,
    );
  }
  if (changed) {
    options.onProgress?.({
      file: basename(dest),
      url: urls[0],
      receivedBytes: 0,
      totalBytes: null,
      warning: `${changed}; downloading it again`,
    });
  }
  await mkdir(dirname(dest), { recursive: true });
  const causes: string[] = [];
  for (const url of urls) {
    options.signal?.throwIfAborted();
    try {
      await fetchTo(url, options);
      return { path: dest, downloaded: true };
    } catch (error) {
      if (options.signal?.aborted) throw error;
      causes.push(`${url}: ${describe(error)}`);
    }
  }
  throw new DownloadError(dest, urls, md5, causes);
}

/** Node's fetch says only "fetch failed"; the reason (DNS, refused, TLS, …) is in its cause. */
function describe(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  const cause = e.cause ? ` (${[e.cause.code, e.cause.message].filter(Boolean).join(': ')})` : '';
  return `${e.message}${cause}`;
}

async function fetchTo(url: string, options: DownloadOptions): Promise<void> {
  const { md5, dest, onProgress } = options;
  const idle = new AbortController();
  const signal = options.signal ? AbortSignal.any([options.signal, idle.signal]) : idle.signal;
  const idleMs = options.idleTimeoutMs ?? 60_000;
  let timer = setTimeout(() => idle.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
  const tmp = `${dest}.${randomBytes(6).toString('hex')}.part`;
  try {
    const response = await fetch(url, { signal, redirect: 'follow' });
    if (!response.ok || !response.body) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    }
    const length = response.headers.get('content-length');
    const totalBytes = length === null ? null : Number(length);
    const hash = createHash('md5');
    let receivedBytes = 0;
    const file = dest.split('/').pop() ?? dest;
    onProgress?.({ file, url, receivedBytes, totalBytes });
    const body = Readable.fromWeb(response.body as import('node:stream/web').ReadableStream<Uint8Array>);
    body.on('data', (chunk: Buffer) => {
      clearTimeout(timer);
      timer = setTimeout(() => idle.abort(new Error(`no data for ${idleMs} ms`)), idleMs);
      hash.update(chunk);
      receivedBytes += chunk.length;
      onProgress?.({ file, url, receivedBytes, totalBytes });
    });
    try {
      await pipeline(body, createWriteStream(tmp), { signal });
    } catch (error) {
      const reason = signal.aborted ? (signal.reason as Error)?.message : (error as Error).message;
      throw new Error(
        `transfer stopped after ${receivedBytes} bytes${totalBytes === null ? '' : ` of ${totalBytes}`} (${reason})`,
      );
    }
    if (totalBytes !== null && receivedBytes !== totalBytes) {
      throw new Error(`truncated: received ${receivedBytes} of ${totalBytes} bytes`);
    }
    const got = hash.digest('hex');
    if (got !== md5) throw new Error(`checksum mismatch: MD5 ${got}, expected ${md5} (${receivedBytes} bytes)`);
    await rename(tmp, dest);
    // Hashed as it arrived: this process need not hash it again unless it changes.
    const info = await stat(dest);
    checkedThisProcess.set(dest, `${md5} ${info.dev} ${info.ino} ${info.size} ${info.mtimeMs} ${info.ctimeMs}`);
  } finally {
    clearTimeout(timer);
    await rm(tmp, { force: true });
  }
}
