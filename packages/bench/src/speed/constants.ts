/** The speed suite's defaults and the shapes it times each model at. */
import { ARCHITECTURES, type Architecture, type BackendName } from '@semix/core';

/** SpeedOptions with every field set; `backends: null` is every backend available on this machine. */
export interface ResolvedSpeedOptions {
  backends: readonly BackendName[] | null;
  models: readonly Architecture[];
  batch: number;
  maxStepSeconds: number;
  noPytorch: boolean;
  rounds: number;
  onLog: (line: string) => void;
}

/** What runSpeedSuite uses for each option left out. */
export const DEFAULT_SPEED_OPTIONS: Readonly<ResolvedSpeedOptions> = Object.freeze({
  backends: null,
  models: ARCHITECTURES,
  batch: 128,
  maxStepSeconds: 5,
  noPytorch: false,
  rounds: 3,
  onLog: () => {},
});

/**
 * The input each model is timed on and its width: preact-resnet18 at a quarter of its channels keeps a train
 * step within seconds on one thread; PyTorch's script is given the same width.
 */
export const MODEL_SHAPES: Readonly<Record<Architecture, { inputShape: [number, number, number]; width: number }>> = {
  mlp: { inputShape: [28, 28, 1], width: 1 },
  'cnn-small': { inputShape: [28, 28, 1], width: 1 },
  'preact-resnet18': { inputShape: [32, 32, 3], width: 0.25 },
};

/** Data-parallel steps are timed with one thread per core, at most this many. */
export const MAX_DATA_PARALLEL_THREADS = 4;
