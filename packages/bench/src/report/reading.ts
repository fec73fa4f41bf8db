/** The leaderboard's reading: what the numbers say, in sentences computed from them. */
import { isAaLabel } from '../plan/controls';
import { pearson } from './stats';
import type { Comparison, CorruptionEffect, Leaderboard, PairedTest } from './types';
import { aaText, differenceInterval, marginText } from './verdict';

/** Verdicts that say a difference is outside noise (after Holm in its family), whichever way it points. */
const DECIDED: ReadonlySet<PairedTest['verdict']> = new Set(['better', 'worse', 'higher', 'lower']);
const decided = (t: PairedTest) => DECIDED.has(t.verdict);

/** An outside-noise result of an A/A row is a false positive, and is named as one. */
const aaNote = (label: string) => (isAaLabel(label) ? '; an A/A row: a false positive' : '');

/**
 * The equivariance gap of a table's comparisons in one sentence: each outside noise with its interval, then how many
 * are not. `always` false: nothing when none is outside noise.
 */
export function gapSentence(title: string, list: readonly Comparison[], always: boolean): string | null {
  const out = list.filter((c) => decided(c.equivariance_gap));
  if (!out.length && !always) return null;
  const parts = out.map(
    (c) =>
      `${c.label} vs ${c.baseline} ${differenceInterval(c.equivariance_gap, '')} (${c.equivariance_gap.verdict}${aaNote(c.label)})`,
  );
  const rest = list.length - out.length;
  if (rest) parts.push(out.length ? `the other ${rest} inconclusive` : 'all inconclusive');
  return `${title}, equivariance gap: ${parts.join('; ')}.`;
}

/**
 * The per-corruption results outside noise after Holm (each comparison's corruptions on a suite one family, and its
 * corruptions × severities another), one sentence each for the averaged and the per-severity ones; one sentence
 * saying there are none where there are none.
 */
export function corruptionSentences(board: Pick<Leaderboard, 'corruption_effects'>): string[] {
  const named = (e: CorruptionEffect) =>
    `${e.corruption}${e.severity === null ? '' : ` severity ${e.severity}`} ${differenceInterval(e)} (${e.verdict})`;
  const collect = (pick: 'corruptions' | 'by_severity') =>
    board.corruption_effects.flatMap((c) =>
      c.suites.flatMap((s) => {
        const out = s[pick].filter(decided);
        return out.length
          ? [`${c.label} vs ${c.baseline} on ${s.suite}${aaNote(c.label)}: ${out.map(named).join(', ')}`]
          : [];
      }),
    );
  if (!board.corruption_effects.length) return [];
  const averaged = collect('corruptions');
  const bySeverity = collect('by_severity');
  const out: string[] = [];
  if (averaged.length)
    out.push(
      `Per corruption, outside noise (Holm over each comparison's corruptions on a suite): ${averaged.join('; ')}.`,
    );
  if (bySeverity.length)
    out.push(
      `Per corruption and severity, outside noise (Holm over each comparison's corruptions × severities on a suite): ${bySeverity.join('; ')}.`,
    );
  if (!out.length)
    out.push(
      "Per corruption: no comparison differs outside noise on any corruption (Holm over each comparison's corruptions on a suite).",
    );
  return out;
}

/**
 * erm against the mixing methods on each suite: that erm beats every one where it does, else each difference outside
 * noise; nothing for a suite where none is.
 */
export function ermSentences(board: Pick<Leaderboard, 'erm_against_mixing' | 'baseline'>): string[] {
  return board.erm_against_mixing.flatMap(({ suite, against }) => {
    const named = ({ label, difference }: (typeof against)[number]) => `${label} ${differenceInterval(difference)}`;
    const erm = board.baseline ?? 'erm';
    if (against.every((a) => a.difference.verdict === 'better'))
      return [
        `On ${suite}, ${erm} beats every mixing method (${erm} − method, Holm over the ${against.length}): ${against.map(named).join(', ')}.`,
      ];
    const out = against.filter((a) => decided(a.difference));
    if (!out.length) return [];
    const rest = against.length - out.length;
    const parts = out.map((a) => `${named(a)} (${a.difference.verdict})`).join(', ');
    return [
      `On ${suite}, ${erm} against the mixing methods (${erm} − method, Holm over the ${against.length}): ${parts}${rest ? `; the other ${rest} not outside noise` : ''}.`,
    ];
  });
}

/**
 * What the numbers say, in sentences computed from them, the controls first (they show whether the benchmark can
 * see an effect at all): for each suite (and clean accuracy), every comparison found better or worse is named with
 * its interval, then those found equivalent within the margin; the rest are inconclusive, and that is said plainly.
 * Then every other result outside noise, whichever way it points: each table's equivariance gap (the controls' and
 * SEM's always, an ablation table's where one is), the corruptions (and corruptions × severities) on which a
 * comparison differs, and erm against the mixing methods where it beats them. The verdicts are the tables' (Holm-
 * corrected within each table or family).
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
  if (board.controls.length) {
    out.push(paired('Controls against erm', board.controls));
    out.push(gapSentence('Controls against erm', board.controls, true) as string);
  }
  if (board.aa) out.push(aaText(board.aa, board.alpha));
  if (board.sem.length) {
    out.push(paired('SEM against its base variant', board.sem));
    out.push(gapSentence('SEM against its base variant', board.sem, true) as string);
  }
  out.push(...corruptionSentences(board), ...ermSentences(board));
  for (const t of board.ablation) {
    const varied = t.entries.filter((e) => e.vs_base).map((e) => ({ label: e.label, vs: e.vs_base as Comparison }));
    const failedOnes = t.entries.filter((e) => !e.row);
    const parts = varied.length ? summarise(varied, () => '') : ['no configuration with results besides the base'];
    if (failedOnes.length) parts.push(`failed: ${failedOnes.map((e) => e.label).join(', ')}`);
    out.push(`${t.option} against ${t.base}: ${parts.join('; ')}.`);
    const gap = gapSentence(
      `${t.option} against ${t.base}`,
      varied.map((v) => v.vs),
      false,
    );
    if (gap) out.push(gap);
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
