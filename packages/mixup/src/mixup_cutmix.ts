import type * as tf from '@tensorflow/tfjs-core';
import { checkImages, drawKey, drawPerKey, pair, pasteWithMask, result } from './common';
import { DEFAULT_MIXUP_CUTMIX_OPTIONS } from './constants';
import { type Box, cutmixBox, NO_BOX, paintBox } from './cutmix';
import { sampleLam } from './lam';
import type { MixResult, MixupCutmixOptions, RandomSource } from './types';
import { validateMixupCutmixOptions } from './validate';

/** Merges options over DEFAULT_MIXUP_CUTMIX_OPTIONS and validates them. */
export function resolveMixupCutmixOptions(
  options: Partial<MixupCutmixOptions> & Pick<MixupCutmixOptions, 'numClasses'>,
): MixupCutmixOptions {
  const o = { ...DEFAULT_MIXUP_CUTMIX_OPTIONS, ...options } as MixupCutmixOptions;
  validateMixupCutmixOptions(o);
  return o;
}

/**
 * mixup and CutMix in one policy, as timm's `Mixup(mixup_alpha, cutmix_alpha, switch_prob, mode, …)`: each λ draw
 * (one per batch, per pair or per sample, as `mode` says; replaced by 1, no mixing, with probability 1 − `prob`)
 * is CutMix's with probability `switchProb`, λ ~ Beta(cutmixAlpha, cutmixAlpha), and a box is pasted (one box per
 * draw, so per sample in `elem` mode and shared by a pair in `pair` mode; λ corrected to the box with `correctLam`
 * or `cutmixMinMax`, as `cutmix`); otherwise it is mixup's, λ ~ Beta(alpha, alpha), and the images are
 * interpolated. Returns, beside the mix, each sample's box (empty where it was not pasted) and `useCutmix` (1 where
 * sample i took CutMix's draw, 0 where mixup's or none).
 *
 * Where semix differs from timm: the partner is any pairing (`pairing`; timm reverses the batch), and the draws
 * come in another order (each draw: `prob`, then the switch, then λ; timm draws every switch, then every λ of both
 * kinds), so a seed gives other numbers than timm's, with the same distribution.
 */
export function mixupCutmix(
  x: tf.Tensor4D,
  labels: tf.Tensor1D,
  options: Partial<MixupCutmixOptions> & Pick<MixupCutmixOptions, 'numClasses'>,
  rng: RandomSource,
): MixResult & { boxes: Box[]; useCutmix: Uint8Array } {
  const o = resolveMixupCutmixOptions(options);
  checkImages(x);
  const [n, h, w] = x.shape;
  const index = pair(x, labels, o, rng);
  // Which draws are CutMix's, by the key of the samples that share the draw.
  const cutmixDraw = new Uint8Array(n);
  const lam = sampleLam(n, index, o, rng, (key) => {
    const cut = rng.uniform() < o.switchProb;
    cutmixDraw[key] = cut ? 1 : 0;
    return cut ? rng.beta(o.cutmixAlpha, o.cutmixAlpha) : rng.beta(o.alpha, o.alpha);
  });
  // One paste mask for both kinds: a box of ones for CutMix, the constant 1 − λ for mixup
  // (x·(1 − m) + x_index·m = λx + (1 − λ)x_index), so the batch is mixed in one pass.
  const useCutmix = Uint8Array.from(lam, (l, i) => (l < 1 ? cutmixDraw[drawKey(o.mode, i, index)] : 0));
  const boxes = drawPerKey(o.mode, index, (i) =>
    useCutmix[i] ? cutmixBox(h, w, lam[i], rng, o.cutmixMinMax) : NO_BOX,
  );
  const mask = new Float32Array(n * h * w);
  for (let i = 0; i < n; i++) {
    if (useCutmix[i]) {
      const kept = paintBox(mask, i, h, w, boxes[i]);
      if (o.correctLam || o.cutmixMinMax) lam[i] = kept;
    } else {
      mask.fill(1 - lam[i], i * h * w, (i + 1) * h * w);
    }
  }
  return { ...result(pasteWithMask(x, mask, index), labels, lam, index, o), boxes, useCutmix };
}
