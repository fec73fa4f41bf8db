import * as tf from '@tensorflow/tfjs-core';
import {
  autocontrast,
  brightness,
  color,
  contrast,
  equalize,
  type Image8,
  posterize,
  rotate,
  sharpness,
  shearX,
  shearY,
  solarize,
  translateX,
  translateY,
} from './augmix_ops';
import { DEFAULT_AUGMIX_OPTIONS } from './constants';
import { byteInputTable, bytesToInput, type Normalization, type PixelBatch, readPixels, toBytes } from './pixels';
import type { AugMixOp, AugMixOptions, RandomSource } from './types';
import { validateFields } from './validate';

/**
 * AugMix (Hendrycks et al., ICLR 2020), as google-research/augmix's `augment_and_mix` (cifar.py `aug`) does it:
 * for each image, `width` chains of `depth` operations drawn uniformly from `ops`, each at a level drawn from
 * U(0.1, severity); chain weights w ~ Dirichlet(α·1), skip weight m ~ Beta(α, α), and
 *
 *   x_augmix = (1 − m)·x + m·Σₖ wₖ·chainₖ(x)
 *
 * (m weighs the augmented mix, as in the reference and timm's `Image.blend(img, mixed, m)`). The operations run on
 * the 8-bit image as Pillow runs them (augmix_ops.ts); the mix is computed in float, on the model's input scale,
 * which a convex combination commutes with.
 */

/** Merges options over `DEFAULT_AUGMIX_OPTIONS` and validates them (errors name the field). */
export function resolveAugMixOptions(options: Partial<AugMixOptions> = {}): AugMixOptions {
  const o = { ...DEFAULT_AUGMIX_OPTIONS, ...options };
  validateFields(o, ['width', 'depth', 'severity', 'alpha', 'ops']);
  return o;
}

/** One operation of a chain with its drawn argument (null for autocontrast and equalize, which take none). */
export interface AugMixStep {
  op: AugMixOp;
  arg: number | null;
}

/** One image's draws: its chain weights, its skip weight m and its chains. */
export interface AugMixRecipe {
  /** wₖ, k = 1…width, summing to 1 (rounded to float32, as the reference's np.float32). */
  weights: Float32Array;
  /** m: the weight of the augmented mix against the clean image. */
  skip: number;
  chains: AugMixStep[][];
}

/**
 * Dirichlet(α·1ₖ) by stick-breaking on Beta draws: w₁ ~ Beta(α, (k − 1)α), then each next share of what is left
 * ~ Beta(α, (k − j)α), the last takes the rest. Exactly Dirichlet-distributed (Connor & Mosimann 1969), and needs
 * only a RandomSource's `beta`.
 */
export function sampleDirichlet(rng: RandomSource, alpha: number, k: number): Float64Array {
  if (!(Number.isInteger(k) && k >= 1)) throw new Error(`dirichlet: k = ${k} is not an integer >= 1`);
  if (!(alpha > 0 && Number.isFinite(alpha))) throw new Error(`dirichlet: alpha = ${alpha} is not a number > 0`);
  const w = new Float64Array(k);
  let rest = 1;
  for (let j = 0; j < k - 1; j++) {
    w[j] = rest * rng.beta(alpha, (k - 1 - j) * alpha);
    rest -= w[j];
  }
  w[k - 1] = rest;
  return w;
}

/** augmentations.py's sample_level: U(0.1, severity). */
const sampleLevel = (rng: RandomSource, severity: number) => 0.1 + (severity - 0.1) * rng.uniform();
/** augmentations.py's int_parameter: ⌊level·max/10⌋. */
const intParameter = (level: number, max: number) => Math.trunc((level * max) / 10);
/** augmentations.py's float_parameter: level·max/10. */
const floatParameter = (level: number, max: number) => (level * max) / 10;
/** The sign draw of rotate, shear and translate: negative when a uniform draw exceeds 0.5. */
const randomSign = (rng: RandomSource, v: number) => (rng.uniform() > 0.5 ? -v : v);

/**
 * Each operation's argument drawn from a severity as augmentations.py draws it (at its image size: translations
 * go up to a third of the image's width or height, where the reference fixes IMAGE_SIZE = 32).
 */
const ARGUMENT: Record<
  AugMixOp,
  (rng: RandomSource, severity: number, height: number, width: number) => number | null
> = {
  autocontrast: () => null,
  equalize: () => null,
  // Bits kept: 4 − ⌊level·4/10⌋.
  posterize: (rng, s) => 4 - intParameter(sampleLevel(rng, s), 4),
  rotate: (rng, s) => randomSign(rng, intParameter(sampleLevel(rng, s), 30)),
  // Threshold: 256 − ⌊level·256/10⌋.
  solarize: (rng, s) => 256 - intParameter(sampleLevel(rng, s), 256),
  shear_x: (rng, s) => randomSign(rng, floatParameter(sampleLevel(rng, s), 0.3)),
  shear_y: (rng, s) => randomSign(rng, floatParameter(sampleLevel(rng, s), 0.3)),
  translate_x: (rng, s, _h, w) => randomSign(rng, intParameter(sampleLevel(rng, s), w / 3)),
  translate_y: (rng, s, h) => randomSign(rng, intParameter(sampleLevel(rng, s), h / 3)),
  // ImageEnhance factors in [0.1, 1.9]: level·1.8/10 + 0.1.
  color: (rng, s) => floatParameter(sampleLevel(rng, s), 1.8) + 0.1,
  contrast: (rng, s) => floatParameter(sampleLevel(rng, s), 1.8) + 0.1,
  brightness: (rng, s) => floatParameter(sampleLevel(rng, s), 1.8) + 0.1,
  sharpness: (rng, s) => floatParameter(sampleLevel(rng, s), 1.8) + 0.1,
};

const APPLY: Record<AugMixOp, (img: Image8, arg: number) => Image8> = {
  autocontrast: (img) => autocontrast(img),
  equalize: (img) => equalize(img),
  posterize,
  rotate,
  solarize,
  shear_x: shearX,
  shear_y: shearY,
  translate_x: translateX,
  translate_y: translateY,
  color,
  contrast,
  brightness,
  sharpness,
};

/**
 * One image's draws, in the reference's order: the Dirichlet weights, m, then chain by chain its depth (when
 * random) and, operation by operation, the operation and its argument's draws.
 */
export function sampleAugMixRecipe(
  rng: RandomSource,
  height: number,
  width: number,
  options: AugMixOptions,
): AugMixRecipe {
  const o = options;
  const weights = Float32Array.from(sampleDirichlet(rng, o.alpha, o.width));
  const skip = Math.fround(rng.beta(o.alpha, o.alpha));
  const chains: AugMixStep[][] = [];
  for (let k = 0; k < o.width; k++) {
    const depth = o.depth > 0 ? o.depth : 1 + rng.int(3);
    const chain: AugMixStep[] = [];
    for (let d = 0; d < depth; d++) {
      const op = o.ops[rng.int(o.ops.length)];
      chain.push({ op, arg: ARGUMENT[op](rng, o.severity, height, width) });
    }
    chains.push(chain);
  }
  return { weights, skip, chains };
}

/** Runs one chain's operations on an 8-bit image, in order. */
export function applyChain(img: Image8, chain: readonly AugMixStep[]): Image8 {
  return chain.reduce((out, step) => APPLY[step.op](out, step.arg as number), img);
}

/** What `augmix` returns. The caller disposes `mixed`. */
export interface AugMixResult {
  /** x_augmix, [batch, H, W, C], on the input's scale. */
  mixed: tf.Tensor4D;
  /** chainₖ(x) for each k, each [batch·H·W·C] on the input's scale (for the SEM target). */
  chains: Float32Array[];
  /** Each image's draws. */
  recipes: AugMixRecipe[];
}

/**
 * AugMix of a batch `x` ([batch, H, W, C], C = 1 or 3): pixels x·std + mean in [0, 1] when `normalization` is
 * given (the trainer's normalised batch), x itself otherwise. Every draw comes from `rng`, image by image.
 */
export function augmix(
  x: tf.Tensor4D,
  rng: RandomSource,
  options: Partial<AugMixOptions> = {},
  normalization: Normalization | null = null,
): AugMixResult {
  return augmixViews(x, rng, 1, options, normalization)[0];
}

/**
 * `views` AugMix views of one batch, the same as `views` calls of `augmix` one after another (the same draws in the
 * same order), reading the batch back and converting it to bytes once for all of them.
 */
export function augmixViews(
  x: tf.Tensor4D,
  rng: RandomSource,
  views: number,
  options: Partial<AugMixOptions> = {},
  normalization: Normalization | null = null,
): AugMixResult[] {
  const o = resolveAugMixOptions(options);
  const pixels = readPixels(x, normalization, (c) => {
    if (c !== 1 && c !== 3) throw new Error(`x: ${c} channels; AugMix's Pillow operations take 1 (gray) or 3 (RGB)`);
  });
  // The whole batch's bytes and one byte → input table, made once (the operations never write to their input).
  const bytes = toBytes(pixels.unit);
  const table = byteInputTable(pixels.shape[3], normalization);
  return Array.from({ length: views }, () => augmixView(pixels, bytes, table, rng, o, normalization));
}

/** One AugMix view of a batch read back (`pixels`, its `bytes`, `byteInputTable` of its channels). */
function augmixView(
  { shape, per, input }: PixelBatch,
  bytes: Uint8Array,
  table: Float32Array,
  rng: RandomSource,
  o: AugMixOptions,
  normalization: Normalization | null,
): AugMixResult {
  const [n, h, w, c] = shape;
  const chains = Array.from({ length: o.width }, () => new Float32Array(n * per));
  const mixed = new Float32Array(n * per);
  const recipes: AugMixRecipe[] = [];
  // Σₖ wₖ·chainₖ(x) of one image, added in k order in doubles as a per-pixel sum would.
  const sum = new Float64Array(per);
  for (let i = 0; i < n; i++) {
    const recipe = sampleAugMixRecipe(rng, h, w, o);
    recipes.push(recipe);
    const from = i * per;
    const image: Image8 = { data: bytes.subarray(from, from + per), height: h, width: w, channels: c };
    sum.fill(0);
    for (let k = 0; k < o.width; k++) {
      const chain = chains[k];
      const wk = recipe.weights[k];
      if (c === 1) {
        // bytesToInput and the sum in one pass: the chain's float32 values are what the sum adds.
        const data = applyChain(image, recipe.chains[k]).data;
        for (let p = 0; p < per; p++) {
          const v = table[data[p]];
          chain[from + p] = v;
          sum[p] += wk * v;
        }
      } else {
        bytesToInput(applyChain(image, recipe.chains[k]).data, c, normalization, chain, from, table);
        for (let p = 0; p < per; p++) sum[p] += wk * chain[from + p];
      }
    }
    const m = recipe.skip;
    const keep = 1 - m;
    for (let p = 0; p < per; p++) mixed[from + p] = keep * input[from + p] + m * sum[p];
  }
  return { mixed: tf.tensor4d(mixed, [n, h, w, c]), chains, recipes };
}

/**
 * The weights that make x_augmix from [x, chain₁(x), …, chainₖ(x)], per image: [1 − m, m·w₁, …, m·wₖ], each a
 * [batch] array (what the SEM target mixes f(x) and the f(chainₖ(x)) with).
 */
export function augmixComponentWeights(recipes: readonly AugMixRecipe[]): Float32Array[] {
  const width = recipes[0]?.weights.length ?? 0;
  const out = Array.from({ length: width + 1 }, () => new Float32Array(recipes.length));
  recipes.forEach((r, i) => {
    out[0][i] = 1 - r.skip;
    for (let k = 0; k < width; k++) out[k + 1][i] = r.skip * r.weights[k];
  });
  return out;
}
