/**
 * The pairs the bench measures the equivariance gap on (the gap itself is @semix/mixup's equivarianceGaps): drawn
 * at random, but fixed by the evaluation images, so that every method and seed is measured on the same pairs.
 */
import { createHash } from 'node:crypto';
import { Rng } from '@semix/core';
import { GAP_LAMS, type GapPairing, gapPairings } from '@semix/mixup';

/**
 * With the evaluation images' checksum, the seed of the gap's pairs: every method and seed evaluated on the same
 * images is measured on the same pairs. Another constant is another gap (and needs a new job identity version).
 */
const GAP_PAIRS_SEED = 'semix-gap-pairs-v1';

/**
 * The gap's pairings for n evaluation images with checksum `checksum`: @semix/mixup's {@link gapPairings} drawn from
 * a generator seeded by a fixed constant and the checksum, not by a job's seed.
 */
export function evaluationGapPairings(checksum: string, n: number, lams: readonly number[] = GAP_LAMS): GapPairing[] {
  const digest = createHash('sha256').update(`${GAP_PAIRS_SEED}:${checksum}`).digest();
  return gapPairings(new Rng([0, 1, 2, 3].map((k) => digest.readUInt32LE(4 * k))), n, lams);
}
