import type { MethodSpec, TrainMethod } from '@semix/core';
import type * as tf from '@tensorflow/tfjs-core';
import { DEFAULT_METHOD_MIX_OPTIONS } from './constants';
import { policyOf } from './policies';
import { semLoss, untaped } from './sem';
import { type MethodConfig, type ResolvedMethod, resolveMethod } from './spec';

/**
 * The fully resolved method (every option it takes, defaults filled in), for result records and job ids:
 * `resolveMethod(config)`. Unknown or inapplicable options are errors.
 */
export function describeMethod(config: string | MethodConfig): ResolvedMethod {
  return resolveMethod(config);
}

/**
 * A method as the function `@semix/core`'s trainer calls: (model, batch, step) → loss parts. `config` is a
 * `MethodConfig`, a resolved method, or a name (`mixup`, `mixup+sem`). The policy's step gives its loss parts; where
 * `sem` is set, β·L_sem on the representation is added: f(x̃) of the policy's mixed batch (for Manifold Mixup, the
 * mixed hidden state run through the rest of the encoder), the target from one extra forward pass of the clean batch.
 */
export function createMethod(config: string | MethodConfig): TrainMethod {
  const m = resolveMethod(config);
  const policy = policyOf(m.policy);
  const { sem, layers, eta } = m;
  return (ctx) => {
    const mix = { ...DEFAULT_METHOD_MIX_OPTIONS, ...m.mix, numClasses: ctx.numClasses };
    const { parts, mixed, semTerm } = policy.step(ctx, { mix, layers, eta });
    if (sem && semTerm) {
      parts.sem = semTerm(sem);
    } else if (sem) {
      // resolveMethod refuses SEM for a policy whose step has no mixed batch (its entry's `noSem`).
      if (!mixed) throw new Error(`sem: ${m.policy}'s step returned no mixed batch; its policy entry needs noSem`);
      // A stop-gradient target needs no backward pass through the clean batch: its features are computed untaped.
      const clean = (input: tf.Tensor) => ctx.model.features(input, true);
      const zClean = sem.stopGradTarget ? untaped(ctx.x, clean) : clean(ctx.x);
      parts.sem = semLoss(mixed.features, zClean, mixed.lam, mixed.index, sem);
    }
    return parts;
  };
}

/**
 * The same method as a `MethodSpec` for `@semix/core`'s data-parallel trainer (`train({ threads })`): its
 * replicas import this module and call `createMethod(resolved)` themselves (a resolved method is plain data).
 */
export function methodSpec(config: string | MethodConfig): MethodSpec {
  return { module: import.meta.url, export: 'createMethod', args: [resolveMethod(config)] };
}
