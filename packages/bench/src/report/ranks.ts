/** The leaderboard's ranks: 1 + the rows better outside noise on the ranking metric. */
import type { ResultRecord } from '../run/records';
import { pairedOver } from './comparisons';
import type { SeedRecords } from './rows';
import type { MethodRow } from './types';

/**
 * The rows ranked on the headline suite's corruption accuracy (clean accuracy without suites), the metric and rule
 * the comparison tables use: rank = 1 + the rows better outside noise, over all pairs (comparing each row with the
 * one above only chained "within noise" down the table, tying rows to ones better than them). Better is closed
 * over rows in between: with every seed on both sides the rule is transitive already (A − C's interval is no wider
 * than A − B's and B − C's together), not always where a row lacks seeds, and a row worse than another must rank
 * below it. Returns new rows, sorted by rank, then the metric's mean, then clean accuracy.
 */
export function rankRows(
  rows: readonly MethodRow[],
  bySeed: Map<string, SeedRecords>,
  headline: string | null,
): MethodRow[] {
  const key = (r: MethodRow) => (headline ? r.suites[headline].corruption_acc.mean : r.clean_acc.mean);
  const metric = (r: ResultRecord) => (headline ? (r.suites[headline]?.acc_mean ?? Number.NaN) : r.clean_acc);
  const seedsOf = (r: MethodRow) => bySeed.get(r.label) as SeedRecords;
  // better[i][j]: row j is better than row i outside noise.
  const better = rows.map((row) =>
    rows.map((other) => {
      if (other === row) return false;
      const d = pairedOver(seedsOf(other), seedsOf(row), metric, true);
      return !d.withinNoise && d.mean > 0;
    }),
  );
  for (let k = 0; k < rows.length; k++)
    for (let i = 0; i < rows.length; i++)
      for (let j = 0; j < rows.length; j++) if (better[i][k] && better[k][j] && i !== j) better[i][j] = true;
  const ranked = rows.map((row, i) => {
    const outranked_by = rows.filter((_, j) => better[i][j]).map((r) => r.label);
    return { ...row, rank: 1 + outranked_by.length, outranked_by };
  });
  return ranked.sort((a, b) => a.rank - b.rank || key(b) - key(a) || b.clean_acc.mean - a.clean_acc.mean);
}
