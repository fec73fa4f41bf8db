// The demo's training throughput in Chromium beside the same step in Node: `pnpm --filter web bench`.
//
// Builds the app, serves it from 127.0.0.1 twice (with COOP/COEP: the threaded wasm binary; without: the
// single-threaded SIMD one), and per round trains the page's cnn-small mixup+sem (batch 64, β = 0.1) for STEPS steps
// in each (in the page's training worker), then the same trainDemo call in this Node process on wasm with the kernel
// pack. Rounds interleave the three so that load from elsewhere on the machine falls on all of them. A step's time is the trainer's step plus
// its yield to the event loop (the page's probes and evaluations are outside it); samples/s = 64 / step time.
// Options: --steps N (default 25), --rounds N (default 3), --warmup N (steps left out of each run, default 3).
import { parseArgs } from 'node:util';
import { selectBackend } from '@semix/core';
import { loadMnistMini } from '@semix/datasets/node';
import type { Browser } from 'playwright-core';
import { DEFAULT_DEMO_OPTIONS, trainDemo } from '../src/demo';
import { buildApp, launchChromium, type Served, serve } from '../src/serve';

const { values } = parseArgs({
  options: {
    steps: { type: 'string', default: '25' },
    rounds: { type: 'string', default: '3' },
    warmup: { type: 'string', default: '3' },
  },
});
const STEPS = Number(values.steps);
const ROUNDS = Number(values.rounds);
const WARMUP = Number(values.warmup);
for (const [field, v, min] of [
  ['--steps', STEPS, 2],
  ['--rounds', ROUNDS, 1],
  ['--warmup', WARMUP, 0],
] as const) {
  if (!Number.isInteger(v) || v < min) throw new Error(`${field}: ${v} is not valid; expected an integer >= ${min}`);
}
if (WARMUP >= STEPS) throw new Error(`--warmup: ${WARMUP} leaves no step of ${STEPS} to time`);
const BATCH = DEFAULT_DEMO_OPTIONS.batchSize;
// Probes (test accuracy, equivariance gap) only at step 0 and the last: outside the timed steps either way.
const OPTIONS = { method: 'mixup', sem: true, beta: 0.1, steps: STEPS, evalEvery: STEPS, gapEvery: STEPS } as const;

const quantile = (sorted: number[], q: number) => {
  const i = (sorted.length - 1) * q;
  const lo = Math.floor(i);
  return sorted[lo] + (sorted[Math.min(lo + 1, sorted.length - 1)] - sorted[lo]) * (i - lo);
};

async function inChromium(browser: Browser, served: Served): Promise<{ ms: number[]; detail: string }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  try {
    await page.goto(`${served.url}?method=mixup&sem=1&beta=0.1&steps=${STEPS}&backend=wasm`);
    await page.waitForFunction(() => ['ready', 'error'].includes(window.__semix?.state), null, { timeout: 60_000 });
    await page.click('#train', { noWaitAfter: true });
    // Training is over when the corruption panel starts.
    await page.waitForFunction(() => ['corruptions', 'done', 'error'].includes(window.__semix.state), null, {
      timeout: 300_000,
    });
    const { state, error, ms, detail } = await page.evaluate(() => ({
      state: window.__semix.state,
      error: window.__semix.error,
      ms: window.__semix.runs[0]?.log.map((l) => l.ms) ?? [],
      detail: `${window.__semix.backend?.detail}; ${window.__semix.backend?.crossOriginIsolated ? 'isolated' : 'not isolated'}`,
    }));
    if (state === 'error' || errors.length) throw new Error(`the page failed: ${error ?? errors.join('; ')}`);
    return { ms: ms.slice(WARMUP), detail };
  } finally {
    await page.close();
  }
}

async function inNode(): Promise<number[]> {
  const run = await trainDemo(loadMnistMini(), OPTIONS);
  run.model.dispose();
  return run.log.map((l) => l.ms).slice(WARMUP);
}

const rows = new Map<string, { detail: string; ms: number[]; roundMedians: number[] }>();
const record = (name: string, detail: string, ms: number[]) => {
  const row = rows.get(name) ?? { detail, ms: [], roundMedians: [] };
  row.ms.push(...ms);
  const sorted = [...ms].sort((a, b) => a - b);
  row.roundMedians.push(BATCH / (quantile(sorted, 0.5) / 1000));
  rows.set(name, row);
};

console.log(`building the app and starting Chromium… (${ROUNDS} rounds × ${STEPS} steps, first ${WARMUP} untimed)`);
const dist = await buildApp();
const isolated = await serve(dist, true);
const plain = await serve(dist, false);
const browser = await launchChromium();
const selection = await selectBackend('wasm', { log: () => {} });
try {
  for (let round = 1; round <= ROUNDS; round++) {
    const a = await inChromium(browser, isolated);
    record('Chromium, COOP/COEP', a.detail, a.ms);
    const b = await inChromium(browser, plain);
    record('Chromium, no COOP/COEP', b.detail, b.ms);
    record(
      'Node',
      `wasm, kernel pack (${selection.kernelPack.length} kernels), Node ${process.version}`,
      await inNode(),
    );
    console.log(`round ${round}/${ROUNDS} done`);
  }
} finally {
  await browser.close();
  await isolated.close();
  await plain.close();
}

console.log(
  `\ncnn-small, mixup+sem (β = 0.1), batch ${BATCH}, mnist-mini; ${ROUNDS} rounds × ${STEPS - WARMUP} timed steps`,
);
console.log('samples/s per step: median [p10–p90] over all timed steps; medians of the rounds\n');
for (const [name, row] of rows) {
  const rates = row.ms.map((ms) => BATCH / (ms / 1000)).sort((a, b) => a - b);
  const fmt = (v: number) => v.toFixed(0);
  console.log(
    `${name.padEnd(24)} ${fmt(quantile(rates, 0.5)).padStart(5)} [${fmt(quantile(rates, 0.1))}–${fmt(quantile(rates, 0.9))}]  rounds: ${row.roundMedians.map(fmt).join(', ')}  (${row.detail})`,
  );
}
const median = (name: string) => {
  const row = rows.get(name)!;
  return quantile(
    row.ms.map((ms) => BATCH / (ms / 1000)).sort((a, b) => a - b),
    0.5,
  );
};
console.log(
  `\nChromium / Node: ${(median('Chromium, COOP/COEP') / median('Node')).toFixed(2)} (isolated), ${(median('Chromium, no COOP/COEP') / median('Node')).toFixed(2)} (not isolated)`,
);
