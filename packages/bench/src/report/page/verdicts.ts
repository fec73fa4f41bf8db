/**
 * The comparison tables' cells as the page draws them: leaderboard.md's text (verdict.ts's differenceCell), each
 * cell coloured by its verdict and, on hover, the tests behind it (p before and after Holm's correction, the
 * equivalence test against the margin), in verdict.ts's words for p-values and the margin.
 */
import type { Comparison, Leaderboard, PairedTest } from '../leaderboard';
import { type DifferenceUnit, differenceCell, marginText, pValueText } from '../verdict';
import { el } from './dom';

/** The tests behind a verdict, in one line; undefined where there is no comparison. */
export function verdictTitle(t: PairedTest | undefined, margin: number): string | undefined {
  if (!t || t.n === 0) return undefined;
  if (t.n < 2) return `${t.verdict}: one seed, so no test`;
  const parts = [`${t.verdict}: t-test p ${pValueText(t.p)} before correction, ${pValueText(t.p_holm)} after Holm`];
  if (t.p_equivalence !== null && t.p_equivalence_holm !== null)
    parts.push(
      `equivalence within ${marginText(margin)}: TOST p ${pValueText(t.p_equivalence)} before correction, ${pValueText(t.p_equivalence_holm)} after Holm`,
    );
  return parts.join('; ');
}

/** A comparison's cell, with its verdict as a class (the colour) and an attribute. */
export function verdictCell(board: Leaderboard, t: PairedTest | undefined, unit: DifferenceUnit = 'pp') {
  const verdict = t && t.n > 0 ? t.verdict : undefined;
  return el('td', {
    class: verdict && `verdict verdict-${verdict}`,
    'data-verdict': verdict,
    title: verdictTitle(t, board.equivalence_margin),
    text: differenceCell(t, unit),
  });
}

/**
 * The comparison cells of leaderboard.md's controls, SEM and ablation tables: clean, each suite, the gap; `(base)`
 * in each where `c` is null (the base row of an ablation table).
 */
export function comparisonCells(board: Leaderboard, c: Comparison | null): HTMLTableCellElement[] {
  const columns = board.suites.length + 2;
  if (!c) return Array.from({ length: columns }, () => el('td', { text: '(base)' }));
  return [
    verdictCell(board, c.clean_acc),
    ...board.suites.map((s) => verdictCell(board, c.corruption_acc[s])),
    verdictCell(board, c.equivariance_gap, ''),
  ];
}

/** A table of comparisons whose rows each name their baseline (the controls, SEM), in leaderboard.md's columns. */
export function pairedTable(board: Leaderboard, list: readonly Comparison[], id: string): HTMLTableElement {
  const heads = ['method', 'vs', 'clean acc', ...board.suites.map((x) => `${x} acc`), 'equivariance gap'];
  const t = el('table', { id, class: 'comparisons' }, el('tr', {}, ...heads.map((h) => el('th', { text: h }))));
  for (const c of list)
    t.append(
      el(
        'tr',
        { 'data-label': c.label },
        el('td', { class: 'label', text: c.label }),
        el('td', { class: 'label', text: c.baseline }),
        ...comparisonCells(board, c),
      ),
    );
  return t;
}
