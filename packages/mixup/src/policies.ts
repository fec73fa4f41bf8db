/**
 * The policies, one entry each: the mixing options it reads, its default α, whether SEM applies to it, and its
 * step. Adding a policy is adding an entry here (its new option keys, if any, go in `MethodMixOptions`, their
 * defaults in `DEFAULT_METHOD_MIX_OPTIONS`, their checks in `MIX_FIELD_CHECKS`, their label in spec.ts).
 */
import type { MethodContext } from '@semix/core';
import * as tf from '@tensorflow/tfjs-core';
import {
  DEFAULT_AUGMIX_OPTIONS,
  DEFAULT_GAUSSIAN_NOISE_OPTIONS,
  DEFAULT_MANIFOLD_LAYERS,
  DEFAULT_MIXUP_CUTMIX_OPTIONS,
  DEFAULT_REGMIXUP_ETA,
} from './constants';
import { augmixStep, noiseStep } from './controls';
import { cutmix } from './cutmix';
import { fmix } from './fmix';
import { manifoldMixup } from './manifold';
import { mixup } from './mixup';
import { mixupCutmix } from './mixup_cutmix';
import { resizemix } from './resizemix';
import { saliencymix } from './saliencymix';
import { smoothOneHot, softCrossEntropy } from './targets';
import type { MethodMixOptions, MixResult, SemOptions } from './types';

/** A mixing option's name (`alpha`, `cutmixMinMax`, …). */
export type MixKey = keyof MethodMixOptions;

/** What a policy's step is given: every mixing option (its own resolved, the rest at their defaults), and more. */
export interface PolicyOptions {
  mix: MethodMixOptions & { numClasses: number };
  /** Manifold Mixup's mixable layers (policies with `layers`). */
  layers?: number[];
  /** RegMixup's η (policies with `eta`). */
  eta?: number;
}

/** One training step of a policy: its loss parts, and the mixed batch where it has one (SEM needs it). */
export interface PolicyStep {
  parts: Record<string, tf.Scalar>;
  /** f(x̃), the representation of the mixed batch, and the λ and pairing that mixed it. */
  mixed?: { features: tf.Tensor2D; lam: Float32Array; index: Int32Array };
  /**
   * SEM's term, for a policy whose input is a convex combination other than λ·xᵢ + (1 − λ)·xⱼ (AugMix's of an
   * image and its augmentation chains): given SEM's options, β·L_sem against that combination's target.
   */
  semTerm?: (sem: SemOptions) => tf.Scalar;
}

export interface Policy {
  /** The mixing options it reads; any other is refused rather than silently ignored. */
  mixKeys: readonly MixKey[];
  /** Its default α (λ ~ Beta(α, α)); absent where it draws no λ from α. */
  alpha?: number;
  /** Its defaults of other mixing options, where they differ from `DEFAULT_METHOD_MIX_OPTIONS` (noise's `prob`). */
  mixDefaults?: Partial<MethodMixOptions>;
  /**
   * Why SEM does not apply to it (ends "sem does not apply to <policy>: …"); absent where its step has a mixed
   * batch or a SEM term.
   */
  noSem?: string;
  /** Default of the `layers` option, for a policy that takes one. */
  layers?: readonly number[];
  /** Default of the `eta` option, for a policy that takes one. */
  eta?: number;
  /** One step: (batch, options) → loss parts (and the mixed batch). */
  step(ctx: MethodContext, o: PolicyOptions): PolicyStep;
}

/** A mixing function's step: cross-entropy on the mixed batch against the mixed targets. */
const mixing =
  (mix: (ctx: MethodContext, o: PolicyOptions) => MixResult): Policy['step'] =>
  (ctx, o) => {
    const m = mix(ctx, o);
    const features = ctx.model.featuresFrom(m.layer, m.mixed, true);
    return {
      parts: { ce: softCrossEntropy(ctx.model.head(features), m.targets) },
      mixed: { features, lam: m.lam, index: m.index },
    };
  };

const COMMON_MIX = ['alpha', 'prob', 'mode', 'pairing', 'labelSmoothing'] as const;

/**
 * | policy       | mixes                       | α   | notes                                                   |
 * |--------------|-----------------------------|-----|---------------------------------------------------------|
 * | erm          | nothing                     | –   | cross-entropy on the clean batch                        |
 * | mixup        | whole images                | 1   | Zhang et al. 2018 (CIFAR value)                         |
 * | cutmix       | a box                       | 1   | Yun et al. 2019; λ corrected to the box area            |
 * | mixup-cutmix | images or a box, per draw   | 0.8 | timm's Mixup; CutMix α 1, switch 0.5 (DeiT's recipe)    |
 * | manifold     | hidden states               | 2   | Verma et al. 2019; layers {0, 1, 2}                     |
 * | fmix         | a Fourier mask              | 1   | Harris et al. 2020; decay power 3                       |
 * | resizemix    | a resized image             | –   | Qin et al. 2020; side ratio τ ~ U[0.1, 0.8]             |
 * | saliencymix  | a box on the saliency peak  | 1   | Uddin et al. 2021                                       |
 * | regmixup     | clean CE + η · mixup CE     | 20  | Pinto et al. 2022; η = 1                                |
 * | augmix       | an image with its chains    | 1   | Hendrycks et al. 2020; clean CE + 12 · JS, 3 views      |
 * | noise        | nothing (adds noise)        | –   | Rusak et al. 2020; σ = 0.5 on half of each batch        |
 *
 * SEM (β · L_sem on the mixed batch's representation) applies to every policy but erm and noise; AugMix's target
 * is the mix of the representations of the image and its chains (`augmixStep`).
 */
export const POLICIES = {
  erm: {
    mixKeys: ['labelSmoothing'],
    noSem: 'it has no mixed batch',
    step: ({ model, x, labels, numClasses }, { mix }) => ({
      parts: { ce: softCrossEntropy(model.logits(x, true), smoothOneHot(labels, numClasses, mix.labelSmoothing)) },
    }),
  },
  mixup: {
    mixKeys: COMMON_MIX,
    alpha: 1,
    step: mixing((ctx, o) => mixup(ctx.x, ctx.labels, o.mix, ctx.rng)),
  },
  cutmix: {
    mixKeys: [...COMMON_MIX, 'correctLam', 'cutmixMinMax'],
    alpha: 1,
    step: mixing((ctx, o) => cutmix(ctx.x, ctx.labels, o.mix, ctx.rng)),
  },
  'mixup-cutmix': {
    mixKeys: [...COMMON_MIX, 'cutmixAlpha', 'switchProb', 'correctLam', 'cutmixMinMax'],
    alpha: DEFAULT_MIXUP_CUTMIX_OPTIONS.alpha,
    step: mixing((ctx, o) => mixupCutmix(ctx.x, ctx.labels, o.mix, ctx.rng)),
  },
  manifold: {
    mixKeys: COMMON_MIX,
    alpha: 2,
    layers: DEFAULT_MANIFOLD_LAYERS,
    step: mixing((ctx, o) =>
      manifoldMixup(ctx.model, ctx.x, ctx.labels, { ...o.mix, layers: o.layers, training: true }, ctx.rng),
    ),
  },
  fmix: {
    mixKeys: [...COMMON_MIX, 'decayPower'],
    alpha: 1,
    step: mixing((ctx, o) => fmix(ctx.x, ctx.labels, o.mix, ctx.rng)),
  },
  resizemix: {
    mixKeys: ['prob', 'pairing', 'labelSmoothing', 'scale'],
    step: mixing((ctx, o) => resizemix(ctx.x, ctx.labels, o.mix, ctx.rng)),
  },
  saliencymix: {
    mixKeys: [...COMMON_MIX, 'correctLam', 'saliency'],
    alpha: 1,
    step: mixing((ctx, o) => saliencymix(ctx.x, ctx.labels, o.mix, ctx.rng)),
  },
  regmixup: {
    mixKeys: COMMON_MIX,
    alpha: 20,
    eta: DEFAULT_REGMIXUP_ETA,
    // The clean batch's cross-entropy, then η times mixup's on a mixed copy (Pinto et al. 2022, eq. 3).
    step: ({ model, x, labels, numClasses, rng }, { mix, eta }) => {
      const clean = softCrossEntropy(model.logits(x, true), smoothOneHot(labels, numClasses, mix.labelSmoothing));
      const m = mixup(x, labels, mix, rng);
      const features = model.featuresFrom(0, m.mixed, true);
      const mixed = softCrossEntropy(model.head(features), m.targets);
      return {
        parts: { ce: clean, mix_ce: tf.mul(mixed, eta as number) as tf.Scalar },
        mixed: { features, lam: m.lam, index: m.index },
      };
    },
  },
  augmix: {
    mixKeys: ['alpha', 'width', 'depth', 'severity', 'ops', 'jsd', 'jsdWeight', 'labelSmoothing'],
    alpha: DEFAULT_AUGMIX_OPTIONS.alpha,
    step: (ctx, { mix }) =>
      augmixStep(ctx, {
        augmix: { width: mix.width, depth: mix.depth, severity: mix.severity, alpha: mix.alpha, ops: mix.ops },
        loss: { jsd: mix.jsd, jsdWeight: mix.jsdWeight },
        labelSmoothing: mix.labelSmoothing,
        normalization: ctx.normalization ?? null,
      }),
  },
  noise: {
    mixKeys: ['sigma', 'prob', 'labelSmoothing'],
    mixDefaults: { prob: DEFAULT_GAUSSIAN_NOISE_OPTIONS.prob },
    noSem: 'a noisy image is no convex combination of images, so SEM has no target to mix',
    step: (ctx, { mix }) =>
      noiseStep(ctx, {
        noise: { sigma: mix.sigma, prob: mix.prob },
        labelSmoothing: mix.labelSmoothing,
        normalization: ctx.normalization ?? null,
      }),
  },
} satisfies Record<string, Policy>;

/** A policy's name: a key of `POLICIES`. */
export type PolicyName = keyof typeof POLICIES;

/** Every policy, in the table's order. */
export const POLICY_NAMES = Object.keys(POLICIES) as readonly PolicyName[];

/** The table entry of a policy, typed as the `Policy` interface (optional fields present or not). */
export const policyOf = (name: PolicyName): Policy => POLICIES[name];
