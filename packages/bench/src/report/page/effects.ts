/**
 * The per-corruption effects on the page: leaderboard.md's section (effects_text.ts) with each cell coloured by its
 * verdict and its tests on hover, the per-severity detail leaderboard.md leaves out (folded), and the forest plots
 * forest.ts drew.
 */
import { comparisonName, EFFECTS_HEADING, effectSuites, effectsTable, largestEffectsLine } from '../effects_text';
import type { CorruptionEffect, Leaderboard } from '../types';
import { effectsCaption, effectText } from '../verdict';
import type { ReportData } from './data';
import { el, note, section, svgNode } from './dom';
import { verdictTitle } from './verdicts';

/** An effect's cell: effectText, coloured by its verdict, its tests on hover. */
function effectCell(board: Leaderboard, t: CorruptionEffect | undefined): HTMLTableCellElement {
  const verdict = t && t.n > 0 ? t.verdict : undefined;
  return el('td', {
    class: verdict && `verdict verdict-${verdict}`,
    'data-verdict': verdict,
    title: verdictTitle(t, board.equivalence_margin),
    text: effectText(t),
  });
}

/** One comparison's effects on a suite per corruption × severity: a row per corruption, a column per severity. */
function severityTable(board: Leaderboard, label: string, baseline: string, suite: string): HTMLElement | null {
  const c = board.corruption_effects.find((x) => x.label === label && x.baseline === baseline);
  const s = c?.suites.find((x) => x.suite === suite);
  if (!c || !s || !s.by_severity.length || !s.by_severity_family) return null;
  const severities = Array.from({ length: s.severities }, (_, k) => k + 1);
  const table = el(
    'table',
    { class: 'comparisons effects-severity', 'data-label': label, 'data-suite': suite },
    el(
      'tr',
      {},
      el('th', { class: 'label', text: 'corruption' }),
      ...severities.map((k) => el('th', { text: `severity ${k}` })),
    ),
  );
  for (const corruption of s.corruptions.map((e) => e.corruption))
    table.append(
      el(
        'tr',
        {},
        el('td', { class: 'label', text: corruption }),
        ...severities.map((k) =>
          effectCell(
            board,
            s.by_severity.find((e) => e.corruption === corruption && e.severity === k),
          ),
        ),
      ),
    );
  return el(
    'div',
    {},
    el('h4', {
      text: `${comparisonName(c)} (Holm over its ${s.by_severity_family.tests} corruption × severity tests)`,
    }),
    table,
  );
}

/** The section; nothing where the board has no per-corruption effects (no controls, no SEM comparison). */
export function effectsSection(root: HTMLElement, data: ReportData) {
  const board = data.board;
  const suites = effectSuites(board);
  if (!suites.length) return;
  const s = section(root, EFFECTS_HEADING, 'effects');
  for (const suite of suites) {
    const { corruptions, columns } = effectsTable(board, suite);
    const table = el(
      'table',
      { id: `effects-${suite}`, class: 'comparisons effects', 'data-suite': suite },
      el(
        'tr',
        {},
        el('th', { class: 'label', text: 'corruption' }),
        ...columns.map((c) => el('th', { text: comparisonName(c.effects) })),
      ),
    );
    for (const name of corruptions)
      table.append(
        el(
          'tr',
          { 'data-corruption': name },
          el('td', { class: 'label', text: name }),
          ...columns.map((c) => effectCell(board, c.cells.get(name))),
        ),
      );
    const severities = Math.max(
      ...columns.map((c) => c.effects.suites.find((x) => x.suite === suite)?.severities ?? 0),
    );
    s.append(
      el('h3', {}, el('code', { text: suite })),
      table,
      note(effectsCaption(suite, corruptions.length, severities, board.alpha, board.equivalence_margin, 'page'), {
        class: 'note caption',
      }),
    );
    const largest = largestEffectsLine(board, suite);
    if (largest) s.append(note(largest));
    const detail = columns
      .map((c) => severityTable(board, c.effects.label, c.effects.baseline, suite))
      .filter((t): t is HTMLElement => t !== null);
    if (detail.length)
      s.append(
        el('details', { class: 'severity-detail' }, el('summary', { text: `Per severity on ${suite}` }), ...detail),
      );
  }
  for (const f of data.forests ?? [])
    s.append(
      el(
        'figure',
        { class: 'forest', 'data-label': f.label, 'data-baseline': f.baseline, 'data-file': f.file },
        el('figcaption', { text: f.caption }),
        svgNode(f.svg),
      ),
    );
}
