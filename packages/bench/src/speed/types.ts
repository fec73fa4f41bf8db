/** The speed suite's options and results (what speed.json holds). */
import type { Architecture, BackendName } from '@semix/core';

/** Which timing a row is: the model, its train or eval step, and the threads that computed it. */
export interface StepKey {
  model: Architecture;
  step: 'train' | 'eval';
  /**
   * Threads computing the step: 1 for wasm and cpu in Node, the data-parallel threads of a sharded step,
   * tfjs-node's intra-op threads, PyTorch's `torch.get_num_threads()`.
   */
  threads: number;
}

export interface SpeedRow {
  backend: string;
  task: string;
  /**
   * Set on the rows of a model's train or eval step: semix's rows are compared with PyTorch's of the same key.
   * Absent on the others (the reference step, costs, data, skipped steps).
   */
  key?: StepKey;
  /** The warm median (see timeStep); NaN where the task was skipped. */
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

/** PyTorch's cnn-small train step on every core: the figure `ratio` and `parallelRatio` divide by. */
export interface PytorchHeadline {
  samplesPerSec: number;
  msPerStep: number;
  torch: string;
  threads: number;
  python: string;
}

export interface SpeedResult {
  rows: SpeedRow[];
  pytorch: PytorchHeadline | null;
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

/** runSpeedSuite's options; each one left out takes its value from DEFAULT_SPEED_OPTIONS. */
export interface SpeedOptions {
  /** Backends to time (default: every available one). */
  backends?: BackendName[];
  /** Architectures whose train and eval steps are timed (default all three; preact-resnet18 at width 0.25). */
  models?: Architecture[];
  /** Images per step, in every timed step of semix and of PyTorch (default 128). */
  batch?: number;
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
