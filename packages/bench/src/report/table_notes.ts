/**
 * The notes under the leaderboard table, for leaderboard.md and report.html alike: what the cells measure, the SEM
 * share column, and the footnotes of the cells that hold no number (`— ¹`, a bare `n/a`). Plain functions over the
 * board, no Node built-ins: the page's script imports them, so the page prints every note leaderboard.md prints.
 */
import { SEM_SHARE_FLOOR } from '../run/sem_share';
import type { Leaderboard } from './types';
import { relativeMceFootnote } from './verdict';

/**
 * The footnote of the bare `n/a` cells under mCE and rel. mCE: rows with no `erm` record of any of their seeds, the
 * baseline both are relative to (mCE is not computed without one); null when every row has one.
 */
export function missingMceFootnote(board: Pick<Leaderboard, 'rows' | 'suites' | 'baseline'>): string | null {
  const cells = board.rows.flatMap((r) =>
    board.suites.filter((s) => !r.suites[s].mce).map((s) => `${r.label} on ${s}`),
  );
  if (!cells.length) return null;
  const why = board.baseline
    ? `no \`erm\` record shares a seed with the row (${cells.join('; ')})`
    : 'this board has no `erm` row to be the baseline';
  return `n/a under mCE and rel. mCE: ${why}; both are relative to the \`erm\` model of the same seed.`;
}

/**
 * The paragraphs under the table, in leaderboard.md's order, each as its lines (leaderboard.md writes the lines; the
 * page joins them with spaces): what the cells measure, the SEM share (where a row has SEM), the footnote of the
 * `— ¹` cells and that of the bare `n/a` cells (where any).
 */
export function tableNotes(board: Leaderboard): string[][] {
  const images = board.evaluated_on ?? 'test';
  const notes = [
    [
      'Mean ± sample std over seeds ("n=1": a single seed, no spread). Clean accuracy, ECE and every suite are measured',
      `on the same ${images} images. Corruption accuracy is the mean over the suite’s corruptions × severities. mCE and`,
      'relative mCE follow Hendrycks & Dietterich (2019): CE_c = Σ_s E_s,c / Σ_s E^base_s,c and relative CE_c =',
      'Σ_s (E_s,c − E_clean) / Σ_s (E^base_s,c − E^base_clean), averaged over corruptions, with the `erm` model of the',
      'same seed as the baseline (there is no AlexNet for these data sets). Equivariance gap: 1 − cos(f(mix), mix(f)),',
      'the angle the default SEM loss sees on normalised features, mean over λ ∈ {0.25, 0.5, 0.75}, each λ on its own',
      `random pairs of ${images} images (the same pairs for every method and seed); the relative L2 gap ‖f(mix) − mix(f)‖ /`,
      '‖mix(f)‖ on the same pairs is in the records and leaderboard.json.',
    ],
  ];
  if (board.rows.some((r) => r.sem_share)) {
    const flagged = board.rows.filter((r) => r.sem_share && r.sem_share.mean < SEM_SHARE_FLOOR).map((r) => r.label);
    notes.push([
      `SEM share: how much of the training loss is the SEM term, the last epoch's mean β·L_sem over its mean total loss (a ratio of the records' epoch means), mean ± std over seeds; — for a method without SEM. ${
        flagged.length
          ? `⚠ under ${100 * SEM_SHARE_FLOOR}% of the loss, SEM is nearly switched off: ${flagged.join(', ')}.`
          : `No row's SEM term is under ${100 * SEM_SHARE_FLOOR}% of its loss.`
      }`,
    ]);
  }
  for (const footnote of [relativeMceFootnote(board), missingMceFootnote(board)]) if (footnote) notes.push([footnote]);
  return notes;
}
