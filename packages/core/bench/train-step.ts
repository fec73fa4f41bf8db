/**
 * The reference training step of issue #4 on each available backend (wasm with semix's kernel pack, cpu, and
 * tensorflow when tfjs-node is installed): samples/s over timed steps after warm-up, then the per-kernel time
 * breakdown of one step from tf.profile, so the next bottleneck is visible.
 *
 *   pnpm --filter @semix/core bench            # all available backends (cpu runs only 2 steps: it is slow)
 *   pnpm --filter @semix/core bench -- wasm    # one backend
 *   pnpm --filter @semix/core bench -- wasm --model preact-resnet18   # the same loss on preact-resnet18 ×0.25
 *     (32×32×3), its convolutions broken down by kernel and shape
 *   pnpm --filter @semix/core bench -- wasm --compare [--model …]      # only: the step with the direct kernels,
 *     with Winograd, and with Winograd + relaxed SIMD where the engine has it, one step of each in turn
 *   pnpm --filter @semix/core bench -- --vs-pytorch [--model …]         # only: the train and eval steps on wasm
 *     and PyTorch's (the speed suite's python/reference_step.py), one thread each, in CPU time, round after round
 *
 * On wasm (single-threaded in Node) it then times the reference step split over data-parallel threads (one per
 * core, at most 4), and the same loss through semix's trainer with 1 and with that many `workers`.
 */

import { execFileSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { env } from '@semix/env';
import { relaxedSimdSupported, setRelaxedSimd, setWinograd } from '@semix/tfjs-wasm-train';
import * as tf from '@tensorflow/tfjs-core';
import {
  type Architecture,
  type BackendName,
  createModel,
  type MethodSpec,
  probeBackends,
  Rng,
  selectBackend,
} from '../src/index';
import { createParallelReferenceStep, createReferenceStep } from '../src/internal';
import { train } from '../src/node';

const BATCH = 128;
const args = process.argv.slice(2).filter((a) => a !== '--');
const modelAt = args.indexOf('--model');
const arch = modelAt >= 0 ? args[modelAt + 1] : 'cnn-small';
const MODELS: Record<string, { arch: Architecture; inputShape: [number, number, number]; width: number }> = {
  'cnn-small': { arch: 'cnn-small', inputShape: [28, 28, 1], width: 1 },
  'preact-resnet18': { arch: 'preact-resnet18', inputShape: [32, 32, 3], width: 0.25 },
};
const config = MODELS[arch];
if (!config) throw new Error(`--model: '${arch}' is not one of ${Object.keys(MODELS).join(', ')}`);
const compare = args.includes('--compare');
const vsPytorch = args.includes('--vs-pytorch');
const requested = args.filter(
  (a, i) => a !== '--model' && a !== '--compare' && a !== '--vs-pytorch' && (modelAt < 0 || i !== modelAt + 1),
) as BackendName[];
const available = (await probeBackends()).filter((p) => p.available).map((p) => p.name);
const backends = requested.length > 0 ? requested : available;
const big = arch !== 'cnn-small';

console.log(
  `reference step: ${arch}${big ? ` ×${config.width}` : ''}, batch ${BATCH} of ${config.inputShape.join('×')}, Adam, mixup CE + 0.1·MSE representation loss`,
);
if (compare) {
  await compareKernels();
  process.exit(0);
}
if (vsPytorch) {
  await compareWithPytorch();
  process.exit(0);
}
for (const name of backends) {
  const selection = await selectBackend(name);
  const step = createReferenceStep(BATCH, 0, config);
  const warmup = name === 'cpu' ? 1 : big ? 2 : 5;
  const timed = name === 'cpu' ? 2 : big ? 8 : 30;
  for (let i = 0; i < warmup; i++) step.run();
  const steps: number[] = [];
  for (let i = 0; i < timed; i++) {
    const t0 = performance.now();
    step.run();
    steps.push(performance.now() - t0);
  }
  const profile = await tf.profile(() => {
    step.run();
  });
  step.dispose();
  const perKernel = new Map<string, { ms: number; calls: number }>();
  for (const k of profile.kernels) {
    // `name__op` entries are tf.customGrad wrappers (fused conv and matmul): their kernels are listed themselves.
    if (k.name.endsWith('__op')) continue;
    const entry = perKernel.get(k.name) ?? { ms: 0, calls: 0 };
    entry.ms += Number(k.kernelTimeMs) || 0;
    entry.calls += 1;
    perKernel.set(k.name, entry);
  }
  const kernelMs = [...perKernel.values()].reduce((s, e) => s + e.ms, 0);
  console.log(`\n${selection.name}: ${rate(steps)}`);
  // After selectBackend, which enables relaxed SIMD where the engine can (Node 20: at run time, behind V8's flag).
  if (selection.name === 'wasm') {
    const fma = selection.relaxedSimd
      ? 'used'
      : relaxedSimdSupported()
        ? 'validated, not used (SEMIX_RELAXED_SIMD=0)'
        : 'not validated by this engine';
    console.log(`  relaxed SIMD (f32x4.relaxed_madd): ${fma}`);
  }
  console.log(`  kernel time in one profiled step: ${kernelMs.toFixed(1)} ms (profiling itself slows the step)`);
  for (const [kernel, { ms, calls }] of [...perKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, 12)) {
    console.log(`  ${kernel.padEnd(28)} ${ms.toFixed(1).padStart(7)} ms  ${String(calls).padStart(3)} calls`);
  }
  if (big) {
    // Which convolutions cost most: by kernel and input shapes (x or dy, filter or dy).
    const perShape = new Map<string, { ms: number; calls: number }>();
    for (const k of profile.kernels) {
      if (!k.name.startsWith('Conv2D') && k.name !== 'FusedConv2D') continue;
      const key = `${k.name} ${k.inputShapes.map((shape) => `[${shape?.join(',')}]`).join(' ')}`;
      const entry = perShape.get(key) ?? { ms: 0, calls: 0 };
      entry.ms += Number(k.kernelTimeMs) || 0;
      entry.calls += 1;
      perShape.set(key, entry);
    }
    console.log('  convolutions by shape:');
    for (const [key, { ms, calls }] of [...perShape].sort((a, b) => b[1].ms - a[1].ms).slice(0, 16)) {
      console.log(`    ${ms.toFixed(1).padStart(7)} ms  ${String(calls).padStart(3)} calls  ${key}`);
    }
  }
}

/** Steady-state samples/s of the trainer on the reference loss, over the steps after the first `warmup`. */
async function trainerRate(workers: number, steps: number, warmup: number): Promise<string> {
  const rng = new Rng(0);
  const n = BATCH * steps;
  const data = {
    images: Uint8Array.from({ length: n * 784 }, () => rng.int(256)),
    labels: Uint8Array.from({ length: n }, () => rng.int(10)),
    shape: [28, 28, 1] as const,
    numClasses: 10,
  };
  const method: MethodSpec = {
    module: new URL('../src/reference_method.ts', import.meta.url).href,
    export: 'createReferenceMethod',
    args: [0.1],
  };
  const model = createModel({ arch: 'cnn-small', inputShape: [28, 28, 1], numClasses: 10, seed: 0 });
  const stamps: number[] = [];
  await train({
    model,
    data,
    epochs: 1,
    batchSize: BATCH,
    method,
    workers,
    onProgress: (e) => {
      if (e.type === 'step' && e.step >= warmup - 1) stamps.push(performance.now());
    },
  });
  model.dispose();
  return rate(stamps.slice(1).map((t, i) => t - stamps[i]));
}

/**
 * samples/s from per-step times: the median step (robust to this machine's bursts of noise from other tenants),
 * with the mean beside it.
 */
function rate(stepsMs: number[]): string {
  const sorted = [...stepsMs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  const mean = stepsMs.reduce((a, b) => a + b, 0) / stepsMs.length;
  const perSec = (ms: number) => ((1000 * BATCH) / ms).toFixed(0);
  return `${perSec(median)} samples/s at the median step (${median.toFixed(1)} ms; mean ${mean.toFixed(1)} ms = ${perSec(mean)} samples/s; ${stepsMs.length} steps)`;
}

if (backends.includes('wasm')) {
  await selectBackend('wasm');
  const threads = Math.min(4, availableParallelism());
  if (threads > 1) {
    // wasm computes on one thread in Node; train({ workers }) spreads each batch over threads.
    // Batch-norm statistics are per shard (as PyTorch's DataParallel) where the model has batch norm.
    const step = await createParallelReferenceStep(BATCH, 0, threads, config);
    for (let i = 0; i < (big ? 2 : 5); i++) await step.run();
    const steps: number[] = [];
    for (let i = 0; i < (big ? 8 : 30); i++) {
      const t0 = performance.now();
      await step.run();
      steps.push(performance.now() - t0);
    }
    await step.dispose();
    console.log(
      `\nwasm, ${threads} data-parallel threads (DataParallel, as train({ workers: ${threads} })): ${rate(steps)}`,
    );
  }
  if (!big) {
    console.log(`\nthe same loss through semix's trainer (batch assembly included; 35 steps, the first 5 not timed):`);
    console.log(`  1 thread:                 ${await trainerRate(1, 35, 5)}`);
    if (threads > 1) {
      console.log(`  ${threads} threads (workers: ${threads}): ${await trainerRate(threads, 35, 5)}`);
    }
  }
}

/**
 * The step through the direct kernels, through Winograd, and through Winograd + relaxed SIMD (where the engine has
 * it), one step of each in turn for `rounds` rounds: on a machine whose speed drifts, neighbouring steps see the
 * same load. Prints the median of each and the median of the per-round ratios to the direct kernels.
 */
async function compareKernels(): Promise<void> {
  await selectBackend('wasm');
  const variants: Array<{ name: string; winograd: boolean; relaxed: boolean }> = [
    { name: 'direct kernels, plain SIMD', winograd: false, relaxed: false },
    { name: 'Winograd, plain SIMD', winograd: true, relaxed: false },
  ];
  if (relaxedSimdSupported()) variants.push({ name: 'Winograd + relaxed SIMD', winograd: true, relaxed: true });
  const use = (v: (typeof variants)[number]) => {
    setWinograd(v.winograd);
    setRelaxedSimd(v.relaxed);
  };
  const step = createReferenceStep(BATCH, 0, config);
  const evalModel = createModel({ ...config, numClasses: 10, seed: 0 });
  const x = tf.randomUniform([BATCH, ...config.inputShape]);
  const evalStep = () => tf.tidy(() => evalModel.logits(x).dataSync());
  const rounds = big ? 8 : 30;
  for (const [task, run] of [
    ['train', () => step.run()],
    ['eval', evalStep],
  ] as const) {
    const times = variants.map(() => [] as number[]);
    for (const v of variants) {
      use(v);
      for (let i = 0; i < 2; i++) run();
    }
    for (let r = 0; r < rounds; r++) {
      variants.forEach((v, k) => {
        use(v);
        const t0 = performance.now();
        run();
        times[k].push(performance.now() - t0);
      });
    }
    console.log(`\n${task} step, ${rounds} rounds (one step of each in turn):`);
    variants.forEach((v, k) => {
      const ratios = times[k].map((t, r) => times[0][r] / t);
      const spread = `${Math.min(...times[k]).toFixed(0)}–${Math.max(...times[k]).toFixed(0)} ms`;
      console.log(
        `  ${v.name.padEnd(28)} median ${median(times[k]).toFixed(1)} ms (${spread}); speed-up over direct: median ${median(ratios).toFixed(2)}× (${Math.min(...ratios).toFixed(2)}–${Math.max(...ratios).toFixed(2)})`,
      );
    });
  }
  setWinograd(true);
  setRelaxedSimd(true);
  step.dispose();
  evalModel.dispose();
  x.dispose();
}

/**
 * The train and eval steps on wasm (one thread) and PyTorch's on one thread, in turn for 5 rounds, each side timed
 * in its process's CPU time (semix: process.cpuUsage around each step, the median of several; PyTorch: the speed
 * suite's script, its own median step, with time.process_time as its clock, OMP and OpenBLAS on one thread). On a
 * shared machine the wall clock of both sides moves with the other tenants' load, and PyTorch's two OpenMP threads
 * lose more to it than semix's threads do; the CPU time each spends on one core moves far less. Prints each round
 * and the median and range of the per-round ratios PyTorch ÷ semix (above 1: semix spends less).
 */
async function compareWithPytorch(): Promise<void> {
  const script = fileURLToPath(new URL('../../bench/python/reference_step.py', import.meta.url));
  const python = [env.python, 'python3', '/usr/bin/python3'].find((p): p is string => {
    if (!p) return false;
    try {
      execFileSync(p, ['-c', 'import torch'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  });
  if (!python) throw new Error('--vs-pytorch: no Python that imports torch (SEMIX_PYTHON, python3, /usr/bin/python3)');
  // The script's own steps and median; only its clock is CPU time (it reads time.perf_counter).
  const pytorch = () => {
    const code = [
      'import json, sys, time',
      `sys.path.insert(0, ${JSON.stringify(dirname(script))})`,
      'time.perf_counter = time.process_time',
      'import torch, reference_step as r',
      'torch.set_num_threads(1)',
      `for kind in ('train', 'eval'): print(json.dumps(r.measure(${JSON.stringify(arch)}, kind, ${BATCH}, ${config.width}, 3.0)))`,
    ].join('\n');
    const out = execFileSync(python, ['-c', code], {
      encoding: 'utf8',
      env: { ...process.env, OMP_NUM_THREADS: '1', OPENBLAS_NUM_THREADS: '1' },
    });
    const [train, evaluation] = out
      .trim()
      .split('\n')
      .map((line) => (JSON.parse(line) as { ms_per_step: number }).ms_per_step);
    return { train, eval: evaluation, torch: (JSON.parse(out.split('\n')[0]) as { torch: string }).torch };
  };
  await selectBackend('wasm');
  const step = createReferenceStep(BATCH, 0, config);
  const evalModel = createModel({ ...config, numClasses: 10, seed: 0 });
  const x = tf.randomUniform([BATCH, ...config.inputShape]);
  const evalStep = () => {
    const logits = tf.tidy(() => evalModel.logits(x));
    logits.dataSync();
    logits.dispose();
  };
  const cpuMs = (run: () => unknown, calls: number) => {
    for (let i = 0; i < 2; i++) run();
    const times: number[] = [];
    for (let i = 0; i < calls; i++) {
      const t0 = process.cpuUsage();
      run();
      const t = process.cpuUsage(t0);
      times.push((t.user + t.system) / 1000);
    }
    return median(times);
  };
  const ratios = { train: [] as number[], eval: [] as number[] };
  let torch = '';
  console.log('one thread each, CPU ms a step (semix on wasm vs PyTorch):');
  for (let r = 0; r < 5; r++) {
    const semix = { train: cpuMs(() => step.run(), big ? 5 : 21), eval: cpuMs(evalStep, big ? 9 : 21) };
    const p = pytorch();
    torch = p.torch;
    ratios.train.push(p.train / semix.train);
    ratios.eval.push(p.eval / semix.eval);
    console.log(
      `  round ${r + 1}: train ${semix.train.toFixed(1)} vs ${p.train.toFixed(1)}, eval ${semix.eval.toFixed(1)} vs ${p.eval.toFixed(1)}`,
    );
  }
  const summary = (v: number[]) =>
    `${median(v).toFixed(2)}× (${Math.min(...v).toFixed(2)}–${Math.max(...v).toFixed(2)})`;
  console.log(
    `PyTorch ${torch} CPU time ÷ semix's, median (range) of 5 rounds: train ${summary(ratios.train)}, eval ${summary(ratios.eval)}`,
  );
  step.dispose();
  evalModel.dispose();
  x.dispose();
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}
