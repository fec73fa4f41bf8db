import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { env } from '@semix/env';
import { afterEach, expect, it } from 'vitest';
import { downloadFile } from './download';

afterEach(() => {
  env.offline = undefined as never;
});

it('offline: a file missing from the cache is an error saying so, and nothing is fetched or written', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'semix-cache-'));
  try {
    env.offline = true;
    // A closed port: a download attempt would fail with a network error, not with this one.
    const options = { urls: ['http://127.0.0.1:9/mnist.gz'], md5: '0'.repeat(32), dest: join(dir, 'mnist.gz') };
    await expect(downloadFile(options)).rejects.toThrow(
      /offline \(env\.offline \/ SEMIX_OFFLINE\).*no download was attempted/,
    );
    expect(await readdir(dir)).toEqual([]);
    env.offline = false;
    await expect(downloadFile(options)).rejects.toThrow('could not download http://127.0.0.1:9/mnist.gz');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
