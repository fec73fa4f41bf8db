import type { MethodContext, MethodSpec, TrainMethod } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_MANIFOLD_LAYERS, DEFAULT_SEM_OPTIONS } from './constants';
import { cutmix } from './cutmix';
import { fmix } from './fmix';
import { manifoldMixup } from './manifold';
import { mixup } from './mixup';
import { resizemix } from './resizemix';
import { saliencymix } from './saliencymix';
import { semLoss } from './sem';
import { smoothOneHot, softCrossEntropy } from './targets';
import type { MixOptions, MixResult, RandomSource, SemOptions } from './types';

export const BASE_METHODS = ['erm', 'mixup', 'cutmix', 'manifold', 'fmix', 'resizemix', 'saliencymix'] as const;
export const METHOD_NAMES = [
  'erm',
  'mixup',
  'mixup+sem',
  'cutmix',
  'cutmix+sem',
  'manifold',
  'manifold+sem',
  'fmix',
  'fmix+sem',
  'resizemix',
  'resizemix+sem',
  'saliencymix',
  'saliencymix+sem',
  'regmixup',
] as const;
export type MethodName = (typeof METHOD_NAMES)[number];

export interface MethodOptions {
  /** Mixing options (α, prob, mode, pairing, label smoothing, …), merged over the method's defaults. */
  mix?: Partial<Omit<MixOptions, 'numClasses'>>;
  /** SEM options (distance, weight β, stopGradTarget, normalize, τ) for `X+sem` methods. */
  sem?: Partial<SemOptions>;
  /** Manifold Mixup's mixable layers. */
  layers?: number[];
  /** RegMixup's weight η of the mixup term. */
  eta?: number;
}

/**
 * Each method's defaults, in one table. α: Beta(α, α) for λ. SEM defaults apply to every `+sem` twin.
 *
 * | method    | policy            | α   | notes                                                    |
 * |-----------|-------------------|-----|----------------------------------------------------------|
 * | erm       | none              | –   | cross-entropy on the clean batch                         |
 * | mixup     | input mixup       | 1   | Zhang et al. 2018 (CIFAR value)                          |
 * | cutmix    | box paste         | 1   | Yun et al. 2019; λ corrected to the box area             |
 * | manifold  | hidden-state mix  | 2   | Verma et al. 2019; layers {0, 1, 2}                      |
 * | fmix      | Fourier mask      | 1   | Harris et al. 2020; decay power 3                        |
 * | resizemix | resized paste     | –   | Qin et al. 2020; side ratio τ ~ U[0.1, 0.8]             |
 * | saliencymix | salient box paste | 1 | Uddin et al. 2021; box on the partner's saliency peak   |
 * | regmixup  | clean + mixup CE  | 20  | Pinto et al. 2022; η = 1                                 |
 * | X+sem     | X + L_sem         | X's | β = 1, squared L2 of normalised features, stop-gradient |
 */
export const METHOD_DEFAULTS: Record<MethodName, { alpha?: number; sem: boolean }> = {
  erm: { sem: false },
  mixup: { alpha: 1, sem: false },
  'mixup+sem': { alpha: 1, sem: true },
  cutmix: { alpha: 1, sem: false },
  'cutmix+sem': { alpha: 1, sem: true },
  manifold: { alpha: 2, sem: false },
  'manifold+sem': { alpha: 2, sem: true },
  fmix: { alpha: 1, sem: false },
  'fmix+sem': { alpha: 1, sem: true },
  resizemix: { sem: false },
  'resizemix+sem': { sem: true },
  saliencymix: { alpha: 1, sem: false },
  'saliencymix+sem': { alpha: 1, sem: true },
  regmixup: { alpha: 20, sem: false },
};

/** The fully resolved options of a method, for result records. */
export function describeMethod(name: MethodName, options: MethodOptions = {}): Record<string, unknown> {
  const d = METHOD_DEFAULTS[name];
  return {
    name,
    mix: d.alpha === undefined && name === 'erm' ? null : { alpha: d.alpha, ...options.mix },
    sem: d.sem ? { ...DEFAULT_SEM_OPTIONS, ...options.sem } : null,
    ...(name.startsWith('manifold') ? { layers: options.layers ?? DEFAULT_MANIFOLD_LAYERS } : {}),
    ...(name === 'regmixup' ? { eta: options.eta ?? 1 } : {}),
  };
}

type Policy = (
  ctx: MethodContext,
  mix: Partial<MixOptions> & Pick<MixOptions, 'numClasses'>,
  rng: RandomSource,
) => MixResult;

const POLICIES: Record<Exclude<(typeof BASE_METHODS)[number], 'erm'>, Policy> = {
  mixup: (ctx, mix, rng) => mixup(ctx.x, ctx.labels, mix, rng),
  cutmix: (ctx, mix, rng) => cutmix(ctx.x, ctx.labels, mix, rng),
  fmix: (ctx, mix, rng) => fmix(ctx.x, ctx.labels, mix, rng),
  resizemix: (ctx, mix, rng) => resizemix(ctx.x, ctx.labels, mix, rng),
  saliencymix: (ctx, mix, rng) => saliencymix(ctx.x, ctx.labels, mix, rng),
  manifold: (ctx, mix, rng) => manifoldMixup(ctx.model, ctx.x, ctx.labels, { ...mix, training: true }, rng),
};

/**
 * A named recipe as the function `@semix/core`'s trainer calls: (model, batch, step) → loss parts. `X+sem`
 * adds β·L_sem on the representation: f(x̃) from the mixed input (or, for Manifold Mixup, from the mixed hidden
 * state run through the rest of the encoder), the target from one extra forward pass of the clean batch.
 */
export function createMethod(name: string, options: MethodOptions = {}): TrainMethod {
  if (!(METHOD_NAMES as readonly string[]).includes(name)) {
    throw new Error(`method: '${name}' is not a method; allowed: ${METHOD_NAMES.join(', ')}`);
  }
  const method = name as MethodName;
  const defaults = METHOD_DEFAULTS[method];
  const base = method.replace('+sem', '') as (typeof BASE_METHODS)[number] | 'regmixup';
  if (base === 'erm') {
    return ({ model, x, labels, numClasses }) => {
      const smoothing = options.mix?.labelSmoothing ?? 0;
      return { ce: softCrossEntropy(model.logits(x, true), smoothOneHot(labels, numClasses, smoothing)) };
    };
  }
  if (base === 'regmixup') {
    const eta = options.eta ?? 1;
    return (ctx) => {
      const { model, x, labels, numClasses, rng } = ctx;
      const smoothing = options.mix?.labelSmoothing ?? 0;
      const clean = softCrossEntropy(model.logits(x, true), smoothOneHot(labels, numClasses, smoothing));
      const mix = mixup(x, labels, { alpha: defaults.alpha, ...options.mix, numClasses }, rng);
      const mixed = softCrossEntropy(model.logits(mix.mixed as tf.Tensor4D, true), mix.targets);
      return { ce: clean, mix_ce: tf.mul(mixed, eta) as tf.Scalar };
    };
  }
  const policy = POLICIES[base];
  const mixOptions = { alpha: defaults.alpha ?? 1, ...options.mix };
  const layers = options.layers;
  return (ctx) => {
    const { model, x, numClasses, rng } = ctx;
    const mix = policy(ctx, { ...mixOptions, numClasses, ...(layers ? { layers } : {}) } as never, rng);
    const zMixed = model.featuresFrom(mix.layer, mix.mixed, true);
    const parts: Record<string, tf.Scalar> = { ce: softCrossEntropy(model.head(zMixed), mix.targets) };
    if (defaults.sem) {
      const zClean = model.features(x, true);
      parts.sem = semLoss(zMixed, zClean, mix.lam, mix.index, options.sem);
    }
    return parts;
  };
}

/**
 * The same method as a `MethodSpec` for `@semix/core`'s data-parallel trainer (`train({ workers })`): worker
 * threads import this module and call `createMethod(name, options)` themselves. `options` must be plain data.
 */
export function methodSpec(name: string, options: MethodOptions = {}): MethodSpec {
  createMethod(name, options); // validates here, where the error is easy to read
  return { module: import.meta.url, export: 'createMethod', args: [name, options] };
}
