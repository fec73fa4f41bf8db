import type { MethodContext, MethodSpec, TrainMethod } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import { type BASE_METHODS, METHOD_DEFAULTS } from './constants';
import { cutmix } from './cutmix';
import { fmix } from './fmix';
import { manifoldMixup } from './manifold';
import { mixup } from './mixup';
import { resizemix } from './resizemix';
import { saliencymix } from './saliencymix';
import { resolveSemOptions, semLoss, untaped } from './sem';
import { baseOf, type MethodConfig, methodOptions, type ResolvedMethod, resolveMethod } from './spec';
import { smoothOneHot, softCrossEntropy } from './targets';
import type { MethodMixOptions, MixOptions, MixResult, RandomSource, SemOptions } from './types';

export interface MethodOptions {
  /** Mixing options (α, prob, mode, pairing, label smoothing, …), merged over the method's defaults. */
  mix?: Partial<MethodMixOptions>;
  /** SEM options (distance, weight β, stopGradTarget, normalize, τ) for `X+sem` methods. */
  sem?: Partial<SemOptions>;
  /** Manifold Mixup's mixable layers. */
  layers?: number[];
  /** RegMixup's weight η of the mixup term. */
  eta?: number;
}

/**
 * The fully resolved options of a method (every option it takes, defaults filled in), for result records and
 * job ids. Unknown or inapplicable options are errors (see `resolveMethod`).
 */
export function describeMethod(name: string, options: MethodOptions = {}): ResolvedMethod {
  return resolveMethod({ name, ...options });
}

/** A bare name stays a name (so errors read `method: …`); options make it an object. */
const asConfig = (name: string | MethodConfig, options: MethodOptions): string | MethodConfig =>
  typeof name === 'string' ? (Object.keys(options).length ? { name, ...options } : name) : { ...name, ...options };

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
export function createMethod(name: string | MethodConfig, options: MethodOptions = {}): TrainMethod {
  const resolved = resolveMethod(asConfig(name, options));
  const method = resolved.name;
  const defaults = METHOD_DEFAULTS[method];
  const base = baseOf(method) as (typeof BASE_METHODS)[number] | 'regmixup';
  const o = methodOptions(resolved);
  if (base === 'erm') {
    return ({ model, x, labels, numClasses }) => {
      const smoothing = o.mix?.labelSmoothing ?? 0;
      return { ce: softCrossEntropy(model.logits(x, true), smoothOneHot(labels, numClasses, smoothing)) };
    };
  }
  if (base === 'regmixup') {
    const eta = o.eta ?? 1;
    return (ctx) => {
      const { model, x, labels, numClasses, rng } = ctx;
      const smoothing = o.mix?.labelSmoothing ?? 0;
      const clean = softCrossEntropy(model.logits(x, true), smoothOneHot(labels, numClasses, smoothing));
      const mix = mixup(x, labels, { alpha: defaults.alpha, ...o.mix, numClasses }, rng);
      const mixed = softCrossEntropy(model.logits(mix.mixed as tf.Tensor4D, true), mix.targets);
      return { ce: clean, mix_ce: tf.mul(mixed, eta) as tf.Scalar };
    };
  }
  const policy = POLICIES[base];
  const mixOptions = { alpha: defaults.alpha ?? 1, ...o.mix };
  const layers = o.layers;
  const stopTarget = defaults.sem && resolveSemOptions(o.sem).stopGradTarget;
  return (ctx) => {
    const { model, x, numClasses, rng } = ctx;
    const mix = policy(ctx, { ...mixOptions, numClasses, ...(layers ? { layers } : {}) } as never, rng);
    const zMixed = model.featuresFrom(mix.layer, mix.mixed, true);
    const parts: Record<string, tf.Scalar> = { ce: softCrossEntropy(model.head(zMixed), mix.targets) };
    if (defaults.sem) {
      // A stop-gradient target needs no backward pass through the clean batch: its features are computed untaped.
      const clean = (input: tf.Tensor) => model.features(input, true);
      const zClean = stopTarget ? untaped(x, clean) : clean(x);
      parts.sem = semLoss(zMixed, zClean, mix.lam, mix.index, o.sem);
    }
    return parts;
  };
}

/**
 * The same method as a `MethodSpec` for `@semix/core`'s data-parallel trainer (`train({ workers })`): worker
 * threads import this module and call `createMethod(name, options)` themselves. `options` must be plain data.
 */
export function methodSpec(name: string | MethodConfig, options: MethodOptions = {}): MethodSpec {
  const resolved = resolveMethod(asConfig(name, options));
  return { module: import.meta.url, export: 'createMethod', args: [resolved.name, methodOptions(resolved)] };
}
