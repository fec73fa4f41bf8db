import { readdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { pack as tarPack } from 'tar-stream';
import { beforeAll, describe, expect, it } from 'vitest';
import { ALL_CORRUPTIONS } from '../corruptions/corruptions';
import { parseNpyHeader } from '../formats/npy';
import { DownloadError, downloadFile } from './download';
import { loadCorrupted, loadDataset, verifyDataset } from './load';
import { REMOTE_DATASETS, type RemoteDataset, remoteDataset } from './registry';
import { freshDirectory, md5, npy, serveFiles } from './serve.test_helper';

// ---- small files in each real format, made here -------------------------------------------------------------

function idx(dims: number[], data: Uint8Array): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header[2] = 0x08;
  header[3] = dims.length;
  dims.forEach((d, i) => {
    header.writeUInt32BE(d, 4 + 4 * i);
  });
  return Buffer.concat([header, Buffer.from(data)]);
}

async function tar(entries: Record<string, Uint8Array>, gzip: boolean): Promise<Buffer> {
  const p = tarPack();
  for (const [name, body] of Object.entries(entries)) p.entry({ name }, Buffer.from(body));
  p.finalize();
  const chunks: Buffer[] = [];
  for await (const c of p) chunks.push(c as Buffer);
  const raw = Buffer.concat(chunks);
  return gzip ? gzipSync(raw) : raw;
}

/** Pixel value of image i at byte p: a pattern that differs across images and positions. */
const pixel = (i: number, p: number) => (i * 31 + p * 7) % 256;
const images = (n: number, size: number) =>
  Uint8Array.from({ length: n * size }, (_, k) => pixel(Math.floor(k / size), k % size));

// ---- a local HTTP server: good files, truncated, 404, 500 ---------------------------------------------------

const { files, base } = serveFiles();

const cache = freshDirectory('semix-dl-');

const leftovers = async (dir: string) => (await readdir(dir).catch(() => [])).filter((f) => !f.endsWith('.md5'));

describe('downloadFile', () => {
  const body = Buffer.from(Array.from({ length: 200_000 }, (_, i) => i % 251));
  beforeAll(() => {
    files.set('blob.bin', body);
  });

  it('downloads, verifies, reports progress and does not download a verified file again', async () => {
    const seen: number[] = [];
    const dest = join(cache(), 'blob.bin');
    const first = await downloadFile({
      urls: [`${base()}/good/blob.bin`],
      md5: md5(body),
      dest,
      onProgress: (p) => {
        expect(p.totalBytes).toBe(body.length);
        seen.push(p.receivedBytes);
      },
    });
    expect(first.downloaded).toBe(true);
    expect(Buffer.compare(await readFile(dest), body)).toBe(0);
    expect(seen.at(-1)).toBe(body.length);
    expect(seen.every((v, i) => i === 0 || v >= seen[i - 1])).toBe(true);
    const again = await downloadFile({ urls: [`${base()}/404/blob.bin`], md5: md5(body), dest });
    expect(again.downloaded).toBe(false);
  });

  it.each([
    ['truncated', /truncated|transfer stopped/],
    ['404', /HTTP 404/],
    ['500', /HTTP 500/],
  ])('a %s response fails with the URL, checksum and path, and leaves nothing in the cache', async (mode, cause) => {
    const dest = join(cache(), 'sub', 'blob.bin');
    const url = `${base()}/${mode}/blob.bin`;
    const error = await downloadFile({ urls: [url], md5: md5(body), dest }).catch((e) => e);
    expect(error).toBeInstanceOf(DownloadError);
    expect(error.message).toMatch(cause);
    expect(error.message).toContain(url);
    expect(error.message).toContain(md5(body));
    expect(error.message).toContain(dest);
    expect(await leftovers(join(cache(), 'sub'))).toEqual([]);
  });

  it('a checksum mismatch fails and leaves nothing in the cache', async () => {
    const dest = join(cache(), 'blob.bin');
    const wrong = md5(Buffer.from('something else'));
    const error = await downloadFile({ urls: [`${base()}/good/blob.bin`], md5: wrong, dest }).catch((e) => e);
    expect(error.message).toMatch(new RegExp(`checksum mismatch: MD5 ${md5(body)}, expected ${wrong}`));
    expect(await leftovers(cache())).toEqual([]);
  });

  it('falls back to the next mirror', async () => {
    const dest = join(cache(), 'blob.bin');
    const r = await downloadFile({ urls: [`${base()}/500/blob.bin`, `${base()}/good/blob.bin`], md5: md5(body), dest });
    expect(r.downloaded).toBe(true);
  });

  it('a file changed on disk after download fails verification', async () => {
    const dest = join(cache(), 'blob.bin');
    await downloadFile({ urls: [`${base()}/good/blob.bin`], md5: md5(body), dest });
    await writeFile(dest, 'tampered');
    const spec: RemoteDataset = {
      ...REMOTE_DATASETS.mnist,
      name: '.',
      files: [{ name: 'blob.bin', urls: [], md5: md5(body) }],
    };
    const [status] = await verifyDataset(spec, { cacheDir: cache() });
    expect(status.status).toBe('checksum mismatch');
  });

  it('a file changed in place with its size and mtime kept is detected and downloaded again, with a warning', async () => {
    const dest = join(cache(), 'blob.bin');
    const url = `${base()}/good/blob.bin`;
    await downloadFile({ urls: [url], md5: md5(body), dest });
    const before = await stat(dest);
    const changed = Buffer.from(body);
    changed[1000] ^= 0xff;
    await writeFile(dest, changed);
    await utimes(dest, before.atimeMs / 1000, before.mtimeMs / 1000);
    const after = await stat(dest);
    // The same size and mtime to the millisecond: what the old `.md5` stamp compared.
    expect([after.size, Math.floor(after.mtimeMs)]).toEqual([before.size, Math.floor(before.mtimeMs)]);
    const spec: RemoteDataset = {
      ...REMOTE_DATASETS.mnist,
      name: '.',
      files: [{ name: 'blob.bin', urls: [url], md5: md5(body) }],
    };
    expect((await verifyDataset(spec, { cacheDir: cache() }))[0].status).toBe('checksum mismatch');
    const warnings: string[] = [];
    const again = await downloadFile({
      urls: [url],
      md5: md5(body),
      dest,
      onProgress: (p) => {
        if (p.warning) warnings.push(p.warning);
      },
    });
    expect(again.downloaded).toBe(true);
    expect(Buffer.compare(await readFile(dest), body)).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(dest);
    expect(warnings[0]).toMatch(new RegExp(`MD5 ${md5(changed)}, expected ${md5(body)}.*downloading it again`));
  });
});

// ---- data sets in their real formats ------------------------------------------------------------------------

function idxSpec(prefix: string, nTrain: number, nTest: number, labelShift = 0): RemoteDataset {
  const contents = [
    gzipSync(idx([nTrain, 28, 28], images(nTrain, 784))),
    gzipSync(
      idx(
        [nTrain],
        Uint8Array.from({ length: nTrain }, (_, i) => (i + labelShift) % 10),
      ),
    ),
    gzipSync(idx([nTest, 28, 28], images(nTest, 784))),
    gzipSync(
      idx(
        [nTest],
        Uint8Array.from({ length: nTest }, (_, i) => (i * 3) % 10),
      ),
    ),
  ];
  const spec = REMOTE_DATASETS['fashion-mnist'];
  return {
    ...spec,
    trainCount: 6,
    testCount: 4,
    files: spec.files.map((f, i) => {
      files.set(`${prefix}/${f.name}`, contents[i]);
      return { ...f, urls: [`${base()}/good/${prefix}/${f.name}`], md5: md5(contents[i]) };
    }),
  };
}

describe('loadDataset', () => {
  it('reads IDX gz files served over HTTP into a typed data set', async () => {
    const { train, test } = await loadDataset(idxSpec('fm', 6, 4), { cacheDir: cache() });
    expect(train.labels.length).toBe(6);
    expect(test.labels.length).toBe(4);
    expect(train.shape).toEqual([28, 28, 1]);
    expect(train.images[2 * 784 + 100]).toBe(pixel(2, 100));
    expect(Array.from(test.labels)).toEqual([0, 3, 6, 9]);
    expect(train.classNames[9]).toBe('Ankle boot');
    expect(train.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('rejects a file with the wrong image count', async () => {
    const spec = { ...idxSpec('fm7', 7, 4), trainCount: 6 };
    await expect(loadDataset(spec, { cacheDir: cache() })).rejects.toThrow(/7 images, expected 6/);
  });

  it('rejects labels that do not match their images', async () => {
    const spec = idxSpec('fmbad', 6, 4);
    const bad = gzipSync(idx([5], new Uint8Array(5)));
    files.set('fmbad/train-labels-idx1-ubyte.gz', bad);
    const patched = { ...spec, files: spec.files.map((f, i) => (i === 1 ? { ...f, md5: md5(bad) } : f)) };
    await expect(loadDataset(patched, { cacheDir: cache() })).rejects.toThrow(/5 labels do not match the 6 images/);
  });

  it('reads the CIFAR-10 binary tar.gz, interleaving the colour planes', async () => {
    const record = (i: number) => {
      const r = new Uint8Array(3073);
      r[0] = i % 10;
      for (let p = 0; p < 3072; p++) r[1 + p] = pixel(i, p);
      return r;
    };
    const batch = (from: number, n: number) => Buffer.concat(Array.from({ length: n }, (_, k) => record(from + k)));
    const entries: Record<string, Uint8Array> = {};
    for (let b = 1; b <= 5; b++) entries[`cifar-10-batches-bin/data_batch_${b}.bin`] = batch((b - 1) * 2, 2);
    entries['cifar-10-batches-bin/test_batch.bin'] = batch(100, 3);
    entries['cifar-10-batches-bin/batches.meta.txt'] = Buffer.from('airplane\n');
    const archive = await tar(entries, true);
    files.set('c10/cifar-10-binary.tar.gz', archive);
    const spec: RemoteDataset = {
      ...REMOTE_DATASETS.cifar10,
      trainCount: 10,
      testCount: 3,
      files: [
        { name: 'cifar-10-binary.tar.gz', urls: [`${base()}/good/c10/cifar-10-binary.tar.gz`], md5: md5(archive) },
      ],
    };
    const { train, test } = await loadDataset(spec, { cacheDir: cache() });
    expect(train.labels.length).toBe(10);
    expect(Array.from(train.labels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    // image 7, row 3, column 5: red at plane offset, green at 1024 + offset, blue at 2048 + offset
    const at = 3 * 32 + 5;
    expect([...train.images.subarray(7 * 3072 + at * 3, 7 * 3072 + at * 3 + 3)]).toEqual([
      pixel(7, at),
      pixel(7, 1024 + at),
      pixel(7, 2048 + at),
    ]);
    expect(test.images[2 * 3072]).toBe(pixel(102, 0));
    expect(test.shape).toEqual([32, 32, 3]);
  });

  it('reads the CIFAR-100 binary tar.gz: fine labels (second label byte) and the class names file', async () => {
    const record = (i: number) => {
      const r = new Uint8Array(3074);
      r[0] = i % 20; // coarse
      r[1] = (i * 7) % 100; // fine
      for (let p = 0; p < 3072; p++) r[2 + p] = pixel(i, p);
      return r;
    };
    const names = Array.from({ length: 100 }, (_, k) => `class${k}`).join('\n');
    const archive = await tar(
      {
        'cifar-100-binary/train.bin': Buffer.concat([0, 1, 2, 3].map(record)),
        'cifar-100-binary/test.bin': Buffer.concat([10, 11].map(record)),
        'cifar-100-binary/fine_label_names.txt': Buffer.from(`${names}\n`),
        'cifar-100-binary/coarse_label_names.txt': Buffer.from('a\n'),
      },
      true,
    );
    files.set('c100/cifar-100-binary.tar.gz', archive);
    const spec: RemoteDataset = {
      ...REMOTE_DATASETS.cifar100,
      trainCount: 4,
      testCount: 2,
      files: [
        { name: 'cifar-100-binary.tar.gz', urls: [`${base()}/good/c100/cifar-100-binary.tar.gz`], md5: md5(archive) },
      ],
    };
    const { train, test } = await loadDataset(spec, { cacheDir: cache() });
    expect(Array.from(train.labels)).toEqual([0, 7, 14, 21]);
    expect(Array.from(test.labels)).toEqual([70, 77]);
    expect(train.classNames).toHaveLength(100);
    expect(train.classNames[77]).toBe('class77');
    expect(test.images[3072 + 1]).toBe(pixel(11, 1024));
  });

  it('fails clearly for unknown names and names with path separators', async () => {
    await expect(loadDataset('imagenet')).rejects.toThrow(/'imagenet' is not a data set; allowed: mnist-mini, mnist/);
    await expect(loadDataset('../etc')).rejects.toThrow(/may not contain/);
    expect(() => remoteDataset('cifar10/../x')).toThrow(/may not contain/);
  });
});

describe('loadCorrupted (CIFAR-10-C format)', () => {
  const per = 3;
  async function cSpec(prefix: string, tamper?: (entries: Record<string, Uint8Array>) => void): Promise<RemoteDataset> {
    const entries: Record<string, Uint8Array> = {};
    ALL_CORRUPTIONS.forEach((c, ci) => {
      const data = Uint8Array.from({ length: 5 * per * 3072 }, (_, k) => (Math.floor(k / 3072) * 13 + ci) % 256);
      entries[`CIFAR-10-C/${c}.npy`] = npy([5 * per, 32, 32, 3], '|u1', data);
    });
    const labels = new Uint8Array(new BigInt64Array(Array.from({ length: 5 * per }, (_, i) => BigInt(i % 10))).buffer);
    entries['CIFAR-10-C/labels.npy'] = npy([5 * per], '<i8', labels);
    tamper?.(entries);
    const archive = await tar(entries, false);
    files.set(`${prefix}/CIFAR-10-C.tar`, archive);
    return {
      ...REMOTE_DATASETS['cifar10-c'],
      testCount: per,
      files: [{ name: 'CIFAR-10-C.tar', urls: [`${base()}/good/${prefix}/CIFAR-10-C.tar`], md5: md5(archive) }],
    };
  }

  it('reads exactly the rows of one severity, with int64 labels', async () => {
    const spec = await cSpec('c10c');
    const fog = ALL_CORRUPTIONS.indexOf('fog');
    const data = await loadCorrupted(spec, 'fog', 2, { cacheDir: cache() });
    expect(data.labels.length).toBe(per);
    expect(Array.from(data.labels)).toEqual([3, 4, 5]);
    expect(data.images[0]).toBe((3 * 13 + fog) % 256);
    expect(data.images[2 * 3072 + 5]).toBe((5 * 13 + fog) % 256);
    const again = await loadCorrupted(spec, 'fog', 5, { cacheDir: cache() });
    expect(Array.from(again.labels)).toEqual([2, 3, 4]);
  });

  it('an unpacked member changed in place (size and mtime kept) is unpacked again from the archive, with a warning', async () => {
    const spec = await cSpec('c10c-unpacked');
    const first = await loadCorrupted(spec, 'fog', 2, { cacheDir: cache() });
    const member = join(cache(), 'cifar10-c', 'fog.npy');
    expect((await readFile(`${member}.sha256`, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
    const before = await stat(member);
    const changed = await readFile(member);
    for (let i = changed.length - 5 * per * 3072; i < changed.length; i++) changed[i] = 255 - changed[i];
    await writeFile(member, changed);
    await utimes(member, before.atimeMs / 1000, before.mtimeMs / 1000);
    const warnings: string[] = [];
    const again = await loadCorrupted(spec, 'fog', 2, {
      cacheDir: cache(),
      onProgress: (p) => {
        if (p.warning) warnings.push(p.warning);
      },
    });
    expect(Buffer.from(again.images).equals(Buffer.from(first.images))).toBe(true);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(new RegExp(`${member}: SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}.*unpacked again`));
  });

  it('a corrupted npy header fails with the file name', async () => {
    const spec = await cSpec('c10c-bad', (e) => {
      const bad = Buffer.from(e['CIFAR-10-C/snow.npy']);
      bad.write("{'descr': '|u1', 'fortran_order': False, 'shxpe'", 10, 'latin1');
      e['CIFAR-10-C/snow.npy'] = bad;
    });
    await expect(loadCorrupted(spec, 'snow', 1, { cacheDir: cache() })).rejects.toThrow(/snow\.npy: \.npy header/);
    await expect(loadCorrupted(spec, 'fog', 1, { cacheDir: cache() })).resolves.toBeTruthy();
  });

  it('labels that do not match the images fail', async () => {
    const spec = await cSpec('c10c-labels', (e) => {
      e['CIFAR-10-C/labels.npy'] = npy([4], '|u1', new Uint8Array(4));
    });
    await expect(loadCorrupted(spec, 'fog', 1, { cacheDir: cache() })).rejects.toThrow(
      /labels\.npy: shape \(4\) does not match/,
    );
  });

  it('rejects unknown corruptions and severities', async () => {
    const spec = await cSpec('c10c-names');
    await expect(loadCorrupted(spec, 'rain', 1, { cacheDir: cache() })).rejects.toThrow(/'rain' is not a corruption/);
    await expect(loadCorrupted(spec, 'fog', 6, { cacheDir: cache() })).rejects.toThrow(/severity: 6/);
    await expect(loadCorrupted('cifar10', 'fog', 1)).rejects.toThrow(/not a corruption benchmark/);
  });
});

describe('npy header', () => {
  it('parses version 1 headers and rejects a bad magic string', () => {
    const h = parseNpyHeader(npy([2, 3], '<i8', new Uint8Array(48)), 'x.npy');
    expect(h).toMatchObject({ descr: '<i8', fortranOrder: false, shape: [2, 3] });
    expect(h.dataOffset % 64).toBe(0);
    expect(() => parseNpyHeader(Buffer.from('PK\x03\x04 not npy'), 'x.npy')).toThrow(/not a \.npy file/);
  });
});
