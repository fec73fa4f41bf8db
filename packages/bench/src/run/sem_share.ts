/**
 * SEM's share of the training loss: how much of what the optimiser descends is the SEM term. At a small β with
 * normalised features the term can be a fraction of a percent of the loss, and a method "with SEM" is then close
 * to one without it: the share says so beside its results.
 */

/** Below this share (1 %) the board flags a row: its SEM term is nearly switched off. */
export const SEM_SHARE_FLOOR = 0.01;

/**
 * The last epoch's mean β·L_sem over its mean total loss: a ratio of the history's epoch means (the trainer keeps
 * the mean of each loss part per epoch, `sem` already weighted by β), not a mean of per-step ratios. The total is
 * the epoch's `total` (the sum of the parts, kept where there are several), else the sum of its parts. Null for a
 * method without SEM (`sem` false), and where the last epoch has no `sem` part or no positive total to divide by.
 */
export function semShare(history: ReadonlyArray<Record<string, number>>, sem: boolean): number | null {
  const last = history.at(-1);
  if (!sem || !last || !Number.isFinite(last.sem)) return null;
  const total = last.total ?? Object.values(last).reduce((a, b) => a + b, 0);
  return Number.isFinite(total) && total > 0 ? last.sem / total : null;
}
