import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { env } from '@semix/env';
import { writeAtomic } from '../cache';

/** Progress of one file: bytes so far and, when the server says, the total. */
export interface DownloadProgress {
  file: string;
  url: string;
  receivedBytes: number;
  totalBytes: number | null;
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

/** MD5 of a file, streamed. */
export async function md5File(path: string): Promise<string> {
  const hash = createHash('md5');
  await pipeline(createReadStream(path), hash);
  return hash.digest('hex');
}

/**
 * Whether `dest` holds the file with this MD5. The result is remembered in `dest.md5` (checksum, size and
 * mtime), so a multi-gigabyte archive is hashed once, not at every load.
 */
export async function isVerified(dest: string, md5: string): Promise<boolean> {
  let info: Awaited<ReturnType<typeof stat>>;
  try {
    info = await stat(dest);
  } catch {
    return false;
  }
  const stamp = `${md5} ${info.size} ${Math.floor(info.mtimeMs)}`;
  try {
    if ((await readFile(`${dest}.md5`, 'utf8')).trim() === stamp) return true;
  } catch {
    // no stamp yet
  }
  if ((await md5File(dest)) !== md5) return false;
  await writeAtomic(`${dest}.md5`, `${stamp}\n`);
  return true;
}

/**
 * Downloads a file into the cache, verified: streamed to a temp file beside `dest` while its MD5 is computed,
 * checked against the announced length and the published checksum, then renamed into place. On any failure the
 * temp file is removed, so the cache never holds a partial or wrong file. A file already there with the right
 * checksum is not downloaded again.
 */
export async function downloadFile(options: DownloadOptions): Promise<{ path: string; downloaded: boolean }> {
  const { urls, md5, dest } = options;
  if (urls.length === 0) throw new Error(`download ${dest}: no URL given`);
  if (!/^[0-9a-f]{32}$/.test(md5)) throw new Error(`download ${dest}: md5 '${md5}' is not 32 hex digits`);
  if (await isVerified(dest, md5)) return { path: dest, downloaded: false };
  if (env.offline) {
    throw new Error(
      `download ${dest}: offline (env.offline / SEMIX_OFFLINE) and the file is not in the cache with md5 ${md5}; no download was attempted (it comes from ${urls[0]})`,
    );
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
    const info = await stat(dest);
    await writeAtomic(`${dest}.md5`, `${md5} ${info.size} ${Math.floor(info.mtimeMs)}\n`);
  } finally {
    clearTimeout(timer);
    await rm(tmp, { force: true });
  }
}
