import { ADAM_UPDATE } from '@semix/tfjs-wasm-train';
import * as tf from '@tensorflow/tfjs-core';

/** The state tfjs's AdamOptimizer keeps (protected in its typings). */
export interface AdamState {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable }>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable }>;
  incrementIterations(): void;
}

/**
 * tfjs's Adam (same state, weights, checkpoints and numbers), whose update runs as one fused kernel per variable
 * where the backend has one (wasm with semix's kernel pack: SemixAdamUpdate, the same float32 operations in the
 * same order, so results are identical bit for bit) instead of ~12 kernels per variable (`pnpm --filter
 * @semix/core bench` prints the step's per-kernel times). Elsewhere, and for variables that are not float32, tfjs's own update.
 */
export class SemixAdamOptimizer extends tf.AdamOptimizer {
  override applyGradients(variableGradients: Parameters<tf.AdamOptimizer['applyGradients']>[0]): void {
    const names = Array.isArray(variableGradients)
      ? variableGradients.map((v) => v.name)
      : Object.keys(variableGradients);
    const registered = tf.engine().registeredVariables;
    const fused =
      tf.getKernel(ADAM_UPDATE, tf.getBackend()) != null &&
      names.every((name) => registered[name]?.dtype === 'float32');
    if (!fused) {
      super.applyGradients(variableGradients);
      return;
    }
    const state = this as unknown as AdamState;
    const moment = (list: AdamState['accumulatedFirstMoment'], i: number, name: string, suffix: string) => {
      list[i] ??= {
        originalName: `${name}/${suffix}`,
        variable: tf.tidy(() => tf.zerosLike(registered[name]).variable(false)),
      };
      return list[i].variable;
    };
    tf.tidy(() => {
      const c1 = tf.sub(1, state.accBeta1);
      const c2 = tf.sub(1, state.accBeta2);
      const attrs = {
        beta1: this.beta1,
        beta2: this.beta2,
        epsilon: this.epsilon,
        learningRate: this.learningRate,
      };
      names.forEach((name, i) => {
        const x = registered[name];
        const m = moment(state.accumulatedFirstMoment, i, name, 'm');
        const v = moment(state.accumulatedSecondMoment, i, name, 'v');
        const g = Array.isArray(variableGradients) ? variableGradients[i].tensor : variableGradients[name];
        if (g == null) return;
        const [x1, m1, v1] = tf.engine().runKernel(ADAM_UPDATE, { x, m, v, g, c1, c2 }, attrs as never) as tf.Tensor[];
        m.assign(m1);
        v.assign(v1);
        x.assign(x1);
      });
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    state.incrementIterations();
  }
}

/** Adam with tfjs's defaults (β₁ 0.9, β₂ 0.999, the backend's ε), fused on wasm: see SemixAdamOptimizer. */
export function adam(learningRate = 0.001, beta1 = 0.9, beta2 = 0.999, epsilon?: number): SemixAdamOptimizer {
  return new SemixAdamOptimizer(learningRate, beta1, beta2, epsilon);
}

type AdamInternals = Partial<Pick<AdamState, 'accBeta1' | 'accBeta2'>>;

/**
 * Adam keeps β₁ᵗ and β₂ᵗ as running products; tfjs's setWeights recomputes them with pow(), which differs from
 * the product in the last float32 bits. Storing the products makes a resumed run bit-identical to a straight one.
 */
export function adamPowers(optimizer: tf.Optimizer): number[] | null {
  const { accBeta1, accBeta2 } = optimizer as unknown as AdamInternals;
  return accBeta1 && accBeta2 ? [accBeta1.dataSync()[0], accBeta2.dataSync()[0]] : null;
}

export function restoreAdamPowers(optimizer: tf.Optimizer, powers: unknown): void {
  const { accBeta1, accBeta2 } = optimizer as unknown as AdamInternals;
  if (!accBeta1 || !accBeta2 || !Array.isArray(powers) || powers.length !== 2) return;
  tf.tidy(() => {
    accBeta1.assign(tf.scalar(powers[0]));
    accBeta2.assign(tf.scalar(powers[1]));
  });
}
