/**
 * The speed suite: samples/s of the train step and the eval step of each model on every available
 * backend, the cost of each mixing policy and of the SEM term relative to the train step, data loading and
 * corruption generation; and, when a Python with torch is found, the same reference step in PyTorch.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Architecture, type BackendName, createModel, probeBackends, Rng, selectBackend } from '@semix/core';
import { createParallelReferenceStep, createReferenceStep } from '@semix/core/internal';
import { createInferencePool } from '@semix/core/node';
import { corruptImages } from '@semix/datasets';
import { loadMnistMini, take } from '@semix/datasets/node';
import { env } from '@semix/env';
import { cutmix, fmix, mixup, resizemix, saliencymix, semLoss } from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';

export interface SpeedRow {
  backend: string;
  task: string;
  /** The warm median (see {@link timeStep}); NaN where the task was skipped. */
  msPerOp: number;
  /**
   * The first call, timed apart: one-time costs included (tfjs-node's oneDNN set-up, wasm's XNNPACK operators and
   * heap growth). Reported beside the warm figure, never instead of it; null where not timed here (PyTorch's rows).
   */
  coldMs: number | null;
  /** Images per second where the task processes a batch. */
  samplesPerSec: number | null;
  /** Share of the reference train step on the same backend. */
  vsTrainStep: number | null;
  note?: string;
}

export interface SpeedResult {
  rows: SpeedRow[];
  pytorch: { samplesPerSec: number; msPerStep: number; torch: string; threads: number; python: string } | null;
  pytorchNote: string;
  /** semix's reference step on the default backend ÷ PyTorch's, on this machine. */
  ratio: number | null;
  /** The same with the default backend's data-parallel step (wasm, one thread per core), when it was timed. */
  parallelRatio: number | null;
  /** Per-kernel time of preact-resnet18's train and eval steps on wasm (one thread), where it was timed. */
  kernelProfiles: KernelProfile[];
  /**
   * The wasm kernel pack's arithmetic where wasm was timed with it: 'relaxed SIMD (fused multiply-add)' or 'SIMD'
   * (see BackendSelection.relaxedSimd); null otherwise.
   */
  wasmKernels?: string | null;
  /**
   * preact-resnet18's data-parallel train and eval steps on wasm and PyTorch's on the same threads, timed in
   * alternation (round after round, in the same minutes): the ratios the target is read from. Null where wasm,
   * preact-resnet18, PyTorch or a second core is missing.
   */
  interleaved?: InterleavedComparison | null;
}

/** One round of the interleaved comparison: semix's step, then PyTorch's, each a median of its own timing. */
export interface InterleavedRound {
  semixTrainMs: number;
  semixEvalMs: number;
  pytorchTrainMs: number;
  pytorchEvalMs: number;
}

/** A ratio (PyTorch ms ÷ semix ms: above 1, semix is faster) over rounds: the median and the range. */
export interface RatioSummary {
  median: number;
  min: number;
  max: number;
}

export interface InterleavedComparison {
  model: string;
  threads: number;
  rounds: InterleavedRound[];
  train: RatioSummary;
  eval: RatioSummary;
}

/**
 * The per-round ratios PyTorch ms ÷ semix ms of the train and the eval step, summarised as median and range (the
 * median of an even count is the mean of the middle two). Each round's ratio compares two timings made minutes
 * apart at most, so a change of the machine's speed between rounds moves both sides of it.
 */
export function summariseRounds(rounds: InterleavedRound[]): { train: RatioSummary; eval: RatioSummary } {
  if (rounds.length === 0) throw new Error('rounds: none to summarise; the interleaved comparison needs at least one');
  const summary = (ratios: number[]): RatioSummary => {
    const sorted = [...ratios].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
    return { median, min: sorted[0], max: sorted[sorted.length - 1] };
  };
  return {
    train: summary(rounds.map((r) => r.pytorchTrainMs / r.semixTrainMs)),
    eval: summary(rounds.map((r) => r.pytorchEvalMs / r.semixEvalMs)),
  };
}

/** One step's kernels aggregated by name (tf.profile of one warm call on one thread). */
export interface KernelProfile {
  backend: string;
  /** e.g. 'eval step: preact-resnet18 ×0.25' */
  task: string;
  /** Wall time of the profiled call (profiling adds a little). */
  wallMs: number;
  /** Sum of the kernels' times. */
  kernelMs: number;
  /** Heaviest first. */
  kernels: Array<{ name: string; ms: number; calls: number; share: number }>;
  /**
   * Scopes tf.profile records beside the kernels they run (tfjs-core's customGrad ops: `fusedConv2d__op`, semix's
   * batch norm as 'unnamed scope'), left out of the sum and the shares: their kernels are counted already.
   */
  scopes: Array<{ name: string; ms: number; calls: number }>;
}

/** tf.profile's entries that wrap other kernels (customGrad ops) rather than run one. */
export const isScope = (name: string) => name.endsWith('__op') || name === 'unnamed scope';

/**
 * The kernels of one warm call of `fn` by name: total ms, calls, share of the kernels' sum. tfjs-core's profiler
 * times each kernel synchronously on wasm (and cpu), so the times add up to the step's.
 */
export async function profileKernels(backend: string, task: string, fn: () => unknown): Promise<KernelProfile> {
  await fn();
  const t0 = performance.now();
  const info = await tf.profile(async () => {
    await fn();
  });
  const wallMs = performance.now() - t0;
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const entry = byName.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
    entry.calls += 1;
    byName.set(k.name, entry);
  }
  const entries = [...byName].sort((a, b) => b[1].ms - a[1].ms);
  const kernelMs = entries.filter(([name]) => !isScope(name)).reduce((a, [, e]) => a + e.ms, 0);
  const kernels = entries
    .filter(([name]) => !isScope(name))
    .map(([name, e]) => ({ name, ms: e.ms, calls: e.calls, share: kernelMs > 0 ? e.ms / kernelMs : 0 }));
  const scopes = entries.filter(([name]) => isScope(name)).map(([name, e]) => ({ name, ...e }));
  return { backend, task, wallMs, kernelMs, kernels, scopes };
}

export interface SpeedOptions {
  /** Backends to time (default: every available one). */
  backends?: BackendName[];
  /** Architectures whose train and eval steps are timed (default all three; preact-resnet18 at width 0.25). */
  models?: Architecture[];
  /**
   * A step whose warm call (the one after the first) is slower than this (seconds) is timed on that call alone
   * (the cpu backend); its cold first call is reported beside it, as every step's. Default 5.
   */
  maxStepSeconds?: number;
  /** Skip the PyTorch comparison. */
  noPytorch?: boolean;
  /**
   * Rounds of the interleaved comparison (preact-resnet18, data-parallel wasm against PyTorch on the same threads;
   * default 3, 0 for none).
   */
  rounds?: number;
  onLog?: (line: string) => void;
}

const MODEL_SHAPES: Record<Architecture, { inputShape: [number, number, number]; width: number }> = {
  mlp: { inputShape: [28, 28, 1], width: 1 },
  'cnn-small': { inputShape: [28, 28, 1], width: 1 },
  'preact-resnet18': { inputShape: [32, 32, 3], width: 0.25 },
};

/** One step timed: its warm median and, beside it, its cold first call. */
export interface StepTiming {
  /** The median of the warm calls timed, or the one warm call of a step too slow to repeat. */
  ms: number;
  /** The first call. */
  coldMs: number;
  /** Warm calls `ms` is the median of. */
  calls: number;
  note?: string;
}

/** The note of a step timed on one warm call. */
export const ONE_WARM_CALL = 'one warm call timed, after the cold first (too slow to repeat)';

/**
 * Times `fn`: the first call (cold) apart, then a warm-up call, and only on that warm call the decision whether the
 * step is too slow to repeat (slower than `maxStepSeconds`: its warm call is the figure). Deciding on the first
 * call reported tfjs-node's preact-resnet18 step by its cold call alone, oneDNN's one-time set-up included, which
 * takes seconds longer than the warm calls after it (`semix speed --backends tensorflow` prints both).
 * Otherwise, steady state first (wasm's first calls create XNNPACK operators and grow the heap: at least 3 calls and
 * 1 s), then the median of at least 5 calls and 1.5 s: this kind of machine (shared vCPUs) times in bursts, and
 * PyTorch's row is a median too. Each call is awaited before the next starts. `now` is for tests.
 */
export async function timeStep(
  fn: () => unknown,
  maxStepSeconds: number,
  now: () => number = () => performance.now(),
): Promise<StepTiming> {
  const time = async () => {
    const t0 = now();
    await fn();
    return now() - t0;
  };
  const coldMs = await time();
  const warmMs = await time();
  if (warmMs > maxStepSeconds * 1000) return { ms: warmMs, coldMs, calls: 1, note: ONE_WARM_CALL };
  const warmUntil = now() + 1000;
  for (let calls = 0; calls < 3 || now() < warmUntil; calls++) await fn();
  const samples: number[] = [];
  for (let total = 0; samples.length < 5 || total < 1500; ) {
    samples.push(await time());
    total += samples[samples.length - 1];
  }
  samples.sort((a, b) => a - b);
  const mid = Math.floor(samples.length / 2);
  const ms = samples.length % 2 ? samples[mid] : (samples[mid - 1] + samples[mid]) / 2;
  return { ms, coldMs, calls: samples.length };
}

/** The threads tfjs-node computes on: TF_NUM_INTRAOP_THREADS where set, else libtensorflow's default, every core. */
export function tensorflowThreads(environment: NodeJS.ProcessEnv = process.env): number {
  const set = Number(environment.TF_NUM_INTRAOP_THREADS);
  return Number.isInteger(set) && set > 0 ? set : availableParallelism();
}

/** The backend column of a row: tensorflow with its threads (tfjs-node computes on several), others by name. */
const backendLabel = (backend: string) => {
  if (backend !== 'tensorflow') return backend;
  const n = tensorflowThreads();
  return `tensorflow, ${n} thread${n === 1 ? '' : 's'}`;
};

/**
 * One model's train and eval steps on the active backend, as rows: what the one-thread tfjs-node child process
 * (speed_tensorflow.ts) reports.
 */
export async function modelStepRows(backend: string, arch: Architecture, maxStep: number): Promise<SpeedRow[]> {
  const batch = 128;
  const { inputShape, width } = MODEL_SHAPES[arch];
  const label = `${arch}${width !== 1 ? ` ×${width}` : ''}`;
  const row = (task: string, t: StepTiming): SpeedRow => ({
    backend,
    task,
    msPerOp: t.ms,
    coldMs: t.coldMs,
    samplesPerSec: (batch * 1000) / t.ms,
    vsTrainStep: null,
    note: t.note,
  });
  const step = createReferenceStep(batch, 0, { arch, inputShape, width });
  const train = await timeStep(() => step.run(), maxStep);
  step.dispose();
  const model = createModel({ arch, inputShape, width, numClasses: 10, seed: 0 });
  const x = tf.randomUniform([batch, ...inputShape]);
  const evaluation = await timeStep(() => tf.tidy(() => model.logits(x).dataSync()), maxStep);
  x.dispose();
  model.dispose();
  return [row(`train step: ${label} ${inputShape.join('×')}`, train), row(`eval step: ${label}`, evaluation)];
}

/**
 * The train and eval steps of `models` on tfjs-node with one thread, in a child process: libtensorflow reads
 * TF_NUM_INTRAOP_THREADS / TF_NUM_INTEROP_THREADS once, when it creates its thread pools, so one process computes on
 * one thread count. A failure is a row that says why, not the suite's end.
 */
function tensorflowOneThreadRows(models: Architecture[], maxStep: number, log: (line: string) => void): SpeedRow[] {
  const ts = import.meta.url.endsWith('.ts');
  const script = fileURLToPath(new URL(ts ? './speed_tensorflow.ts' : './speed_tensorflow.js', import.meta.url));
  const backend = 'tensorflow, 1 thread';
  try {
    const out = execFileSync(process.execPath, [...process.execArgv, script, JSON.stringify({ models, maxStep })], {
      encoding: 'utf8',
      env: { ...process.env, TF_NUM_INTRAOP_THREADS: '1', TF_NUM_INTEROP_THREADS: '1' },
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 24,
    });
    const rows = JSON.parse(out.trim().split('\n').pop() as string) as SpeedRow[];
    for (const r of rows) log(`  ${r.task}, 1 thread: ${r.msPerOp.toFixed(1)} ms (cold ${r.coldMs?.toFixed(0)} ms)`);
    return rows;
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    log(`  one thread: failed (${why})`);
    return [
      {
        backend,
        task: 'train and eval steps',
        msPerOp: Number.NaN,
        coldMs: null,
        samplesPerSec: null,
        vsTrainStep: null,
        note: `skipped: the one-thread child process failed (${why})`,
      },
    ];
  }
}

export async function runSpeedSuite(options: SpeedOptions = {}): Promise<SpeedResult> {
  const log = options.onLog ?? (() => {});
  const maxStep = options.maxStepSeconds ?? 5;
  const available = (await probeBackends()).filter((b) => b.available).map((b) => b.name as BackendName);
  const backends = options.backends ?? available;
  const models = options.models ?? (['mlp', 'cnn-small', 'preact-resnet18'] as Architecture[]);
  const rows: SpeedRow[] = [];
  const kernelProfiles: KernelProfile[] = [];
  const batch = 128;
  let defaultStepMs: number | null = null;
  let parallelStepMs: number | null = null;
  const slow = (ms: number) => ms > maxStep * 1000;
  const defaultBackend = (await selectBackend('auto')).name;

  let wasmKernels: string | null = null;
  for (const backend of backends) {
    const selection = await selectBackend(backend);
    if (backend === 'wasm' && selection.kernelPack.length > 0) {
      wasmKernels = selection.relaxedSimd ? 'relaxed SIMD (fused multiply-add)' : 'SIMD';
    }
    const rowBackend = backendLabel(backend);
    log(`backend ${rowBackend}`);
    const add = (task: string, t: StepTiming, samples: number | null, note = t.note) => {
      const ms = t.ms;
      rows.push({
        backend: rowBackend,
        task,
        msPerOp: ms,
        coldMs: t.coldMs,
        samplesPerSec: samples ? (samples * 1000) / ms : null,
        vsTrainStep: null,
        note,
      });
      log(
        `  ${task}: ${ms.toFixed(1)} ms${samples ? ` (${((samples * 1000) / ms).toFixed(0)} samples/s)` : ''}, cold first call ${t.coldMs.toFixed(1)} ms`,
      );
    };
    // The reference step first: every other figure on this backend is relative to it.
    const ref = createReferenceStep(batch, 0);
    const refTime = await timeStep(() => ref.run(), maxStep);
    ref.dispose();
    add('train step: reference (cnn-small, mixup CE + 0.1·SEM)', refTime, batch);
    if (backend === defaultBackend) defaultStepMs = refTime.ms;
    // wasm computes on one thread in Node: the same step with the batch split over data-parallel threads.
    const threads = Math.min(4, availableParallelism());
    if (backend === 'wasm' && threads > 1 && !slow(refTime.ms)) {
      const dp = await createParallelReferenceStep(batch, 0, threads);
      const t = await timeStep(() => dp.run(), maxStep);
      await dp.dispose();
      add(`train step: reference, ${threads} data-parallel threads (train({ workers: ${threads} }))`, t, batch);
      if (backend === defaultBackend) parallelStepMs = t.ms;
    }
    // A backend whose reference step is already slower than the limit (tfjs cpu: about a minute) would take hours
    // over the bigger models: their train steps are skipped there, with a row that says so.
    const tooSlow = slow(refTime.ms);
    for (const arch of models) {
      const { inputShape, width } = MODEL_SHAPES[arch];
      const label = `${arch}${width !== 1 ? ` ×${width}` : ''}`;
      if (tooSlow) {
        rows.push({
          backend: rowBackend,
          task: `train step: ${label} ${inputShape.join('×')}`,
          msPerOp: Number.NaN,
          coldMs: null,
          samplesPerSec: null,
          vsTrainStep: null,
          note: `skipped: the reference step alone takes ${(refTime.ms / 1000).toFixed(0)} s on ${backend}`,
        });
      } else {
        const step = createReferenceStep(batch, 0, { arch, inputShape, width });
        const t = await timeStep(() => step.run(), maxStep);
        const task = `train step: ${label} ${inputShape.join('×')}`;
        if (arch === 'preact-resnet18' && backend === 'wasm') {
          kernelProfiles.push(await profileKernels(backend, task, () => step.run()));
        }
        step.dispose();
        add(task, t, batch);
        if (backend === 'wasm' && threads > 1 && arch === 'preact-resnet18' && t.ms < 2 * maxStep * 1000) {
          // Batch-norm statistics are per shard (as PyTorch's DataParallel), so the numbers depend on the threads.
          const dp = await createParallelReferenceStep(batch, 0, threads, { arch, inputShape, width });
          const tp = await timeStep(() => dp.run(), maxStep);
          await dp.dispose();
          const task = `train step: ${label} ${inputShape.join('×')}, ${threads} data-parallel threads`;
          add(task, tp, batch, tp.note ?? 'batch-norm statistics per shard');
        }
      }
      const model = createModel({ arch, inputShape, width, numClasses: 10, seed: 0 });
      const x = tf.randomUniform([batch, ...inputShape]);
      const evalStep = () => tf.tidy(() => model.logits(x).dataSync());
      const e = await timeStep(evalStep, maxStep);
      add(`eval step: ${label}`, e, batch);
      if (arch === 'preact-resnet18' && backend === 'wasm') {
        kernelProfiles.push(await profileKernels(backend, `eval step: ${label}`, evalStep));
      }
      if (backend === 'wasm' && threads > 1 && arch === 'preact-resnet18' && !slow(e.ms)) {
        // The eval step sharded over the same data-parallel threads (inference outputs are per image).
        const pool = await createInferencePool(model, { threads });
        const run = async () => {
          const logits = await pool.logits(x as tf.Tensor4D);
          logits.dataSync();
          logits.dispose();
        };
        const ep = await timeStep(run, maxStep);
        await pool.dispose();
        add(`eval step: ${label}, ${threads} data-parallel threads`, ep, batch);
      }
      x.dispose();
      model.dispose();
    }
    // tfjs-node computes on every core; its one-thread figures (beside PyTorch's one thread) need a process of their own.
    if (backend === 'tensorflow' && tensorflowThreads() > 1 && !tooSlow) {
      rows.push(...tensorflowOneThreadRows(models, maxStep, log));
    }
    if (backend !== defaultBackend) continue;
    // Costs of mixing and of the SEM term, on the default backend.
    const model = createModel({ arch: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
    const x28 = tf.tensor4d(new Rng(1).normals(batch * 784), [batch, 28, 28, 1]);
    const x32 = tf.tensor4d(new Rng(2).normals(batch * 32 * 32 * 3), [batch, 32, 32, 3]);
    const labels = tf.tensor1d(
      Int32Array.from({ length: batch }, (_, i) => i % 10),
      'int32',
    );
    const rng = new Rng(0);
    const f = await timeStep(() => tf.tidy(() => model.features(x28, true).dataSync()), maxStep);
    add('SEM: extra clean forward (cnn-small features)', f, batch);
    const lam = new Float32Array(batch).fill(0.5);
    const index = Int32Array.from({ length: batch }, (_, i) => batch - 1 - i);
    const z = model.features(x28);
    const s = await timeStep(() => tf.tidy(() => semLoss(z, z, lam, index).dataSync()), maxStep);
    add('SEM: loss on 64-d features', s, null);
    z.dispose();
    for (const [name, policy] of Object.entries({ mixup, cutmix, fmix, resizemix, saliencymix })) {
      for (const mode of ['batch', 'elem'] as const) {
        const t = await timeStep(() => {
          const r = policy(x32, labels, { numClasses: 10, mode }, rng);
          r.mixed.dataSync();
          tf.dispose([r.mixed, r.targets]);
        }, maxStep);
        add(`mix: ${name}, mode ${mode} (batch 128 of 32×32×3)`, t, batch);
      }
    }
    tf.dispose([x28, x32, labels]);
    model.dispose();
    const load = await timeStep(() => loadMnistMini(), maxStep);
    add('data: mnist-mini (held in memory after the first load)', load, null);
    const mini = take(loadMnistMini().test, 100);
    const c = await timeStep(() => corruptImages(mini, 'zoom_blur', 5), maxStep);
    add('corruption: zoom_blur severity 5 on 100 images', c, 100);
  }
  for (const row of rows) {
    const ref = rows.find((r) => r.backend === row.backend && r.task.startsWith('train step: reference'));
    if (ref && !row.task.startsWith('train step') && !row.task.startsWith('eval step')) {
      row.vsTrainStep = row.msPerOp / ref.msPerOp;
    }
  }
  let pytorch: SpeedResult['pytorch'] = null;
  let pytorchNote = 'skipped (--no-pytorch)';
  if (!options.noPytorch) {
    const found = runPytorch(batch, models);
    pytorch = found.result;
    pytorchNote = found.note;
    log(`PyTorch: ${pytorchNote}`);
    addPytorchRows(rows, found.steps);
  }
  const ratio = pytorch && defaultStepMs ? (batch * 1000) / defaultStepMs / pytorch.samplesPerSec : null;
  const parallelRatio = pytorch && parallelStepMs ? (batch * 1000) / parallelStepMs / pytorch.samplesPerSec : null;
  const rounds = options.rounds ?? 3;
  const threads = Math.min(4, availableParallelism());
  let interleaved: InterleavedComparison | null = null;
  if (pytorch && rounds > 0 && threads > 1 && backends.includes('wasm') && models.includes('preact-resnet18')) {
    await selectBackend('wasm');
    interleaved = await interleavedComparison(batch, threads, rounds, pytorch.python, maxStep, log);
  }
  return { rows, pytorch, pytorchNote, ratio, parallelRatio, kernelProfiles, wasmKernels, interleaved };
}

/**
 * preact-resnet18's data-parallel train and eval steps (semix on wasm, `threads` threads) and PyTorch's on as many
 * threads, in alternation for `rounds` rounds: semix's two steps, then PyTorch's script for the same two, then the
 * next round. The suite's other rows time PyTorch only at its end, minutes after semix's ResNet rows; on a machine
 * whose speed moves by 1.5× from minute to minute their ratio moves with it.
 */
async function interleavedComparison(
  batch: number,
  threads: number,
  rounds: number,
  python: string,
  maxStep: number,
  log: (line: string) => void,
): Promise<InterleavedComparison> {
  const arch: Architecture = 'preact-resnet18';
  const { inputShape, width } = MODEL_SHAPES[arch];
  const train = await createParallelReferenceStep(batch, 0, threads, { arch, inputShape, width });
  const model = createModel({ arch, inputShape, width, numClasses: 10, seed: 0 });
  const x = tf.randomUniform([batch, ...inputShape]) as tf.Tensor4D;
  const evaluate = await createInferencePool(model, { threads });
  const done: InterleavedRound[] = [];
  try {
    for (let r = 0; r < rounds; r++) {
      const t = await timeStep(() => train.run(), maxStep);
      const e = await timeStep(async () => {
        const logits = await evaluate.logits(x);
        logits.dataSync();
        logits.dispose();
      }, maxStep);
      const steps = pytorchSteps(python, batch, [arch], threads);
      const find = (step: 'train' | 'eval') => {
        const found = steps.find((p) => p.model === arch && p.step === step);
        if (!found) throw new Error(`PyTorch's script timed no ${arch} ${step} step`);
        return found.ms_per_step;
      };
      const round = {
        semixTrainMs: t.ms,
        semixEvalMs: e.ms,
        pytorchTrainMs: find('train'),
        pytorchEvalMs: find('eval'),
      };
      done.push(round);
      log(
        `  interleaved round ${r + 1}: train ${round.semixTrainMs.toFixed(1)} vs PyTorch ${round.pytorchTrainMs.toFixed(1)} ms, eval ${round.semixEvalMs.toFixed(1)} vs ${round.pytorchEvalMs.toFixed(1)} ms`,
      );
    }
  } finally {
    await train.dispose();
    await evaluate.dispose();
    x.dispose();
    model.dispose();
  }
  return { model: `${arch} ×${width}`, threads, rounds: done, ...summariseRounds(done) };
}

/** One step the PyTorch script timed. */
interface PytorchStep {
  model: Architecture;
  step: 'train' | 'eval';
  threads: number;
  torch: string;
  ms_per_step: number;
  min_ms_per_step: number;
  max_ms_per_step: number;
}

/**
 * PyTorch's train and eval step of every model as rows (backend `pytorch, N threads`, one thread and all cores),
 * and on each semix row of the same step its ratio (semix samples/s ÷ PyTorch's) in the note.
 */
function addPytorchRows(rows: SpeedRow[], steps: PytorchStep[]): void {
  const semixRows = [...rows];
  for (const p of steps) {
    const { inputShape, width } = MODEL_SHAPES[p.model];
    const label = `${p.model}${width !== 1 ? ` ×${width}` : ''}`;
    const task = p.step === 'train' ? `train step: ${label} ${inputShape.join('×')}` : `eval step: ${label}`;
    rows.push({
      backend: `pytorch, ${p.threads} thread${p.threads === 1 ? '' : 's'}`,
      task,
      msPerOp: p.ms_per_step,
      coldMs: null,
      samplesPerSec: (128 * 1000) / p.ms_per_step,
      vsTrainStep: null,
      note: `torch ${p.torch}; steps ${p.min_ms_per_step.toFixed(0)}–${p.max_ms_per_step.toFixed(0)} ms`,
    });
    for (const row of semixRows) {
      if (!row.task.startsWith(task) || Number.isNaN(row.msPerOp)) continue;
      const ratio = `${(p.ms_per_step / row.msPerOp).toFixed(2)}× PyTorch ${p.threads}t`;
      row.note = row.note ? `${row.note}; ${ratio}` : ratio;
    }
  }
}

/**
 * The package's own PyTorch script, run with the first Python that imports torch (`env.python`, SEMIX_PYTHON, first): every
 * model's train and eval step on one thread and on all cores; `result` is cnn-small's train step on all cores.
 */
function runPytorch(
  batch: number,
  models: Architecture[],
): { result: SpeedResult['pytorch']; note: string; steps: PytorchStep[] } {
  const script = pytorchScript();
  if (!script)
    return { result: null, note: 'skipped: python/reference_step.py not found beside the package', steps: [] };
  const pythons = [env.python, 'python3', '/usr/bin/python3'].filter((p): p is string => !!p);
  const tried: string[] = [];
  for (const python of pythons) {
    try {
      execFileSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    } catch {
      tried.push(python);
      continue;
    }
    const steps: PytorchStep[] = [];
    const list = [...new Set(['cnn-small', ...models])] as Architecture[];
    for (const threads of [...new Set([1, availableParallelism()])]) {
      steps.push(...pytorchSteps(python, batch, list, threads, script));
    }
    const r = steps.filter((p) => p.model === 'cnn-small' && p.step === 'train').pop() as PytorchStep;
    const samplesPerSec = (batch * 1000) / r.ms_per_step;
    return {
      result: { samplesPerSec, msPerStep: r.ms_per_step, torch: r.torch, threads: r.threads, python },
      note: `torch ${r.torch} (${python}, ${r.threads} threads): ${samplesPerSec.toFixed(0)} samples/s`,
      steps: steps.filter((p) => models.includes(p.model)),
    };
  }
  return {
    result: null,
    note: `skipped: no Python with torch (tried ${tried.join(', ')}); on Debian: apt-get install python3-torch libopenblas0-pthread`,
    steps: [],
  };
}

/** The package's PyTorch script (python/reference_step.py beside the package). */
function pytorchScript(): string | undefined {
  const here = dirname(fileURLToPath(import.meta.url));
  // dist/ once built, src/speed/ from source.
  return [join(here, '../python/reference_step.py'), join(here, '../../python/reference_step.py')].find(existsSync);
}

/** The train and eval steps of `models` timed by the PyTorch script on `threads` threads. */
function pytorchSteps(
  python: string,
  batch: number,
  models: Architecture[],
  threads: number,
  script = pytorchScript(),
): PytorchStep[] {
  if (!script) throw new Error('python/reference_step.py not found beside the package');
  const args = [script, '--batch', String(batch), '--models', models.join(','), '--steps', 'train,eval'];
  const out = execFileSync(python, [...args, '--threads', String(threads)], { encoding: 'utf8' });
  return out
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as PytorchStep);
}

/** The suite as a plain-text table. */
export function speedTable(result: SpeedResult): string {
  const header = [
    'backend',
    'task',
    'ms/op (warm median)',
    'cold first call (ms)',
    'samples/s',
    'vs train step',
    'note',
  ];
  const body = result.rows.map((r) => [
    r.backend,
    r.task,
    Number.isNaN(r.msPerOp) ? '' : r.msPerOp.toFixed(2),
    r.coldMs === null || r.coldMs === undefined ? '' : r.coldMs.toFixed(1),
    r.samplesPerSec === null ? '' : r.samplesPerSec.toFixed(0),
    r.vsTrainStep === null ? '' : `${(100 * r.vsTrainStep).toFixed(1)}%`,
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const lines = [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  if (result.wasmKernels) lines.push('', `wasm kernel pack: ${result.wasmKernels}`);
  lines.push('', `PyTorch reference step: ${result.pytorchNote}`);
  if (result.ratio !== null)
    lines.push(`semix (default backend, one thread) / PyTorch on this machine: ${result.ratio.toFixed(3)}`);
  if (result.parallelRatio !== null)
    lines.push(`semix (default backend, data-parallel threads) / PyTorch: ${result.parallelRatio.toFixed(3)}`);
  const il = result.interleaved;
  if (il) {
    const range = (r: RatioSummary) => `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
    lines.push(
      '',
      `Interleaved, ${il.rounds.length} rounds, ${il.model} with ${il.threads} threads each side (semix: data-parallel wasm; ratio = PyTorch ms / semix ms, median (range)):`,
      ...il.rounds.map(
        (r, i) =>
          `  round ${i + 1}: train ${r.semixTrainMs.toFixed(1)} ms vs PyTorch ${r.pytorchTrainMs.toFixed(1)} ms, eval ${r.semixEvalMs.toFixed(1)} ms vs ${r.pytorchEvalMs.toFixed(1)} ms`,
      ),
      `  train step ${range(il.train)} PyTorch; eval step ${range(il.eval)} PyTorch`,
    );
  }
  for (const p of result.kernelProfiles ?? []) lines.push('', ...kernelTable(p));
  return lines.join('\n');
}

/** A profile's kernels as table lines: those above 0.5% of the time, then the rest summed. */
export function kernelTable(p: KernelProfile, minShare = 0.005): string[] {
  const shown = p.kernels.filter((k) => k.share >= minShare);
  const rest = p.kernels.filter((k) => k.share < minShare);
  const body = shown.map((k) => [k.name, k.ms.toFixed(1), String(k.calls), `${(100 * k.share).toFixed(1)}%`]);
  if (rest.length) {
    const ms = rest.reduce((a, k) => a + k.ms, 0);
    const calls = rest.reduce((a, k) => a + k.calls, 0);
    const share = rest.reduce((a, k) => a + k.share, 0);
    body.push([`(${rest.length} others)`, ms.toFixed(1), String(calls), `${(100 * share).toFixed(1)}%`]);
  }
  const header = ['kernel', 'ms', 'calls', 'share'];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const scopes = (p.scopes ?? []).map((sc) => `${sc.name} ${sc.ms.toFixed(1)} ms × ${sc.calls}`);
  return [
    `Kernels of ${p.task} on ${p.backend}, one thread (tf.profile of one warm call: wall ${p.wallMs.toFixed(0)} ms, kernels ${p.kernelMs.toFixed(0)} ms):`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    ...(scopes.length ? [`(scopes around the kernels above, not added: ${scopes.join(', ')})`] : []),
  ];
}
