/** The leaderboard's reading: what the numbers say, in sentences computed from them. */
import { type PairedDifference, pearson } from './stats';
import type { Comparison, Leaderboard } from './types';
import { differenceInterval, verdictWord } from './verdict';

/**
 * What the numbers say, in sentences computed from them: for each suite (and clean accuracy), every comparison
 * whose interval excludes 0 is named with its direction; when none does, that is said plainly.
 */
export function readLeaderboard(board: Leaderboard): string[] {
  const out: string[] = [];
  const metrics: Array<[string, (c: Comparison) => PairedDifference]> = [
    ...board.suites.map((s): [string, (c: Comparison) => PairedDifference] => [
      `${s} corruption accuracy`,
      (c) => c.corruption_acc[s],
    ]),
    ['clean accuracy', (c) => c.clean_acc],
  ];
  const summarise = (comparisons: Array<{ label: string; vs: Comparison }>, against: (c: Comparison) => string) =>
    metrics.map(([name, pick]) => {
      const outside = comparisons.filter((c) => !pick(c.vs).withinNoise);
      const named = outside.map(
        (c) => `${c.label}${against(c.vs)} ${differenceInterval(pick(c.vs))} (${verdictWord(pick(c.vs), 'accuracy')})`,
      );
      return outside.length
        ? `on ${name}: ${named.join('; ')}${outside.length < comparisons.length ? `; the other ${comparisons.length - outside.length} within noise` : ''}`
        : `on ${name}: all within noise`;
    });
  if (board.sem.length) {
    out.push(
      `SEM against its base variant (${board.sem.map((c) => `${c.label} vs ${c.baseline}`).join(', ')}): ${summarise(
        board.sem.map((c) => ({ label: c.label, vs: c })),
        (c) => ` vs ${c.baseline}`,
      ).join('; ')}.`,
    );
  }
  for (const t of board.ablation) {
    const varied = t.entries.filter((e) => e.vs_base).map((e) => ({ label: e.label, vs: e.vs_base as Comparison }));
    const failedOnes = t.entries.filter((e) => !e.row);
    const parts = varied.length ? summarise(varied, () => '') : ['no configuration with results besides the base'];
    if (failedOnes.length) parts.push(`failed: ${failedOnes.map((e) => e.label).join(', ')}`);
    out.push(`${t.option} against ${t.base}: ${parts.join('; ')}.`);
  }
  if (board.headline && board.ablation.length) {
    const points = board.rows.filter((r) => Number.isFinite(r.equivariance_gap.mean));
    for (const s of board.suites) {
      const r = pearson(
        points.map((p) => p.equivariance_gap.mean),
        points.map((p) => p.suites[s].corruption_acc.mean),
      );
      if (Number.isFinite(r))
        out.push(
          `Across the ${points.length} configurations, Pearson's r between equivariance gap and ${s} corruption accuracy is ${r.toFixed(2)} (${Math.abs(r) < 0.3 ? 'no clear linear relation' : r < 0 ? 'a lower gap goes with higher accuracy' : 'a lower gap goes with lower accuracy'}; a correlation of means over configurations, not a causal effect).`,
        );
    }
  }
  return out;
}
