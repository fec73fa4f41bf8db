/**
 * The leaderboard table: leaderboard.md's columns and cells (the same formatters), sortable by any column, each
 * method's resolved options under its name, shared ranks marked = with a tooltip naming the rows they count.
 *
 * A rank belongs to its method, not to a position in the table: it is 1 + the methods better than it outside noise
 * on the ranking metric (ranks.ts), from paired tests the board holds for that metric alone. Sorted by another
 * column, the rows keep their ranks and their = marks (a rank other methods share, wherever they stand now) and a
 * note says so. Marks recomputed for the order shown would need the same paired tests on every column, which the
 * board does not have: ties read off a sorted column would be guesses.
 */
import type { Leaderboard, MethodRow } from '../leaderboard';
import { num, pct, relMce, semShareCell, showsSemShare } from '../leaderboard_text';
import type { MethodStyle } from '../palette';
import { el } from './dom';

interface Column {
  head: string;
  /** The method column: left-aligned, sorted by name. */
  label?: true;
  /** What the column sorts by; undefined or NaN sorts last either way. */
  value: (r: MethodRow) => number | string | undefined;
  cell: (r: MethodRow) => Node | string;
}

/** What the ranks rank by, in words. */
export const rankingMetric = (board: Pick<Leaderboard, 'headline'>) =>
  board.headline ? `${board.headline} corruption accuracy` : 'clean accuracy';

/**
 * A rank cell: the rank, marked = where other methods share it; on hover, the metric, the methods better outside
 * noise and those it shares the rank with, by name (none of it depends on the order the table is shown in).
 */
function rankCell(board: Leaderboard, r: MethodRow): HTMLElement {
  const peers = board.rows.filter((o) => o !== r && o.rank === r.rank).map((o) => o.label);
  const above = r.outranked_by.length
    ? `better outside noise: ${r.outranked_by.join(', ')}`
    : 'no method is better outside noise';
  return el('span', {
    class: peers.length ? 'shared' : undefined,
    'data-rank': r.rank,
    title: `rank ${r.rank} by ${rankingMetric(board)}: ${above}${peers.length ? `; shares rank ${r.rank} with ${peers.join(', ')}` : ''}`,
    text: peers.length ? `${r.rank} =` : String(r.rank),
  });
}

/** A method's marker in the charts, as a swatch: its colour and shape, filled with SEM. */
function swatch(style: MethodStyle | undefined): HTMLElement | null {
  if (!style) return null;
  return el('span', {
    class: `swatch ${style.marker}${style.filled ? ' filled' : ''}`,
    style: `--c: ${style.color}`,
    'aria-hidden': 'true',
  });
}

function methodCell(r: MethodRow, style: MethodStyle | undefined): HTMLElement {
  const options = JSON.stringify(r.method, null, 2);
  const d = el('details', { title: options }, el('summary', {}, swatch(style), r.label), el('pre', { text: options }));
  if (r.incomplete) {
    const i = r.incomplete;
    d.append(
      el('div', {
        class: 'incomplete',
        text: `⚠ incomplete: ${i.found} of ${i.expected} seeds (${i.missing} not run, ${i.failed} failed, ${i.unreadable.length} not shown)`,
      }),
    );
  }
  return d;
}

export function columns(board: Leaderboard, styles: Record<string, MethodStyle> = {}): Column[] {
  const headline = board.headline;
  return [
    { head: 'rank', value: (r) => r.rank, cell: (r) => rankCell(board, r) },
    { head: 'method', label: true, value: (r) => r.label, cell: (r) => methodCell(r, styles[r.label]) },
    { head: 'seeds', value: (r) => r.seeds.length, cell: (r) => String(r.seeds.length) },
    { head: 'clean acc (%)', value: (r) => r.clean_acc.mean, cell: (r) => pct(r.clean_acc) },
    ...board.suites.flatMap((s): Column[] => [
      {
        head: `${s} acc (%)`,
        value: (r) => r.suites[s].corruption_acc.mean,
        cell: (r) => pct(r.suites[s].corruption_acc),
      },
      { head: `${s} mCE`, value: (r) => r.suites[s].mce?.mean, cell: (r) => num(r.suites[s].mce) },
      { head: `${s} rel. mCE`, value: (r) => r.suites[s].rel_mce?.mean, cell: (r) => relMce(r.suites[s]) },
    ]),
    { head: 'ECE (%)', value: (r) => r.ece.mean, cell: (r) => pct(r.ece) },
    ...(headline
      ? [
          {
            head: `${headline} ECE (%)`,
            value: (r: MethodRow) => r.suites[headline].corruption_ece.mean,
            cell: (r: MethodRow) => pct(r.suites[headline].corruption_ece),
          },
        ]
      : []),
    { head: 'equivariance gap', value: (r) => r.equivariance_gap.mean, cell: (r) => num(r.equivariance_gap, 4) },
    ...(showsSemShare(board)
      ? [{ head: 'SEM share (%)', value: (r: MethodRow) => r.sem_share?.mean, cell: (r: MethodRow) => semShareCell(r) }]
      : []),
  ];
}

const missing = (v: unknown) => v === undefined || v === null || Number.isNaN(v);

/**
 * The table, drawn in the board's order, in a box that scrolls sideways where the page is narrower than the table
 * (its cells do not wrap); a click on a header sorts by that column (again: the other way), and a note above the
 * table says what the ranks are while it is sorted by another column.
 */
export function leaderboardTable(board: Leaderboard, styles: Record<string, MethodStyle> = {}): HTMLElement {
  const cols = columns(board, styles);
  const table = el('table', { id: 'leaderboard-table' });
  const sortNote = el('p', { id: 'sort-note', class: 'note' });
  const headRow = el('tr');
  const tbody = el('tbody');
  table.append(el('thead', {}, headRow), tbody);
  const failedRow = (label: string) => {
    const f = board.failed.filter((x) => x.label === label);
    return el(
      'tr',
      { 'data-label': label, class: 'failed-row' },
      el('td', { text: '–' }),
      el('td', { class: 'label', text: label }),
      el('td', { text: `0 of ${f.length}` }),
      el('td', { class: 'failed', colspan: cols.length - 3, text: `failed: ${f[0]?.reason}: ${f[0]?.error ?? ''}` }),
    );
  };
  let sortBy: Column | null = null;
  let ascending = true;
  const render = () => {
    const rows = [...board.rows];
    if (sortBy) {
      const v = sortBy.value;
      rows.sort((a, b) => {
        const x = v(a);
        const y = v(b);
        if (missing(x)) return missing(y) ? 0 : 1;
        if (missing(y)) return -1;
        const c = typeof x === 'string' ? x.localeCompare(String(y)) : (x as number) - (y as number);
        return ascending ? c : -c;
      });
    }
    tbody.replaceChildren(
      ...rows.map((r) =>
        el('tr', { 'data-label': r.label }, ...cols.map((c) => el('td', { class: c.label && 'label' }, c.cell(r)))),
      ),
      ...board.failedLabels.map(failedRow),
    );
    for (const [i, th] of [...headRow.children].entries()) {
      if (cols[i] === sortBy) th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
    sortNote.textContent =
      sortBy && sortBy.head !== 'rank'
        ? `Sorted by ${sortBy.head}, ${ascending ? 'lowest' : 'highest'} first. The ranks are not this order: each stays its method's rank by ${rankingMetric(board)} (1 + the methods better than it outside noise), and = marks a rank other methods share, wherever they stand now (hover a rank for their names).`
        : '';
  };
  for (const c of cols) {
    const th = el('th', { class: `sortable${c.label ? ' label' : ''}`, text: c.head, title: 'sort by this column' });
    th.addEventListener('click', () => {
      // First click: best first (highest accuracy, lowest rank, error or gap); then it toggles.
      if (sortBy === c) ascending = !ascending;
      else {
        sortBy = c;
        ascending = c.head === 'rank' || c.label === true || /mCE|ECE|gap/.test(c.head);
      }
      render();
    });
    headRow.append(th);
  }
  render();
  return el('div', { class: 'table-wrap' }, sortNote, table);
}
