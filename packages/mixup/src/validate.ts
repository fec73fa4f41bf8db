import { AUGMIX_OPS } from './constants';
import type {
  Distance,
  MethodMixOptions,
  MixMode,
  MixOptions,
  MixupCutmixOptions,
  Pairing,
  SaliencyDetector,
  SemOptions,
} from './types';

export const MIX_MODES: readonly MixMode[] = ['batch', 'pair', 'elem'];
export const PAIRINGS: readonly Pairing[] = ['reverse', 'permutation'];
export const DISTANCES: readonly Distance[] = ['mse', 'cosine', 'l1', 'infonce'];
export const SALIENCY_DETECTORS: readonly SaliencyDetector[] = ['fine-grained', 'spectral-residual'];

/** Each check returns null for a valid value, otherwise what is allowed. */
type Check = (v: unknown) => string | null;
const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const range: Check = (v) => {
  if (!Array.isArray(v) || v.length !== 2) return 'no';
  const [lo, hi] = v;
  return finite(lo) && finite(hi) && lo > 0 && hi <= 1 && lo <= hi ? null : 'no';
};
const oneOf =
  (allowed: readonly string[]): Check =>
  (v) =>
    allowed.includes(v as string) ? null : allowed.join(', ');
const bool: Check = (v) => (typeof v === 'boolean' ? null : 'true, false');

/** The value checks of every mixing option, shared by `validateMixOptions` and method configurations. */
export const MIX_FIELD_CHECKS: Record<keyof MethodMixOptions, Check> = {
  alpha: (v) => (finite(v) && v > 0 ? null : 'a number > 0'),
  prob: (v) => (finite(v) && v >= 0 && v <= 1 ? null : 'a probability in [0, 1]'),
  mode: oneOf(MIX_MODES),
  pairing: oneOf(PAIRINGS),
  labelSmoothing: (v) => (finite(v) && v >= 0 && v < 1 ? null : 'a number in [0, 1)'),
  correctLam: bool,
  cutmixMinMax: (v) => (v === null || range(v) === null ? null : '[min, max] with 0 < min <= max <= 1, or null'),
  cutmixAlpha: (v) => (finite(v) && v > 0 ? null : 'a number > 0'),
  switchProb: (v) => (finite(v) && v >= 0 && v <= 1 ? null : 'a probability in [0, 1]'),
  decayPower: (v) => (finite(v) && v > 0 ? null : 'a number > 0'),
  scale: (v) => (range(v) === null ? null : '[min, max] with 0 < min <= max <= 1'),
  saliency: oneOf(SALIENCY_DETECTORS),
  width: (v) => (Number.isInteger(v) && (v as number) >= 1 ? null : 'an integer >= 1'),
  depth: (v) => (v === -1 || (Number.isInteger(v) && (v as number) >= 1) ? null : '-1 (random 1-3) or an integer >= 1'),
  severity: (v) =>
    Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 10 ? null : 'an integer from 1 to 10',
  ops: (v) =>
    Array.isArray(v) && v.length > 0 && v.every((op) => AUGMIX_OPS.includes(op)) && new Set(v).size === v.length
      ? null
      : `a non-empty list of distinct operations from: ${AUGMIX_OPS.join(', ')}`,
  jsd: bool,
  jsdWeight: (v) => (finite(v) && v >= 0 ? null : 'a number >= 0'),
  sigma: (v) => (finite(v) && v >= 0 ? null : 'a number >= 0'),
};

/** The value checks of every SEM option. */
export const SEM_FIELD_CHECKS: Record<keyof SemOptions, Check> = {
  distance: oneOf(DISTANCES),
  weight: (v) => (finite(v) && v >= 0 ? null : 'a number >= 0'),
  stopGradTarget: bool,
  normalize: bool,
  temperature: (v) => (finite(v) && v > 0 ? null : 'a number > 0'),
};

const fail = (field: string, value: unknown, allowed: string): never => {
  throw new Error(`${field}: ${JSON.stringify(value)} is not valid; allowed: ${allowed}`);
};

export function validateMixOptions(o: MixOptions): void {
  for (const key of ['alpha', 'prob', 'mode', 'pairing', 'labelSmoothing', 'correctLam', 'cutmixMinMax'] as const) {
    const problem = MIX_FIELD_CHECKS[key](o[key]);
    if (problem) fail(key, o[key], problem);
  }
  if (!(Number.isInteger(o.numClasses) && o.numClasses >= 2)) fail('numClasses', o.numClasses, 'an integer >= 2');
}

export function validateMixupCutmixOptions(o: MixupCutmixOptions): void {
  validateMixOptions(o);
  for (const key of ['cutmixAlpha', 'switchProb'] as const) {
    const problem = MIX_FIELD_CHECKS[key](o[key]);
    if (problem) fail(key, o[key], problem);
  }
}

/** Throws unless every listed option of `o` passes its check; errors name the field, the value and what is allowed. */
export function validateFields<T extends Partial<MethodMixOptions>>(
  o: T,
  keys: ReadonlyArray<keyof T & keyof MethodMixOptions>,
): void {
  for (const key of keys) {
    const problem = MIX_FIELD_CHECKS[key](o[key]);
    if (problem) fail(key, o[key], problem);
  }
}

export function validateSemOptions(o: SemOptions): void {
  for (const key of Object.keys(SEM_FIELD_CHECKS) as Array<keyof SemOptions>) {
    const problem = SEM_FIELD_CHECKS[key](o[key]);
    if (problem) fail(key, o[key], problem);
  }
}
