import { resolve } from 'node:path';
import { ALL_CORRUPTIONS, corruptionSuite, loadMnistMini, previewGrid, take } from '@semix/datasets';

const AVAILABLE = ['mnist-mini'];

function load(name: string) {
  if (!AVAILABLE.includes(name))
    throw new Error(`dataset: '${name}' is not available; allowed: ${AVAILABLE.join(', ')}`);
  return loadMnistMini();
}

const int = (field: string, value: string) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${field}: '${value}' is not valid; expected an integer >= 0`);
  return n;
};

export async function list(opts: { json?: boolean }): Promise<void> {
  const info = { datasets: AVAILABLE, corruptions: ALL_CORRUPTIONS, severities: [1, 2, 3, 4, 5] };
  if (opts.json) console.log(JSON.stringify(info, null, 2));
  else {
    console.log('data sets: mnist-mini (embedded, 7000 train / 1500 test)');
    console.log(`corruptions: ${ALL_CORRUPTIONS.join(', ')}`);
  }
}

export async function preview(name: string, opts: { out: string; images: string; seed: string }): Promise<void> {
  const { test } = load(name);
  const path = resolve(opts.out);
  await previewGrid(take(test, 10), {
    images: Math.max(1, int('--images', opts.images)),
    seed: int('--seed', opts.seed),
    path,
  });
  console.log(`wrote ${path}`);
}

export async function corrupt(name: string, opts: { seed: string }): Promise<void> {
  const { test } = load(name);
  const suite = await corruptionSuite(test, name, {
    seed: int('--seed', opts.seed),
    onProgress: (d, t, c, s) => {
      if (s === 5) console.log(`${d}/${t} ${c}`);
    },
  });
  console.log(
    `${suite.name}: ${suite.corruptions.length} corruptions × 5 severities × ${test.labels.length} images (cached)`,
  );
}
