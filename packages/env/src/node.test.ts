import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { env } from './index';
import { cacheDir, writeAtomic } from './node';

// A full disk, simulated: root ignores permissions, so a read-only directory would not stop the write.
const fail = vi.hoisted(() => ({ code: null as string | null }));
vi.mock('node:fs/promises', async (original) => {
  const fs = await original<typeof import('node:fs/promises')>();
  return {
    ...fs,
    writeFile: (async (...args: Parameters<typeof fs.writeFile>) => {
      if (fail.code) {
        await fs.writeFile(args[0], 'partial');
        throw Object.assign(new Error(`${fail.code}: no space left on device, write`), { code: fail.code });
      }
      return fs.writeFile(...args);
    }) as typeof fs.writeFile,
  };
});

const dir = await mkdtemp(join(tmpdir(), 'semix-env-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('writeAtomic', () => {
  it('names the file when the write fails (ENOSPC), keeps the errno code, and leaves no temp file', async () => {
    const path = join(dir, 'record.json');
    fail.code = 'ENOSPC';
    const error = await writeAtomic(path, '{}').catch((e) => e);
    fail.code = null;
    expect(error.message).toBe(`cannot write ${path}: ENOSPC: no space left on device, write`);
    expect(error.code).toBe('ENOSPC');
    expect(await readdir(dir)).toEqual([]);
    await writeAtomic(path, '{}');
    expect(await readdir(dir)).toEqual(['record.json']);
  });
});

describe('cacheDir', () => {
  it('env.cacheDir (SEMIX_CACHE) where set, else $XDG_CACHE_HOME/semix, else ~/.cache/semix', () => {
    const saved = { ...process.env };
    try {
      delete process.env.SEMIX_CACHE;
      delete process.env.XDG_CACHE_HOME;
      // os.homedir() reads $HOME on POSIX.
      process.env.HOME = '/home/someone';
      expect(cacheDir()).toBe('/home/someone/.cache/semix');
      process.env.XDG_CACHE_HOME = '/var/cache/user';
      expect(cacheDir()).toBe('/var/cache/user/semix');
      process.env.SEMIX_CACHE = '/data/from-env';
      expect(cacheDir()).toBe('/data/from-env');
      env.cacheDir = '/data/assigned';
      expect(cacheDir()).toBe('/data/assigned');
    } finally {
      env.cacheDir = undefined as never;
      process.env = saved;
    }
  });
});
