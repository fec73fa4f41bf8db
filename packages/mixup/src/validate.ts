import type { Distance, MixMode, MixOptions, Pairing, SemOptions } from './types';

export const MIX_MODES: readonly MixMode[] = ['batch', 'pair', 'elem'];
export const PAIRINGS: readonly Pairing[] = ['reverse', 'permutation'];
export const DISTANCES: readonly Distance[] = ['mse', 'cosine', 'l1', 'infonce'];

const fail = (field: string, value: unknown, allowed: string): never => {
  throw new Error(`${field}: ${JSON.stringify(value)} is not valid; allowed: ${allowed}`);
};

export function validateMixOptions(o: MixOptions): void {
  if (!(typeof o.alpha === 'number' && o.alpha > 0 && Number.isFinite(o.alpha))) fail('alpha', o.alpha, 'a number > 0');
  if (!(o.prob >= 0 && o.prob <= 1)) fail('prob', o.prob, 'a probability in [0, 1]');
  if (!MIX_MODES.includes(o.mode)) fail('mode', o.mode, MIX_MODES.join(', '));
  if (!PAIRINGS.includes(o.pairing)) fail('pairing', o.pairing, PAIRINGS.join(', '));
  if (!(Number.isInteger(o.numClasses) && o.numClasses >= 2)) fail('numClasses', o.numClasses, 'an integer >= 2');
  if (!(o.labelSmoothing >= 0 && o.labelSmoothing < 1)) fail('labelSmoothing', o.labelSmoothing, 'a number in [0, 1)');
  if (o.cutmixMinMax !== null) {
    const [lo, hi] = o.cutmixMinMax ?? [];
    if (!(lo > 0 && hi <= 1 && lo <= hi))
      fail('cutmixMinMax', o.cutmixMinMax, '[min, max] with 0 < min <= max <= 1, or null');
  }
}

export function validateSemOptions(o: SemOptions): void {
  if (!DISTANCES.includes(o.distance)) fail('distance', o.distance, DISTANCES.join(', '));
  if (!(o.weight >= 0 && Number.isFinite(o.weight))) fail('weight', o.weight, 'a number >= 0');
  if (!(o.temperature > 0)) fail('temperature', o.temperature, 'a number > 0');
  if (typeof o.stopGradTarget !== 'boolean') fail('stopGradTarget', o.stopGradTarget, 'true, false');
  if (typeof o.normalize !== 'boolean') fail('normalize', o.normalize, 'true, false');
}
