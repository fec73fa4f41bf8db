import * as Plot from '@observablehq/plot';
import { methodName } from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';
import { decodeAsset } from './asset';
import { type BackendInfo, type PageBackend, useBackend, webglAvailable } from './backend';
import {
  type CorruptionResult,
  type CurvePoint,
  corruptionAccuracy,
  DEFAULT_DEMO_OPTIONS,
  type DemoMethod,
  type DemoOptions,
  demoMethod,
  mixedExamples,
  type StepLog,
  trainDemo,
} from './demo';
import './style.css';

/** What a test (or a curious visitor's console) reads: window.__semix. */
export interface SemixHook {
  state: 'loading' | 'ready' | 'training' | 'corruptions' | 'done' | 'error';
  backend: BackendInfo | null;
  webgl: boolean;
  method: string;
  log: StepLog[];
  accuracy: CurvePoint[];
  gap: CurvePoint[];
  corruptions: CorruptionResult[];
  mixed: Array<{ lam: number; label: number; partnerLabel: number }>;
  error: string | null;
  /** tf.memory().numTensors now. */
  numTensors: () => number;
}

declare global {
  interface Window {
    __semix: SemixHook;
  }
}

const hook: SemixHook = {
  state: 'loading',
  backend: null,
  webgl: false,
  method: '',
  log: [],
  accuracy: [],
  gap: [],
  corruptions: [],
  mixed: [],
  error: null,
  numTensors: () => tf.memory().numTensors,
};
window.__semix = hook;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;
const form = $<HTMLFormElement>('#controls');
const trainButton = $<HTMLButtonElement>('#train');
const stopButton = $<HTMLButtonElement>('#stop');
const progress = $<HTMLParagraphElement>('#progress');

const WIDTH = 360;
const HEIGHT = 200;

function draw(id: string, chart: () => Element): void {
  $(`#${id}`).replaceChildren(chart());
}

function lineChart(points: Array<{ step: number; value: number }>, y: string, domain?: [number, number]) {
  return Plot.plot({
    width: WIDTH,
    height: HEIGHT,
    x: { label: 'step', domain: [0, Math.max(1, ...points.map((p) => p.step))] },
    y: { label: y, grid: true, ...(domain ? { domain } : { zero: true }) },
    marks: [
      Plot.lineY(points, { x: 'step', y: 'value', stroke: 'steelblue' }),
      Plot.dot(points.slice(-1), { x: 'step', y: 'value', fill: 'steelblue' }),
    ],
  });
}

// Charts are redrawn at most once a frame, however fast steps come.
let pending = false;
function scheduleCharts(): void {
  if (pending) return;
  pending = true;
  requestAnimationFrame(() => {
    pending = false;
    draw('chart-loss', () =>
      lineChart(
        hook.log.map((l) => ({ step: l.step, value: l.loss })),
        'loss',
      ),
    );
    draw('chart-accuracy', () => lineChart(hook.accuracy, 'accuracy', [0, 1]));
    draw('chart-gap', () => lineChart(hook.gap, 'gap'));
  });
}

function drawCorruptions(): void {
  const cifar = hook.corruptions.filter((r) => r.suite === 'cifar10-c');
  draw('chart-cifar10-c', () =>
    Plot.plot({
      width: WIDTH,
      height: HEIGHT + 40,
      x: { label: 'severity', ticks: [1, 2, 3, 4, 5], tickFormat: 'd', domain: [1, 5] },
      y: { label: 'accuracy', domain: [0, 1], grid: true },
      color: { legend: true },
      marks: [
        Plot.lineY(cifar, { x: 'severity', y: 'accuracy', stroke: 'corruption' }),
        Plot.dot(cifar, { x: 'severity', y: 'accuracy', fill: 'corruption', tip: true }),
      ],
    }),
  );
  const mnistC = hook.corruptions.filter((r) => r.suite === 'mnist-c');
  draw('chart-mnist-c', () =>
    Plot.plot({
      width: WIDTH,
      height: HEIGHT + 40,
      marginLeft: 70,
      x: { label: 'accuracy', domain: [0, 1], grid: true },
      y: { label: null },
      marks: [
        Plot.barX(mnistC, { y: 'corruption', x: 'accuracy', fill: 'darkorange', tip: true }),
        Plot.text(mnistC, {
          y: 'corruption',
          x: 'accuracy',
          text: (d: CorruptionResult) => d.accuracy.toFixed(2),
          dx: 14,
        }),
      ],
    }),
  );
}

function drawMixed(train: Parameters<typeof mixedExamples>[0], method: DemoMethod, seed: number): void {
  const examples = mixedExamples(train, method, 6, seed);
  hook.mixed = examples.map(({ lam, label, partnerLabel }) => ({ lam, label, partnerLabel }));
  const cells = examples.map((e) => {
    const canvas = document.createElement('canvas');
    canvas.width = 28;
    canvas.height = 28;
    const ctx = canvas.getContext('2d')!;
    const image = ctx.createImageData(28, 28);
    for (let p = 0; p < 784; p++) {
      const v = Math.round(255 * (1 - e.pixels[p]));
      image.data.set([v, v, v, 255], p * 4);
    }
    ctx.putImageData(image, 0, 0);
    const figure = document.createElement('figure');
    const caption = document.createElement('figcaption');
    caption.textContent =
      method === 'erm' ? `${e.label} (erm: no mix)` : `λ = ${e.lam.toFixed(2)}: ${e.label} + ${e.partnerLabel}`;
    figure.append(canvas, caption);
    return figure;
  });
  $('#mixed').replaceChildren(...cells);
}

function readOptions(): { options: Partial<DemoOptions>; backend: PageBackend } {
  const data = new FormData(form);
  const method = String(data.get('method')) as DemoMethod;
  return {
    options: {
      method,
      sem: data.get('sem') === 'on' && method !== 'erm',
      beta: Number(data.get('beta')),
      steps: Number(data.get('steps')),
    },
    backend: String(data.get('backend')) as PageBackend,
  };
}

function showBackend(info: BackendInfo): void {
  const isolation = info.crossOriginIsolated
    ? 'cross-origin isolated'
    : 'not cross-origin isolated (no threads: the server sends no COOP/COEP headers)';
  $('#backend').textContent = `backend: ${info.name} (${info.detail}); ${isolation}`;
  $('#backend').dataset.backend = info.name;
}

let controller: AbortController | null = null;

async function run(): Promise<void> {
  const { options, backend } = readOptions();
  controller = new AbortController();
  trainButton.disabled = true;
  stopButton.disabled = false;
  Object.assign(hook, { state: 'training', log: [], accuracy: [], gap: [], corruptions: [], error: null });
  hook.method = methodName(demoMethod({ method: options.method!, sem: options.sem!, beta: options.beta! }));
  try {
    hook.backend = await useBackend(backend);
    showBackend(hook.backend);
    const splits = await data;
    drawMixed(splits.train, options.method!, 0);
    const started = performance.now();
    const result = await trainDemo(splits, options, {
      signal: controller.signal,
      onStep: (log) => {
        hook.log.push(log);
        const seconds = (performance.now() - started) / 1000;
        progress.textContent = `${hook.method}: step ${log.step}/${options.steps}, loss ${log.loss.toFixed(3)}, ${((log.step * DEFAULT_DEMO_OPTIONS.batchSize) / seconds).toFixed(0)} samples/s, ${log.numTensors} tensors`;
        scheduleCharts();
      },
      onAccuracy: (point) => hook.accuracy.push(point),
      onGap: (point) => hook.gap.push(point),
    });
    scheduleCharts();
    hook.state = 'corruptions';
    stopButton.disabled = true;
    progress.textContent += ' · evaluating corruptions…';
    try {
      await corruptionAccuracy(result.model, splits.test, 300, (r) => {
        hook.corruptions.push(r);
        drawCorruptions();
      });
    } finally {
      result.model.dispose();
    }
    const last = hook.accuracy.at(-1);
    progress.textContent = `${hook.method}${result.stopped ? ' (stopped)' : ''}: ${hook.log.length} steps, test accuracy ${last ? (100 * last.value).toFixed(1) : '?'}%`;
    hook.state = 'done';
  } catch (error) {
    hook.state = 'error';
    hook.error = error instanceof Error ? error.message : String(error);
    progress.textContent = `error: ${hook.error}`;
    console.error(error);
  } finally {
    trainButton.disabled = false;
    stopButton.disabled = true;
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void run();
});
stopButton.addEventListener('click', () => controller?.abort(new Error('stopped')));
const semBox = form.elements.namedItem('sem') as HTMLInputElement;
const methodSelect = form.elements.namedItem('method') as HTMLSelectElement;
methodSelect.addEventListener('change', () => {
  semBox.disabled = methodSelect.value === 'erm';
});

// Settings from the address (?method=cutmix&sem=0&beta=0.5&steps=30&backend=webgl), for links and tests.
const params = new URLSearchParams(location.search);
for (const field of ['method', 'beta', 'steps', 'backend']) {
  const value = params.get(field);
  const element = form.elements.namedItem(field) as HTMLInputElement | HTMLSelectElement | null;
  if (value !== null && element) element.value = value;
}
if (params.has('sem')) semBox.checked = params.get('sem') !== '0';
semBox.disabled = methodSelect.value === 'erm';

hook.webgl = webglAvailable();
const webglOption = form.querySelector<HTMLOptionElement>('option[value="webgl"]')!;
if (!hook.webgl) {
  webglOption.disabled = true;
  webglOption.textContent = 'webgl (not offered by this browser)';
  const backendSelect = form.elements.namedItem('backend') as HTMLSelectElement;
  if (backendSelect.value === 'webgl') backendSelect.value = 'wasm';
}

const data = fetch(`${import.meta.env.BASE_URL}mnist-mini.bin`)
  .then((response) => {
    if (!response.ok) throw new Error(`mnist-mini.bin: HTTP ${response.status}`);
    return response.arrayBuffer();
  })
  .then((buffer) => decodeAsset(new Uint8Array(buffer)));

void (async () => {
  try {
    const { backend } = readOptions();
    hook.backend = await useBackend(backend);
    showBackend(hook.backend);
    const splits = await data;
    drawMixed(splits.train, methodSelect.value as DemoMethod, 0);
    scheduleCharts();
    hook.state = 'ready';
    trainButton.disabled = false;
    progress.textContent = `mnist-mini: ${splits.train.labels.length} training and ${splits.test.labels.length} test digits`;
  } catch (error) {
    hook.state = 'error';
    hook.error = error instanceof Error ? error.message : String(error);
    progress.textContent = `error: ${hook.error}`;
    console.error(error);
  }
})();
