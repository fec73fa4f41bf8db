/** The leaderboard's reading: what the numbers say, in sentences computed from them. */
import { pearson } from './stats';
import type { Comparison, Leaderboard, PairedTest } from './types';
import { aaText, differenceInterval, marginText } from './verdict';

/**
 * What the numbers say, in sentences computed from them, the controls first (they show whether the benchmark can
 * see an effect at all): for each suite (and clean accuracy), every comparison found better or worse is named with
 * its interval, then those found equivalent within the margin; the rest are inconclusive, and that is said plainly.
 * The verdicts are the tables' (Holm-corrected within each table).
 */
export function readLeaderboard(board: Leaderboard): string[] {
  const out: string[] = [];
  const metrics: Array<[string, (c: Comparison) => PairedTest]> = [
    ...board.suites.map((s): [string, (c: Comparison) => PairedTest] => [
      `${s} corruption accuracy`,
      (c) => c.corruption_acc[s],
    ]),
    ['clean accuracy', (c) => c.clean_acc],
  ];
  const margin = marginText(board.equivalence_margin);
  const summarise = (comparisons: Array<{ label: string; vs: Comparison }>, against: (c: Comparison) => string) =>
    metrics.map(([name, pick]) => {
      const named = (c: { label: string; vs: Comparison }) => `${c.label}${against(c.vs)}`;
      const decided = comparisons.filter((c) => ['better', 'worse'].includes(pick(c.vs).verdict));
      const equivalent = comparisons.filter((c) => pick(c.vs).verdict === 'equivalent');
      const rest = comparisons.length - decided.length - equivalent.length;
      if (equivalent.length === comparisons.length) return `on ${name}: all equivalent within ${margin}`;
      const parts = decided.map((c) => `${named(c)} ${differenceInterval(pick(c.vs))} (${pick(c.vs).verdict})`);
      if (equivalent.length) parts.push(`equivalent within ${margin}: ${equivalent.map(named).join(', ')}`);
      if (rest) parts.push(parts.length ? `the other ${rest} inconclusive` : 'all inconclusive');
      return `on ${name}: ${parts.join('; ')}`;
    });
  /** One sentence for a table whose rows each name their own baseline. */
  const paired = (title: string, list: readonly Comparison[]) => {
    const against = summarise(
      list.map((c) => ({ label: c.label, vs: c })),
      (c) => ` vs ${c.baseline}`,
    );
    return `${title} (${list.map((c) => `${c.label} vs ${c.baseline}`).join(', ')}): ${against.join('; ')}.`;
  };
  if (board.controls.length) out.push(paired('Controls against erm', board.controls));
  if (board.aa) out.push(aaText(board.aa, board.alpha));
  if (board.sem.length) out.push(paired('SEM against its base variant', board.sem));
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
