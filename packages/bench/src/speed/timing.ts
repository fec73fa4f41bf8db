/** Timing: the cold first call apart, warm-up, the median of the warm calls; ratios over rounds as median and range. */
import type { InterleavedRound, RatioSummary, StepTiming } from './types';

/** The note of a step timed on one warm call. */
export const ONE_WARM_CALL = 'one warm call timed, after the cold first (too slow to repeat)';

/** The median of `values` (of an even count: the mean of the middle two). */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median: no values');
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

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
  return { ms: median(samples), coldMs, calls: samples.length };
}

/** Ratios over rounds: their median and range. */
export function summariseRatios(ratios: readonly number[]): RatioSummary {
  return { median: median(ratios), min: Math.min(...ratios), max: Math.max(...ratios) };
}

/**
 * The per-round ratios PyTorch ms ÷ semix ms of the train and the eval step, summarised as median and range. Each
 * round's ratio compares two timings made minutes apart at most, so a change of the machine's speed between rounds
 * moves both sides of it.
 */
export function summariseRounds(rounds: readonly InterleavedRound[]): { train: RatioSummary; eval: RatioSummary } {
  if (rounds.length === 0) throw new Error('rounds: none to summarise; the interleaved comparison needs at least one');
  return {
    train: summariseRatios(rounds.map((r) => r.pytorchTrainMs / r.semixTrainMs)),
    eval: summariseRatios(rounds.map((r) => r.pytorchEvalMs / r.semixEvalMs)),
  };
}
