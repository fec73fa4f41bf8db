// The page: controls, the run list, the comparison and the charts. It holds no tfjs: training, evaluation and the
// mixed images are computed in the worker (worker.ts), which posts what it measures (protocol.ts); the page keeps
// every run, draws them, and can stop the worker at once.
import type { BackendInfo, PageBackend } from './backend';
import { type ChartRun, lossPart, mnistCChart, severityChart, stepChart } from './charts';
import { acrossSeeds, compareRuns, type DifferenceRow, formatRow, runColour, tailMean } from './compare';
import type { CorruptionResult, CurvePoint, DemoMethod, DemoOptions, MixedExample, StepLog } from './demo';
import type { FromWorker, ToWorker } from './protocol';
import { type WebglInfo, webglInfo } from './webgl';
import './style.css';

export type RunStatus = 'queued' | 'training' | 'evaluating' | 'done' | 'stopped' | 'error';

/** One run as the page keeps it: its settings, its colour, and everything the worker reported. */
export interface RunView {
  id: number;
  colour: string;
  /** The method's name (`mixup`, `mixup+sem`). */
  method: string;
  policy: DemoMethod;
  sem: boolean;
  beta: number;
  seed: number;
  steps: number;
  evalSize: number;
  status: RunStatus;
  /** Drawn in the charts. */
  shown: boolean;
  /** The comparison it belongs to (the X and X+SEM pair), if any. */
  pair: number | null;
  log: StepLog[];
  accuracy: CurvePoint[];
  gap: CurvePoint[];
  corruptions: CorruptionResult[];
  /** Per test image at the last step. */
  correct: Uint8Array | null;
  /** tf.memory().numTensors in the worker when the run started and when it ended (model disposed). */
  numTensors: { before: number; after: number | null } | null;
}

/** A finished pair: X and X+SEM with the same seed, and their differences. */
export interface Comparison {
  pair: number;
  x: number;
  withSem: number;
  rows: DifferenceRow[];
}

/** What a test (or a curious visitor's console) reads: window.__semix. */
export interface SemixHook {
  state: 'loading' | 'ready' | 'training' | 'corruptions' | 'done' | 'stopped' | 'error';
  backend: BackendInfo | null;
  webgl: WebglInfo;
  defaults: DemoOptions | null;
  runs: RunView[];
  comparisons: Comparison[];
  mixed: {
    method: DemoMethod;
    alpha: number | null;
    examples: Array<Omit<MixedExample, 'pixels' | 'first' | 'second'>>;
  };
  /** The last Stop: the click's time and when training was over (performance.now()), and how it ended. */
  stop: { clickedAt: number; stoppedAt: number | null; how: 'worker' | 'terminated' | null } | null;
  /** The longest time between two animation frames while the worker trained (ms), and the frames counted. */
  frames: { longest: number; count: number };
  error: string | null;
}

declare global {
  interface Window {
    __semix: SemixHook;
  }
}

/** Stop asks the worker first; one that has not said it stopped within this many ms is terminated. */
const STOP_DEADLINE_MS = 100;

const hook: SemixHook = {
  state: 'loading',
  backend: null,
  webgl: webglInfo(),
  defaults: null,
  runs: [],
  comparisons: [],
  mixed: { method: 'mixup', alpha: null, examples: [] },
  stop: null,
  frames: { longest: 0, count: 0 },
  error: null,
};
window.__semix = hook;

const $ = <T extends HTMLElement>(selector: string) => document.querySelector(selector) as T;
const form = $<HTMLFormElement>('#controls');
const field = <T extends HTMLElement>(name: string) => form.elements.namedItem(name) as unknown as T;
const compareButton = $<HTMLButtonElement>('#compare');
const trainButton = $<HTMLButtonElement>('#train');
const stopButton = $<HTMLButtonElement>('#stop');
const progress = $<HTMLParagraphElement>('#progress');
const methodSelect = field<HTMLSelectElement>('method');
const semBox = field<HTMLInputElement>('sem');
const logBeta = field<HTMLInputElement>('logBeta');
const betaShown = field<HTMLOutputElement>('betaShown');
const backendSelect = field<HTMLSelectElement>('backend');

// ---- settings ----

/** β from the log slider, to two significant digits (what the page shows is what trains). */
const betaOf = (log10: number) => Number((10 ** log10).toPrecision(2));

function readSettings() {
  const data = new FormData(form);
  const policy = String(data.get('method')) as DemoMethod;
  return {
    policy,
    sem: data.get('sem') === 'on' && policy !== 'erm',
    beta: betaOf(Number(logBeta.value)),
    steps: Number(data.get('steps')),
    seed: Number(data.get('seed')),
    backend: String(data.get('backend')) as PageBackend,
  };
}

function syncControls(): void {
  const erm = methodSelect.value === 'erm';
  semBox.disabled = erm;
  betaShown.value = String(betaOf(Number(logBeta.value)));
  const ready = workerReady && !busy;
  trainButton.disabled = !ready;
  compareButton.disabled = !ready || erm;
  compareButton.title = erm ? 'SEM needs a mix: pick mixup or cutmix' : '';
  stopButton.disabled = !busy;
}

// ---- the worker ----

let worker: Worker;
let workerReady = false;
/** Resolved by the worker's next `ready`. */
let whenReady: Promise<void>;
let resolveReady: () => void = () => {};
/** A queue was sent and its `idle` has not come. */
let busy = false;
let stopDeadline: ReturnType<typeof setTimeout> | undefined;
let mixRequest = 0;
/** The number of test images the runs use: the defaults', or `?images=` in the address. */
let evalSize = 0;

const send = (message: ToWorker) => worker.postMessage(message);

function spawn(backend: PageBackend): void {
  workerReady = false;
  whenReady = new Promise((resolve) => {
    resolveReady = resolve;
  });
  worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
  worker.onmessage = (event: MessageEvent<FromWorker>) => onMessage(event.data);
  worker.onerror = (event) => fail(`worker: ${event.message}`);
  send({ type: 'init', assetUrl: new URL('mnist-mini.bin', document.baseURI).href, backend });
}

function fail(message: string, id?: number): void {
  hook.error = message;
  hook.state = 'error';
  progress.textContent = `error: ${message}`;
  console.error(message);
  const run = hook.runs.find((r) => r.id === id);
  if (run) run.status = 'error';
  scheduleDraw();
}

const runById = (id: number) => hook.runs.find((r) => r.id === id);
/** A run whose reports are still taken: not stopped (what arrives after a Stop is dropped), not failed. */
const live = (id: number, status: RunStatus) => {
  const run = runById(id);
  return run?.status === status ? run : undefined;
};

function onMessage(m: FromWorker): void {
  switch (m.type) {
    case 'ready': {
      hook.backend = m.backend;
      showBackend(m.backend);
      if (!hook.defaults) {
        hook.defaults = m.defaults;
        applyDefaults(m.defaults);
      }
      workerReady = true;
      resolveReady();
      // The first worker, or one started after a failed start (the error then cleared).
      if (hook.state === 'loading' || (hook.state === 'error' && hook.error === null)) {
        hook.state = 'ready';
        progress.textContent = `mnist-mini: ${m.trainImages} training and ${m.testImages} test digits`;
      }
      requestMixed();
      syncControls();
      break;
    }
    case 'backend':
      hook.backend = m.backend;
      showBackend(m.backend);
      break;
    case 'run-start': {
      const run = live(m.id, 'queued');
      if (!run) break;
      run.status = 'training';
      run.method = m.method;
      run.numTensors = { before: m.numTensors, after: null };
      hook.state = 'training';
      break;
    }
    case 'step': {
      const run = live(m.id, 'training');
      if (!run) break;
      run.log.push(m.log);
      const parts = Object.entries(m.log.losses)
        .map(([k, v]) => `${k} ${v.toFixed(3)}`)
        .join(', ');
      progress.textContent = `#${run.id} ${run.method}: step ${m.log.step}/${run.steps}, loss ${m.log.loss.toFixed(3)} (${parts})`;
      scheduleDraw(STEP_CHARTS);
      break;
    }
    case 'accuracy':
      live(m.id, 'training')?.accuracy.push(m.point);
      break;
    case 'gap':
      live(m.id, 'training')?.gap.push(m.point);
      break;
    case 'trained': {
      const run = live(m.id, 'training');
      if (!run) break;
      run.correct = m.correct;
      run.status = 'evaluating';
      hook.state = 'corruptions';
      progress.textContent = `#${run.id} ${run.method}: evaluating corruptions…`;
      scheduleDraw(STEP_CHARTS);
      break;
    }
    case 'corruption':
      live(m.id, 'evaluating')?.corruptions.push(m.result);
      scheduleDraw(CORRUPTION_CHARTS);
      break;
    case 'run-end': {
      const run = runById(m.id);
      if (!run) break;
      run.numTensors = { before: m.numTensorsBefore, after: m.numTensorsAfter };
      if (run.status === 'evaluating' && !m.stopped) run.status = 'done';
      else if (run.status === 'training' || run.status === 'evaluating') run.status = 'stopped';
      compareFinishedPairs();
      scheduleDraw(CORRUPTION_CHARTS);
      break;
    }
    case 'stopped':
      finishStop('worker');
      break;
    case 'idle':
      busy = false;
      for (const run of hook.runs) if (run.status === 'queued') run.status = 'stopped';
      if (hook.state === 'training' || hook.state === 'corruptions') {
        hook.state = 'done';
        progress.textContent = summary();
      }
      syncControls();
      scheduleDraw([]);
      break;
    case 'mixed':
      if (m.request === mixRequest) drawMixed(m.method, m.alpha, m.examples);
      break;
    case 'error':
      fail(m.message, m.id);
      break;
  }
}

function summary(): string {
  const done = hook.runs.filter((r) => r.status === 'done');
  const last = done.at(-1);
  if (!last) return 'done';
  const accuracy = last.accuracy.at(-1)?.value;
  return `#${last.id} ${last.method}: ${last.log.length} steps, test accuracy ${accuracy === undefined ? '?' : (100 * accuracy).toFixed(1)}%`;
}

function showBackend(info: BackendInfo): void {
  const isolation = info.crossOriginIsolated
    ? 'cross-origin isolated'
    : 'not cross-origin isolated (no threads: the server sends no COOP/COEP headers)';
  $('#backend').textContent = `backend: ${info.name} (${info.detail}) in a Web Worker; ${isolation}`;
  $('#backend').dataset.backend = info.name;
}

// ---- runs ----

let nextId = 1;
let nextPair = 1;

function newRun(
  policy: DemoMethod,
  sem: boolean,
  settings: ReturnType<typeof readSettings>,
  pair: number | null,
): RunView {
  const id = nextId++;
  return {
    id,
    colour: runColour(id - 1),
    method: `${policy}${sem ? '+sem' : ''}`,
    policy,
    sem,
    beta: settings.beta,
    seed: settings.seed,
    steps: settings.steps,
    evalSize,
    status: 'queued',
    shown: true,
    pair,
    log: [],
    accuracy: [],
    gap: [],
    corruptions: [],
    correct: null,
    numTensors: null,
  };
}

async function startQueue(runs: RunView[], backend: PageBackend): Promise<void> {
  busy = true;
  hook.stop = null;
  hook.error = null;
  hook.frames = { longest: 0, count: 0 };
  hook.runs.push(...runs);
  hook.state = 'training';
  syncControls();
  watchFrames();
  scheduleDraw();
  await whenReady;
  // A Stop while waiting for a fresh worker leaves nothing to send.
  if (runs.every((r) => r.status !== 'queued')) return;
  const requests = runs.map((r) => ({
    id: r.id,
    options: { method: r.policy, sem: r.sem, beta: r.beta, steps: r.steps, seed: r.seed, evalSize: r.evalSize },
  }));
  send({ type: 'train', backend, runs: requests });
}

function trainOne(): void {
  const s = readSettings();
  void startQueue([newRun(s.policy, s.sem, s, null)], s.backend);
}

function trainPair(): void {
  const s = readSettings();
  if (s.policy === 'erm') return;
  const pair = nextPair++;
  // The new pair is what the charts show; earlier runs stay in the list, a tick away.
  for (const run of hook.runs) run.shown = false;
  void startQueue([newRun(s.policy, false, s, pair), newRun(s.policy, true, s, pair)], s.backend);
}

function finishStop(how: 'worker' | 'terminated'): void {
  if (!hook.stop || hook.stop.stoppedAt !== null) return;
  clearTimeout(stopDeadline);
  hook.stop.stoppedAt = performance.now();
  hook.stop.how = how;
  for (const run of hook.runs) {
    if (run.status === 'queued' || run.status === 'training' || run.status === 'evaluating') run.status = 'stopped';
  }
  hook.state = 'stopped';
  const ms = hook.stop.stoppedAt - hook.stop.clickedAt;
  progress.textContent = `stopped ${ms.toFixed(0)} ms after the click (${how === 'worker' ? 'the worker read the stop' : 'the worker was terminated'})`;
  if (how === 'terminated') {
    // A terminated worker sends no `idle`: the page starts a fresh one, on the backend of the last run.
    busy = false;
    spawn(readSettings().backend);
  }
  syncControls();
  scheduleDraw();
}

function stop(event: Event): void {
  if (!busy || (hook.stop && hook.stop.stoppedAt === null)) return;
  hook.stop = { clickedAt: event.timeStamp, stoppedAt: null, how: null };
  send({ type: 'stop' });
  stopDeadline = setTimeout(() => {
    if (hook.stop?.stoppedAt !== null) return;
    worker.terminate();
    finishStop('terminated');
  }, STOP_DEADLINE_MS);
}

/** Every pair whose two runs are done and not yet compared: X+SEM − X. */
function compareFinishedPairs(): void {
  const pairs = new Set(hook.runs.map((r) => r.pair).filter((p): p is number => p !== null));
  for (const pair of pairs) {
    if (hook.comparisons.some((c) => c.pair === pair)) continue;
    const x = hook.runs.find((r) => r.pair === pair && !r.sem);
    const withSem = hook.runs.find((r) => r.pair === pair && r.sem);
    if (x?.status !== 'done' || withSem?.status !== 'done') continue;
    const outcome = (r: RunView) => ({
      correct: r.correct!,
      gap: r.gap.at(-1)!.value,
      crossEntropy: tailMean(
        r.log.map((l) => l.losses.ce),
        10,
      ),
      corruptions: r.corruptions,
    });
    hook.comparisons.push({ pair, x: x.id, withSem: withSem.id, rows: compareRuns(outcome(x), outcome(withSem)) });
  }
}

// ---- drawing ----

const label = (r: RunView) => `#${r.id} ${r.method}${r.sem ? ` β ${r.beta}` : ''} · seed ${r.seed}`;

type ChartId = 'chart-ce' | 'chart-sem' | 'chart-accuracy' | 'chart-gap' | 'chart-cifar10-c' | 'chart-mnist-c';
const STEP_CHARTS: ChartId[] = ['chart-ce', 'chart-sem', 'chart-accuracy', 'chart-gap'];
const CORRUPTION_CHARTS: ChartId[] = ['chart-cifar10-c', 'chart-mnist-c'];

/** What changed since it was drawn: the tables (run list, differences, legend) and charts. */
const dirty = new Set<ChartId | 'tables'>();
let drawing = false;
let lastDraw = 0;

/**
 * Marks charts for a redraw (default: all; the tables always) and redraws at most four times a second, however
 * fast the worker reports: the tables first, then one chart an animation frame, so that no frame waits for all six.
 */
function scheduleDraw(charts: readonly ChartId[] = [...STEP_CHARTS, ...CORRUPTION_CHARTS]): void {
  dirty.add('tables');
  for (const id of charts) dirty.add(id);
  if (drawing) return;
  drawing = true;
  const next = () => {
    const [id] = dirty;
    if (id === undefined) {
      drawing = false;
      return;
    }
    dirty.delete(id);
    try {
      if (id === 'tables') {
        drawRunList();
        drawDifferences();
        drawLegend();
      } else drawChart(id);
    } finally {
      requestAnimationFrame(next);
    }
  };
  setTimeout(
    () => {
      lastDraw = performance.now();
      next();
    },
    Math.max(0, 250 - (performance.now() - lastDraw)),
  );
}

const shownRuns = (): ChartRun[] => hook.runs.filter((r) => r.shown).map((r) => ({ ...r, label: label(r) }));

function drawLegend(): void {
  $('#legend').replaceChildren(
    ...shownRuns().map((r) => {
      const item = document.createElement('span');
      const swatch = document.createElement('i');
      swatch.className = 'swatch';
      swatch.style.background = r.colour;
      item.append(swatch, r.label);
      return item;
    }),
  );
}

function drawChart(id: ChartId): void {
  const shown = shownRuns();
  const element = $(`#${id}`);
  const width = Math.max(260, Math.min(640, element.clientWidth || 420));
  const make: Record<ChartId, () => Element> = {
    'chart-ce': () => stepChart(shown, lossPart('ce'), { y: 'cross-entropy', width, smooth: true }),
    'chart-sem': () =>
      stepChart(
        shown.filter((r) => r.log.some((l) => l.losses.sem !== undefined)),
        lossPart('sem'),
        { y: 'β·L_sem', width, smooth: true },
      ),
    'chart-accuracy': () => stepChart(shown, (r) => r.accuracy, { y: 'accuracy', width, domain: [0, 1] }),
    'chart-gap': () => stepChart(shown, (r) => r.gap, { y: '1 − cos', width }),
    'chart-cifar10-c': () => severityChart(shown, width),
    'chart-mnist-c': () => mnistCChart(shown, width),
  };
  element.replaceChildren(make[id]());
}

const cell = (text: string) => {
  const td = document.createElement('td');
  td.textContent = text;
  return td;
};

function drawRunList(): void {
  const rows = hook.runs.map((run) => {
    const tr = document.createElement('tr');
    tr.dataset.run = String(run.id);
    tr.dataset.status = run.status;
    const show = document.createElement('input');
    show.type = 'checkbox';
    show.checked = run.shown;
    show.setAttribute('aria-label', `show run ${run.id}`);
    show.addEventListener('change', () => {
      run.shown = show.checked;
      scheduleDraw();
    });
    const name = cell(`#${run.id}`);
    const swatch = document.createElement('i');
    swatch.className = 'swatch';
    swatch.style.background = run.colour;
    name.prepend(swatch);
    const accuracy = run.accuracy.at(-1)?.value;
    const gap = run.gap.at(-1)?.value;
    const first = document.createElement('td');
    first.append(show);
    tr.append(
      first,
      name,
      cell(run.method),
      cell(run.sem ? String(run.beta) : '—'),
      cell(String(run.seed)),
      cell(`${run.log.length}/${run.steps}`),
      cell(run.status),
      cell(accuracy === undefined ? '' : `${(100 * accuracy).toFixed(1)}%`),
      cell(gap === undefined ? '' : gap.toFixed(3)),
    );
    return tr;
  });
  $('#runs tbody').replaceChildren(...rows);
}

function drawDifferences(): void {
  const section = $('#differences');
  const latest = hook.comparisons.at(-1);
  section.hidden = !latest;
  if (!latest) return;
  const x = runById(latest.x)!;
  const withSem = runById(latest.withSem)!;
  $('#differences-note').textContent =
    `#${withSem.id} ${withSem.method} (β ${withSem.beta}) − #${x.id} ${x.method}, seed ${x.seed}, ${x.steps} steps`;
  $('#differences tbody').replaceChildren(
    ...latest.rows.map((row) => {
      const f = formatRow(row);
      const tr = document.createElement('tr');
      tr.dataset.measure = row.measure;
      const better = row.better === 'higher' ? row.difference > 0 : row.difference < 0;
      // An accuracy difference whose interval holds 0 is not coloured: the images do not tell its sign.
      const clear = !row.interval || row.interval[0] > 0 || row.interval[1] < 0;
      const difference = cell(f.difference);
      difference.className = row.difference === 0 || !clear ? '' : better ? 'better' : 'worse';
      tr.append(
        cell(`${row.measure}${row.better === 'lower' ? ' (lower is better)' : ''}`),
        cell(f.x),
        cell(f.withSem),
        difference,
      );
      return tr;
    }),
  );
  $('#uncertainty').textContent =
    `[95%]: over the ${x.evalSize} test digits, paired image by image (corrupted copies of a digit count once); ` +
    'green or red where X+SEM is better or worse, and for accuracies only where the interval leaves out 0. ' +
    'One seed: it does not cover how much a difference changes from seed to seed. Train the pair again with ' +
    'another seed to see that; the gap and the loss come from one probe batch and one run, so they have no interval here.';
  // The same X, β and steps over several seeds: the spread one pair cannot show.
  const same = hook.comparisons.filter((c) => {
    const a = runById(c.withSem)!;
    return a.policy === withSem.policy && a.beta === withSem.beta && a.steps === withSem.steps;
  });
  const seeds = new Set(same.map((c) => runById(c.x)!.seed));
  if (seeds.size >= 2) {
    const measures = ['test accuracy', 'equivariance gap'];
    const parts = measures.map((measure) => {
      const s = acrossSeeds(same.map((c) => c.rows.find((r) => r.measure === measure)!.difference));
      const scale = measure === 'test accuracy' ? 100 : 1;
      const unit = measure === 'test accuracy' ? ' pp' : '';
      const digits = measure === 'test accuracy' ? 1 : 3;
      const v = (n: number) => `${n >= 0 ? '+' : '−'}${Math.abs(scale * n).toFixed(digits)}`;
      return `${measure} ${v(s.mean)}${unit} (from ${v(s.min)} to ${v(s.max)})`;
    });
    $('#seeds').textContent =
      `Over ${same.length} pairs (seeds ${[...seeds].join(', ')}), mean difference: ${parts.join('; ')}.`;
  } else {
    $('#seeds').textContent = '';
  }
}

// ---- mixed images ----

function requestMixed(): void {
  if (!workerReady) return;
  mixRequest += 1;
  const { seed } = readSettings();
  send({ type: 'mix', request: mixRequest, method: methodSelect.value as DemoMethod, count: 6, seed });
}

/** White digits on black, as the report's gallery shows the data (the bytes as they are). */
function digitCanvas(pixels: Float32Array, className: string): HTMLCanvasElement {
  const canvas = document.createElement('canvas');
  canvas.width = 28;
  canvas.height = 28;
  canvas.className = className;
  const ctx = canvas.getContext('2d')!;
  const image = ctx.createImageData(28, 28);
  for (let p = 0; p < 784; p++) {
    const v = Math.round(255 * pixels[p]);
    image.data.set([v, v, v, 255], p * 4);
  }
  ctx.putImageData(image, 0, 0);
  return canvas;
}

function drawMixed(method: DemoMethod, alpha: number | null, examples: MixedExample[]): void {
  hook.mixed = {
    method,
    alpha,
    examples: examples.map(({ lam, label, partnerLabel }) => ({ lam, label, partnerLabel })),
  };
  $('#mixed-note').textContent =
    method === 'erm'
      ? 'erm trains on the images as they are'
      : `as ${method} draws them in training: each from a batch of its own (one λ a batch, λ ~ Beta(${alpha}, ${alpha})); white on black, as in the report's gallery`;
  const cells = examples.map((e) => {
    const figure = document.createElement('figure');
    const row = document.createElement('div');
    row.className = 'mix-row';
    const caption = document.createElement('figcaption');
    if (method === 'erm') {
      row.append(digitCanvas(e.pixels, 'mixed-image'));
      caption.textContent = `a ${e.label}, unmixed`;
    } else {
      const sources = document.createElement('div');
      sources.className = 'sources';
      sources.append(digitCanvas(e.first, 'source'), digitCanvas(e.second, 'source'));
      const arrow = document.createElement('span');
      arrow.className = 'arrow';
      arrow.textContent = '→';
      row.append(sources, arrow, digitCanvas(e.pixels, 'mixed-image'));
      const pct = (v: number) => `${Math.round(100 * v)}%`;
      caption.textContent =
        method === 'cutmix'
          ? `λ = ${e.lam.toFixed(2)}: a ${e.label} (${pct(e.lam)} of the area), a box of a ${e.partnerLabel}`
          : `λ = ${e.lam.toFixed(2)}: ${pct(e.lam)} of a ${e.label}, ${pct(1 - e.lam)} of a ${e.partnerLabel}`;
    }
    figure.append(row, caption);
    return figure;
  });
  $('#mixed').replaceChildren(...cells);
}

// ---- frames ----

let watching = false;
/** Records the longest gap between animation frames while the worker trains: the page's responsiveness. */
function watchFrames(): void {
  if (watching) return;
  watching = true;
  let last: number | null = null;
  const frame = (t: number) => {
    if (last !== null) {
      hook.frames.longest = Math.max(hook.frames.longest, t - last);
      hook.frames.count += 1;
    }
    last = t;
    if (busy) requestAnimationFrame(frame);
    else watching = false;
  };
  requestAnimationFrame(frame);
}

// ---- start ----

function applyDefaults(defaults: DemoOptions): void {
  $('#beta-default').textContent = String(defaults.beta);
  const params = new URLSearchParams(location.search);
  if (!params.has('beta')) logBeta.value = String(Math.log10(defaults.beta));
  if (!params.has('steps')) field<HTMLInputElement>('steps').value = String(defaults.steps);
  if (!params.has('images')) evalSize = defaults.evalSize;
  for (const el of document.querySelectorAll('.eval-size')) el.textContent = String(evalSize);
  syncControls();
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  trainOne();
});
compareButton.addEventListener('click', trainPair);
stopButton.addEventListener('click', stop);
methodSelect.addEventListener('change', () => {
  syncControls();
  requestMixed();
});
field<HTMLInputElement>('seed').addEventListener('change', requestMixed);
logBeta.addEventListener('input', syncControls);
// A worker whose start failed (a backend this browser cannot run) is replaced when another backend is picked; a
// working one switches backends at the next run.
backendSelect.addEventListener('change', () => {
  if (workerReady || busy) return;
  worker.terminate();
  hook.error = null;
  spawn(readSettings().backend);
});
window.addEventListener('resize', () => scheduleDraw());

// Settings from the address (?method=cutmix&sem=0&beta=0.5&steps=30&seed=1&images=100&backend=webgl), for links
// and tests.
const params = new URLSearchParams(location.search);
for (const name of ['method', 'steps', 'seed', 'backend']) {
  const value = params.get(name);
  if (value !== null) field<HTMLInputElement | HTMLSelectElement>(name).value = value;
}
if (params.has('beta')) {
  const beta = Number(params.get('beta'));
  if (beta >= 0.01 && beta <= 100) logBeta.value = String(Math.log10(beta));
  else fail(`beta: '${params.get('beta')}' in the address is not valid; the slider takes 0.01 to 100`);
}
if (params.has('sem')) semBox.checked = params.get('sem') !== '0';
if (params.has('images')) evalSize = Number(params.get('images'));

const webglOption = form.querySelector<HTMLOptionElement>('option[value="webgl"]')!;
if (!hook.webgl.available) {
  webglOption.disabled = true;
  webglOption.textContent = 'webgl (not offered by this browser)';
  if (backendSelect.value === 'webgl') backendSelect.value = 'wasm';
} else if (hook.webgl.software) {
  webglOption.textContent = 'webgl (software rendering: slow, seconds a step)';
  webglOption.title = `renderer: ${hook.webgl.renderer}`;
}

syncControls();
spawn(readSettings().backend);
