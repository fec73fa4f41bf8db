import { readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deflateRawSync, crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadCorrupted, loadDataset } from './load';
import { REMOTE_DATASETS, type RemoteDataset } from './registry';
import { freshDirectory, md5, npy, serveFiles } from './serve.test_helper';

// ---- small zips in the layout of mnist_c.zip, made here ----------------------------------------------------

interface Member {
  name: string;
  data: Uint8Array;
  /** Recorded CRC-32 in place of the true one (a damaged member). */
  crc?: number;
}

/**
 * The fields a member's local header and its central directory entry share, in the same order (APPNOTE 4.3.7 and
 * 4.3.12), written from `at`: version needed 2.0, no flags, deflate, a fixed date, the CRC-32, both sizes and the
 * name's length.
 */
function memberFields(header: Buffer, at: number, crc: number, packed: number, size: number, nameLength: number) {
  header.writeUInt16LE(20, at);
  header.writeUInt16LE(8, at + 4);
  header.writeUInt16LE(0x21, at + 8);
  header.writeUInt32LE(crc >>> 0, at + 10);
  header.writeUInt32LE(packed, at + 14);
  header.writeUInt32LE(size, at + 18);
  header.writeUInt16LE(nameLength, at + 22);
}

/** A zip (PKWARE APPNOTE 4.3): deflated members, each a local header and its data, then the central directory. */
function zip(members: Member[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const name = Buffer.from(m.name, 'utf8');
    const body = deflateRawSync(m.data);
    const crc = m.crc ?? zlibCrc32(m.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    memberFields(local, 4, crc, body.length, m.data.length, name.length);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4); // version made by
    memberFields(central, 6, crc, body.length, m.data.length, name.length);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(members.length, 8);
  end.writeUInt16LE(members.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

const per = 3;
/** Image i of corruption k: every pixel (k · 40 + i · 7 + p) mod 256. */
const images = (k: number, shape = [per, 28, 28, 1]) => {
  const size = shape.slice(1).reduce((a, b) => a * b, 1);
  return npy(
    shape,
    '|u1',
    Uint8Array.from({ length: shape[0] * size }, (_, q) => (k * 40 + Math.floor(q / size) * 7 + (q % size)) % 256),
  );
};
const labels = () =>
  npy([per], '<i8', new Uint8Array(new BigInt64Array(Array.from({ length: per }, (_, i) => BigInt(i + 4))).buffer));

function members(tamper?: (m: Member[]) => Member[]): Member[] {
  const list: Member[] = [];
  ['identity', 'fog', 'rotate'].forEach((c, k) => {
    list.push({ name: `mnist_c/${c}/train_images.npy`, data: images(k, [2, 28, 28, 1]) });
    list.push({ name: `mnist_c/${c}/test_images.npy`, data: images(k) });
    list.push({ name: `mnist_c/${c}/test_labels.npy`, data: labels() });
  });
  return tamper ? tamper(list) : list;
}

// ---- a local HTTP server ------------------------------------------------------------------------------------

const { files: served, base } = serveFiles();

const cache = freshDirectory('semix-mnist-c-');

/** A registry entry for a served zip: `md5` defaults to the zip's own. */
function spec(key: string, archive: Buffer, opts: { mode?: string; md5?: string } = {}): RemoteDataset {
  served.set(`${key}/mnist_c.zip`, archive);
  return {
    ...REMOTE_DATASETS['mnist-c'],
    testCount: per,
    files: [
      {
        name: 'mnist_c.zip',
        urls: [`${base()}/${opts.mode ?? 'good'}/${key}/mnist_c.zip`],
        md5: opts.md5 ?? md5(archive),
      },
    ],
  };
}

const files = async () => (await readdir(cache(), { recursive: true })).map(String).sort();

describe("loadCorrupted('mnist-c', corruption)", () => {
  it('the registry points at Zenodo record 3239543 with its published MD5', () => {
    const entry = REMOTE_DATASETS['mnist-c'];
    expect(entry.files[0].urls[0]).toMatch(/^https:\/\/zenodo\.org\/records\/3239543\/files\/mnist_c\.zip/);
    expect(entry.files[0].md5).toBe('4b34b33045869ee6d424616cd3a65da3');
    expect(entry.testCount).toBe(10000);
  });

  it('downloads once, extracts only that corruption’s test files (CRC-checked) and reads them', async () => {
    const s = spec('good', zip(members()));
    const fog = await loadCorrupted(s, 'fog', { cacheDir: cache() });
    expect(fog.name).toBe('mnist-c/fog');
    expect(fog.shape).toEqual([28, 28, 1]);
    expect(Array.from(fog.labels)).toEqual([4, 5, 6]);
    expect(fog.images.length).toBe(per * 784);
    expect(fog.images[0]).toBe(40);
    expect(fog.images[2 * 784 + 10]).toBe((40 + 14 + 10) % 256);
    expect(await files()).toEqual([
      'mnist-c',
      'mnist-c/fog',
      'mnist-c/fog/test_images.npy',
      'mnist-c/fog/test_images.npy.sha256',
      'mnist-c/fog/test_labels.npy',
      'mnist-c/fog/test_labels.npy.sha256',
      'mnist-c/mnist_c.zip',
    ]);
    // The verified zip is not fetched again: the URL may now fail.
    const offline = { ...s, files: [{ ...s.files[0], urls: [`${base()}/good/gone/mnist_c.zip`] }] };
    const clean = await loadCorrupted(offline, 'identity', 1, { cacheDir: cache() });
    expect(clean.images[0]).toBe(0);
    expect(
      Buffer.from((await loadCorrupted(offline, 'fog', { cacheDir: cache() })).images).equals(Buffer.from(fog.images)),
    ).toBe(true);
  });

  it('an extracted member whose bytes changed is extracted again from the zip, with a warning', async () => {
    const s = spec('good', zip(members()));
    const fog = await loadCorrupted(s, 'fog', { cacheDir: cache() });
    const images = join(cache(), 'mnist-c', 'fog', 'test_images.npy');
    const bytes = await readFile(images);
    bytes[bytes.length - 1] ^= 0xff;
    await writeFile(images, bytes);
    const warnings: string[] = [];
    const again = await loadCorrupted(s, 'fog', {
      cacheDir: cache(),
      onProgress: (p) => {
        if (p.warning) warnings.push(p.warning);
      },
    });
    expect(Buffer.from(again.images).equals(Buffer.from(fog.images))).toBe(true);
    expect(warnings).toEqual([expect.stringMatching(new RegExp(`^${images}: SHA-256 .*unpacked again`))]);
    await rm(`${images}.sha256`);
    warnings.length = 0;
    await loadCorrupted(s, 'fog', { cacheDir: cache(), onProgress: (p) => p.warning && warnings.push(p.warning) });
    expect(warnings).toEqual([expect.stringMatching(/has no checksum.*unpacked again/)]);
  });

  it('a download cut short fails and leaves nothing in the cache', async () => {
    const s = spec('cut', zip(members()), { mode: 'truncated' });
    await expect(loadCorrupted(s, 'fog', { cacheDir: cache() })).rejects.toThrow(/transfer stopped|truncated/);
    expect((await files()).filter((f) => f.includes('.'))).toEqual([]);
  });

  it('a zip whose MD5 is not the published one fails and is not kept', async () => {
    const s = spec('md5', zip(members()), { md5: '0'.repeat(32) });
    await expect(loadCorrupted(s, 'fog', { cacheDir: cache() })).rejects.toThrow(
      /checksum mismatch: MD5 [0-9a-f]{32}, expected 0{32}/,
    );
    expect((await files()).filter((f) => f.includes('.'))).toEqual([]);
  });

  it('a truncated archive (even with a matching MD5) fails as unreadable', async () => {
    const whole = zip(members());
    const s = spec('short', whole.subarray(0, Math.floor(whole.length * 0.6)));
    await expect(loadCorrupted(s, 'fog', { cacheDir: cache() })).rejects.toThrow(
      /mnist_c\.zip: not a readable zip archive/,
    );
  });

  it('a member whose bytes do not match its recorded CRC-32 fails and leaves no extracted file', async () => {
    const s = spec(
      'crc',
      zip(members((m) => m.map((x) => (x.name === 'mnist_c/fog/test_images.npy' ? { ...x, crc: 0x12345678 } : x)))),
    );
    await expect(loadCorrupted(s, 'fog', { cacheDir: cache() })).rejects.toThrow(
      /member mnist_c\/fog\/test_images\.npy is damaged \(CRC-32 [0-9a-f]{8}, the archive records 12345678\)/,
    );
    expect((await files()).filter((f) => f.endsWith('.npy') || f.endsWith('.tmp'))).toEqual([]);
    await expect(loadCorrupted(s, 'rotate', { cacheDir: cache() })).resolves.toBeTruthy();
  });

  it('a missing member fails with its name', async () => {
    const s = spec('missing', zip(members((m) => m.filter((x) => x.name !== 'mnist_c/fog/test_labels.npy'))));
    await expect(loadCorrupted(s, 'fog', { cacheDir: cache() })).rejects.toThrow(
      /mnist_c\.zip: the archive lacks mnist_c\/fog\/test_labels\.npy/,
    );
  });

  it('images of the wrong shape, or labels of the wrong count, fail naming the file', async () => {
    const wrong = spec(
      'shape',
      zip(
        members((m) =>
          m.map((x) =>
            x.name === 'mnist_c/fog/test_images.npy'
              ? { ...x, data: images(1, [per, 28, 28]) }
              : x.name === 'mnist_c/rotate/test_labels.npy'
                ? { ...x, data: npy([per + 1], '|u1', new Uint8Array(per + 1)) }
                : x,
          ),
        ),
      ),
    );
    await expect(loadCorrupted(wrong, 'fog', { cacheDir: cache() })).rejects.toThrow(
      /fog\/test_images\.npy: array \|u1 \(3, 28, 28\), expected uint8 \(3, 28, 28, 1\)/,
    );
    await expect(loadCorrupted(wrong, 'rotate', { cacheDir: cache() })).rejects.toThrow(
      /rotate\/test_labels\.npy: shape \(4\) does not match the 3 images/,
    );
  });

  it('rejects names outside MNIST-C, severities other than 1, and loadDataset of the benchmark', async () => {
    const s = spec('names', zip(members()));
    await expect(loadCorrupted(s, 'snow', { cacheDir: cache() })).rejects.toThrow(
      /corruption: 'snow' is not in MNIST-C; allowed: identity, shot_noise/,
    );
    await expect(loadCorrupted(s, '../fog', { cacheDir: cache() })).rejects.toThrow(/may not contain/);
    await expect(loadCorrupted(s, 'fog', 3, { cacheDir: cache() })).rejects.toThrow(
      /severity: 3 is not valid for mnist-c/,
    );
    await expect(loadDataset('mnist-c')).rejects.toThrow(
      /corruption benchmark; read it with loadCorrupted\('mnist-c', corruption\)/,
    );
  });
});
