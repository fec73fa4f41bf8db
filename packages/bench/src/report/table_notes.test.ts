import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Leaderboard } from './leaderboard';
import { missingMceFootnote, tableNotes } from './table_notes';

const board: Leaderboard = JSON.parse(
  readFileSync(join(import.meta.dirname, '__fixtures__', 'boards', 'quick', 'leaderboard.json'), 'utf8'),
);

describe('the notes under the table', () => {
  it('explain a bare n/a under mCE: no erm row, or no erm record of the same seed', () => {
    expect(missingMceFootnote(board)).toBeNull();
    const noMce = (labels: string[]) =>
      board.rows.map((r) =>
        labels.includes(r.label)
          ? { ...r, suites: { ...r.suites, 'mnist-c': { ...r.suites['mnist-c'], mce: null, rel_mce: null } } }
          : r,
      );
    expect(missingMceFootnote({ ...board, rows: noMce(['mixup']) })).toBe(
      'n/a under mCE and rel. mCE: no `erm` record shares a seed with the row (mixup on mnist-c); both are relative to the `erm` model of the same seed.',
    );
    expect(missingMceFootnote({ ...board, baseline: null, rows: noMce(['mixup', 'erm']) })).toBe(
      'n/a under mCE and rel. mCE: this board has no `erm` row to be the baseline; both are relative to the `erm` model of the same seed.',
    );
  });

  it("follow the board's images and list the footnotes it needs, in leaderboard.md's order", () => {
    expect(tableNotes(board)[0][1]).toContain('on the same test images.');
    expect(tableNotes({ ...board, evaluated_on: 'validation' })[0][1]).toContain('on the same validation images.');
    // One row with SEM, its share under 1 %: the SEM share note names it.
    const flagged = {
      ...board,
      rows: board.rows.map((r, i) => ({ ...r, sem_share: i ? null : { mean: 0.003, std: 0, n: 3 } })),
    };
    expect(tableNotes(flagged).map((p) => p[0].slice(0, 10))).toEqual(['Mean ± sam', 'SEM share:', '¹ Relative']);
    expect(tableNotes(flagged)[1][0]).toContain(`SEM is nearly switched off: ${board.rows[0].label}.`);
  });
});
