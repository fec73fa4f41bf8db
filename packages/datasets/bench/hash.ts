/**
 * Times what the cache's content checks cost: MD5 of a downloaded file (`md5File`, checked on its first use in
 * each process) and SHA-256 of a generated suite file (`readChecked`, at every read), on a 100 MB file, and
 * extrapolates to CIFAR-10-C's 2.9 GB archive.
 *   pnpm --filter @semix/datasets bench:hash
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readChecked, writeChecked } from '../src/checksum';
import { md5File } from '../src/remote/download';

const MB = 100;
const dir = await mkdtemp(join(tmpdir(), 'semix-hash-'));
const path = join(dir, 'blob.bin');
const bytes = randomBytes(MB * 1e6);
await writeFile(path, bytes);
await writeChecked(join(dir, 'level.u8'), bytes);

async function time(label: string, run: () => Promise<unknown>): Promise<void> {
  const ms: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    await run();
    ms.push(performance.now() - start);
  }
  ms.sort((a, b) => a - b);
  const perGb = (ms[2] / MB) * 1000;
  console.log(
    `${label}: median ${ms[2].toFixed(0)} ms for ${MB} MB over 5 runs (min ${ms[0].toFixed(0)}, max ${ms[4].toFixed(0)}); ` +
      `2.9 GB ≈ ${((2.9 * perGb) / 1000).toFixed(1)} s`,
  );
}

await time('MD5 (md5File, downloads)', () => md5File(path));
await time('SHA-256 (readChecked, generated suites)', () => readChecked(join(dir, 'level.u8')));
await rm(dir, { recursive: true, force: true });
