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
   * Each model asked (that PyTorch's script times) on wasm against PyTorch on as many threads, train and eval steps
   * timed in alternation (round after round, in the same minutes): the ratios the targets are read from. One entry
   * per model × threads: one thread (semix's one-thread step) and, where the machine has a second core, the
   * data-parallel threads; models first, in the order asked, then threads, fewest first. Empty where wasm or
   * PyTorch was not timed or `rounds` is 0. In speed.json, e.g.
   * `[{ "arch": "cnn-small", "model": "cnn-small", "threads": 2, "rounds": [{ "semixTrainMs": 40, "semixEvalMs": 5,
   * "pytorchTrainMs": 48, "pytorchEvalMs": 6 }, …], "train": { "median": 1.2, "min": 1.1, "max": 1.3 },
   * "eval": { … } }, { "arch": "mlp", "model": "mlp", "threads": 1, "skipped": "PyTorch's script does not time mlp" }]`.
   */
  interleaved?: InterleavedEntry[];
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

/** One model on one thread count, timed in interleaved rounds. */
export interface InterleavedComparison {
  /** The model timed (its key's model). */
  arch: Architecture;
  /** The model as rows name it: with its width where not 1 (`preact-resnet18 ×0.25`). */
  model: string;
  /**
   * Threads each side: 1 is wasm's one-thread step against PyTorch's `torch.set_num_threads(1)`; more is semix's
   * data-parallel step (the batch split over that many threads) against PyTorch on as many.
   */
  threads: number;
  /** In the order timed. */
  rounds: InterleavedRound[];
  /** PyTorch ms ÷ semix ms of the train step over the rounds. */
  train: RatioSummary;
  /** The same of the eval step. */
  eval: RatioSummary;
}

/** A model × threads of the interleaved comparison not timed, and why. */
export interface InterleavedSkip {
  arch: Architecture;
  model: string;
  threads: number;
  /** Why it was not timed (PyTorch's script has no such model). */
  skipped: string;
}

/** One entry of SpeedResult.interleaved: timed, or skipped with its reason. */
export type InterleavedEntry = InterleavedComparison | InterleavedSkip;

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
   * Rounds of the interleaved comparison: each model's train and eval step on wasm against PyTorch's on as many
   * threads, on one thread and on the data-parallel threads (default 3, 0 for none).
   */
  rounds?: number;
  onLog?: (line: string) => void;
}
