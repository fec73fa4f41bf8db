/** What the download tests share: files in the formats the registry serves, a local HTTP server, a fresh cache. */
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';

export const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

/** A version 1.0 .npy file (NumPy's format: magic, header dict padded to 64 bytes, then the data). */
export function npy(shape: number[], descr: string, data: Uint8Array): Buffer {
  let dict = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  const pad = 64 - ((10 + dict.length + 1) % 64);
  dict = `${dict}${' '.repeat(pad % 64)}\n`;
  const head = Buffer.alloc(10);
  Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]).copy(head);
  head.writeUInt16LE(dict.length, 8);
  return Buffer.concat([head, Buffer.from(dict, 'latin1'), Buffer.from(data)]);
}

/**
 * A local HTTP server, up for the test file's tests: `${base()}/<mode>/<path>` serves `files.get(path)` as `mode`
 * says: `good` whole, `truncated` half and then the connection dropped, `404` and `500` those statuses (an unknown
 * path is a 404 whatever the mode).
 */
export function serveFiles(): { files: Map<string, Buffer>; base: () => string } {
  const files = new Map<string, Buffer>();
  let server: Server;
  let base = '';
  beforeAll(async () => {
    server = createServer((req, res) => {
      const [, mode, ...rest] = (req.url ?? '').split('/');
      const body = files.get(rest.join('/'));
      if (mode === '404' || !body) return void res.writeHead(404).end('not found');
      if (mode === '500') return void res.writeHead(500).end('boom');
      if (mode === 'truncated') {
        res.writeHead(200, { 'content-length': body.length });
        res.write(body.subarray(0, Math.floor(body.length / 2)), () => res.destroy());
        return;
      }
      res.writeHead(200, { 'content-length': body.length }).end(body);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));
  return { files, base: () => base };
}

/** A fresh temporary directory for each test (named `<prefix>…`), removed after it: the test's cache. */
export function freshDirectory(prefix: string): () => string {
  let dir = '';
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));
  return () => dir;
}
