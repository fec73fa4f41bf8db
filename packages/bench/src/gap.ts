/**
 * The equivariance gap the bench records: how far an encoder f is from mapping a mixed input to the mixed
 * representation, f(λxᵢ + (1 − λ)xⱼ) against mix(f) = λf(xᵢ) + (1 − λ)f(xⱼ) (the SEM target), on pairs of
 * evaluation images.
 */
import { createHash } from 'node:crypto';
import { Rng } from '@semix/core';
import { mixedRepresentation } from '@semix/mixup';
import * as tf from '@tensorflow/tfjs-core';

/** The mixing weights the gap averages over. */
export const GAP_LAMS: readonly number[] = [0.25, 0.5, 0.75];

/**
 * With the evaluation images' checksum, the seed of the gap's pairs: every method and seed evaluated on the same
 * images is measured on the same pairs. Another constant is another gap (and needs a new job identity version).
 */
const GAP_PAIRS_SEED = 'semix-gap-pairs-v1';

/** One λ and its own pairing: image i is mixed with image `index[i]`. */
export interface GapPairing {
  lam: number;
  index: Int32Array;
}

/**
 * For each λ, its own pairing of n images drawn at random: a random cyclic order of the images, each paired with
 * the next (never with itself; each image is a partner once). Seeded by a fixed constant and `checksum` (the
 * evaluation images'), not by a job's seed. Independent orders per λ: λ and 1 − λ do not mix the same inputs (a
 * pair (i, j) at λ is the pair (j, i) at 1 − λ), as mirror pairs did, and pairs of classes meet at random.
 */
export function gapPairings(checksum: string, n: number, lams: readonly number[] = GAP_LAMS): GapPairing[] {
  if (!Number.isInteger(n) || n < 2) throw new Error(`equivariance gap: needs 2 images or more to pair, got ${n}`);
  const digest = createHash('sha256').update(`${GAP_PAIRS_SEED}:${checksum}`).digest();
  const rng = new Rng([0, 1, 2, 3].map((k) => digest.readUInt32LE(4 * k)));
  return lams.map((lam) => {
    const order = rng.permutation(n);
    const index = new Int32Array(n);
    for (let k = 0; k < n; k++) index[order[k]] = order[(k + 1) % n];
    return { lam, index };
  });
}

export interface EquivarianceGap {
  /**
   * 1 − cos(f(mix), mix(f)), mean over pairs and λ: what the default SEM loss sees (it compares L2-normalised
   * features: ‖u/‖u‖ − v/‖v‖‖² = 2 − 2·cos), blind to the norms. 0 when the directions agree; at most 2.
   */
  angular: number;
  /** ‖f(mix) − mix(f)‖ / ‖mix(f)‖, mean over pairs and λ: also counts a mismatch of norms. */
  relativeL2: number;
}

/**
 * The equivariance gaps of `features` on the images `x` with input mixup, each λ on its own pairing (see
 * {@link gapPairings}). Both are 0 for an exactly equivariant (linear) encoder.
 */
export function equivarianceGaps(
  features: (x: tf.Tensor4D) => tf.Tensor2D,
  x: tf.Tensor4D,
  pairings: readonly GapPairing[],
): EquivarianceGap {
  const n = x.shape[0];
  const clean = tf.tidy(() => features(x));
  let angular = 0;
  let relativeL2 = 0;
  try {
    for (const { lam, index } of pairings) {
      if (index.length !== n) throw new Error(`equivariance gap: a pairing of ${index.length} for ${n} images`);
      const sums = tf.tidy(() => {
        const partner = tf.gather(x, tf.tensor1d(index, 'int32'));
        const mixed = features(tf.add(tf.mul(x, lam), tf.mul(partner, 1 - lam)) as tf.Tensor4D);
        const target = mixedRepresentation(clean, new Float32Array(n).fill(lam), index);
        const targetNorm = tf.norm(target, 2, 1);
        const cos = tf.div(tf.sum(tf.mul(mixed, target), 1), tf.add(tf.mul(tf.norm(mixed, 2, 1), targetNorm), 1e-12));
        const relative = tf.div(tf.norm(tf.sub(mixed, target), 2, 1), tf.add(targetNorm, 1e-12));
        return tf.stack([tf.sum(tf.sub(1, cos)), tf.sum(relative)]);
      });
      const [a, r] = sums.dataSync();
      sums.dispose();
      angular += a;
      relativeL2 += r;
    }
  } finally {
    clean.dispose();
  }
  const pairs = n * pairings.length;
  return { angular: angular / pairs, relativeL2: relativeL2 / pairs };
}
