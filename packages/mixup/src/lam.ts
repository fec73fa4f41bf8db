import type { MixOptions, RandomSource } from './types';

/**
 * Pairing indices: sample i is mixed with index[i]. `reverse` is timm's flip; `permutation` a seeded
 * permutation, or in `pair` mode a seeded perfect matching, so that pairs are mutual (index[index[i]] = i).
 */
export function pairIndices(n: number, options: Pick<MixOptions, 'pairing' | 'mode'>, rng: RandomSource): Int32Array {
  if (options.mode === 'pair' && n % 2 !== 0) {
    throw new Error(`mode: 'pair' needs an even batch size, got ${n}`);
  }
  const index = new Int32Array(n);
  if (options.pairing === 'reverse') {
    for (let i = 0; i < n; i++) index[i] = n - 1 - i;
    return index;
  }
  const perm = rng.permutation(n);
  if (options.mode !== 'pair') return perm;
  for (let k = 0; k < n; k += 2) {
    index[perm[k]] = perm[k + 1];
    index[perm[k + 1]] = perm[k];
  }
  return index;
}

/**
 * Per-sample λ ~ Beta(α, α), one per batch, per pair or per sample; each draw is replaced by 1 (no mixing)
 * with probability 1 − prob. In `pair` mode both members of a pair get the same λ (timm's convention: the pair
 * yields the two complementary mixes λxᵢ + (1 − λ)xⱼ and λxⱼ + (1 − λ)xᵢ). `draw(key)` makes one draw; `key` is
 * the first sample that shares it (0 per batch, the lower index of a pair, i per sample: `drawKey` in common.ts), so
 * a policy that chooses per draw (the combined mixup–CutMix) can record its choice under the same key.
 */
export function sampleLam(
  n: number,
  index: Int32Array,
  options: Pick<MixOptions, 'alpha' | 'prob' | 'mode'>,
  rng: RandomSource,
  draw: (key: number) => number = () => rng.beta(options.alpha, options.alpha),
): Float32Array {
  const lam = new Float32Array(n);
  const one = (key: number) => (rng.uniform() < options.prob ? draw(key) : 1);
  if (options.mode === 'batch') {
    lam.fill(one(0));
  } else if (options.mode === 'elem') {
    for (let i = 0; i < n; i++) lam[i] = one(i);
  } else {
    const done = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (done[i]) continue;
      const j = index[i];
      const l = one(i);
      lam[i] = l;
      done[i] = 1;
      if (j !== i) {
        lam[j] = l;
        done[j] = 1;
      }
    }
  }
  return lam;
}
