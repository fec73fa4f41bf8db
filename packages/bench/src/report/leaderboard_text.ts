/** The leaderboard as Markdown and as a terminal table. */

import type { ResultRecord } from '../run/records';
import { SEM_SHARE_FLOOR } from '../run/sem_share';
import { effectsMarkdown } from './effects_text';
import { AA_MARKER } from './family';
import {
  type Comparison,
  chartList,
  type Leaderboard,
  type MethodRow,
  type Stat,
  type SuiteColumns,
} from './leaderboard';
import { tableNotes } from './table_notes';
import { aaText, controlsNote, differenceCell, familyCaption, rankingRule, roundingFloorNote } from './verdict';

/** One line for a finished job: clean accuracy and each suite's corruption accuracy. */
export function recordSummary(record: ResultRecord): string {
  const suites = Object.entries(record.suites).map(([name, s]) => `${name} ${(100 * s.acc_mean).toFixed(2)}%`);
  return [`clean ${(100 * record.clean_acc).toFixed(2)}%`, ...suites].join(', ');
}

/**
 * A record that is not shown, in one line that says what happened: one read but not as sealed (edited, damaged,
 * another job's) is a `record <file>: <why>`, where "unreadable" would say it could not be read; one that could
 * not be read at all (permissions, I/O) is an `unreadable record`.
 */
export function badRecordLine(bad: { file: string; error: string; damaged: boolean }): string {
  return `${bad.damaged ? 'record' : 'unreadable record'} ${bad.file}: ${bad.error}`;
}

/** Percent with its spread over seeds; a single seed says so instead of printing "± 0.00". */
export const pct = (v: Stat | null | undefined, digits = 2) => {
  if (!v || !Number.isFinite(v.mean)) return 'n/a';
  const m = (100 * v.mean).toFixed(digits);
  return v.n >= 2 ? `${m} ± ${(100 * v.std).toFixed(digits)}` : `${m} (n=1)`;
};
export const num = (v: Stat | null | undefined, digits = 3) => {
  if (!v || !Number.isFinite(v.mean)) return 'n/a';
  const m = v.mean.toFixed(digits);
  return v.n >= 2 ? `${m} ± ${v.std.toFixed(digits)}` : `${m} (n=1)`;
};
/** A suite's relative mCE: `— ¹` where its denominators are noise (relativeMceFootnote says which), n/a without one. */
export const relMce = (c: SuiteColumns) => (c.rel_mce ? num(c.rel_mce) : c.mce ? '— ¹' : 'n/a');
/** A comparison's table cell (verdict.ts's differenceCell, the one formatter of verdicts). */
export const diff = differenceCell;

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function labelCell(r: MethodRow): string {
  if (!r.incomplete) return r.label;
  const i = r.incomplete;
  const why = [
    i.missing ? `${i.missing} not run` : '',
    i.failed ? `${i.failed} failed` : '',
    i.unreadable.length ? `${i.unreadable.length} not shown` : '',
  ]
    .filter(Boolean)
    .join(', ');
  return `${r.label} ⚠ incomplete: ${i.found} of ${i.expected} seeds (${why})`;
}

/** A rank, with = when another row shares it. */
const rankCell = (board: Leaderboard, r: MethodRow) =>
  board.rows.some((o) => o !== r && o.rank === r.rank) ? `${r.rank} =` : String(r.rank);

/** Whether the board has a row with SEM: its table then shows each row's SEM share of the loss. */
export const showsSemShare = (board: Leaderboard) => board.rows.some((r) => r.sem_share);

/** A row's SEM share of the loss (%), flagged ⚠ under SEM_SHARE_FLOOR; — for a method without SEM. */
export const semShareCell = (r: MethodRow) => {
  if (!r.sem_share) return '—';
  return r.sem_share.mean < SEM_SHARE_FLOOR ? `${pct(r.sem_share)} ⚠` : pct(r.sem_share);
};

function mainTable(board: Leaderboard): string[] {
  const suiteHeads = board.suites.flatMap((s) => [`${s} acc (%)`, `${s} mCE`, `${s} rel. mCE`]);
  const head = ['rank', 'method', 'seeds', 'clean acc (%)', ...suiteHeads, 'ECE (%)'];
  if (board.headline) head.push(`${board.headline} ECE (%)`);
  head.push('equivariance gap');
  if (showsSemShare(board)) head.push('SEM share (%)');
  const lines = [`| ${head.join(' | ')} |`, `|${head.map((h) => (h === 'method' ? '---' : '---:')).join('|')}|`];
  for (const r of board.rows) {
    const cells = [rankCell(board, r), cell(labelCell(r)), String(r.seeds.length), pct(r.clean_acc)];
    for (const s of board.suites) {
      const c = r.suites[s];
      cells.push(pct(c.corruption_acc), num(c.mce), relMce(c));
    }
    cells.push(pct(r.ece));
    if (board.headline) cells.push(pct(r.suites[board.headline].corruption_ece));
    cells.push(num(r.equivariance_gap, 4));
    if (showsSemShare(board)) cells.push(semShareCell(r));
    lines.push(`| ${cells.join(' | ')} |`);
  }
  for (const label of board.failedLabels) {
    const f = board.failed.filter((x) => x.label === label);
    const cells = ['–', cell(label), `0 of ${f.length}`, `**failed** (${cell(failureSummary(f[0]))})`];
    while (cells.length < head.length) cells.push('–');
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines;
}

function failureSummary(f: Leaderboard['failed'][number]): string {
  if (f.reason === 'diverged') {
    const parts = Object.entries(f.losses ?? {})
      .map(([k, v]) => `${k}=${v === null ? 'non-finite' : f.step === undefined ? Number(v.toPrecision(4)) : v}`)
      .join(', ');
    return f.step === undefined
      ? `diverged (loss grew without bound): last epoch ${parts}`
      : `diverged at step ${f.step}: ${parts}`;
  }
  if (f.reason === 'near-chance') {
    const losses = Object.entries(f.losses ?? {})
      .map(([k, v]) => `${k}=${v === null ? 'non-finite' : Number(v.toPrecision(4))}`)
      .join(', ');
    return `near chance: clean accuracy ${f.clean_acc === undefined ? '?' : `${(100 * f.clean_acc).toFixed(2)}%`}; last epoch ${losses}`;
  }
  return f.error.split('\n')[0];
}

function comparisonCells(c: Comparison | null, board: Leaderboard): string[] {
  return [
    c ? diff(c.clean_acc) : '(base)',
    ...board.suites.map((s) => (c ? diff(c.corruption_acc[s]) : '(base)')),
    c ? diff(c.equivariance_gap, '') : '(base)',
  ];
}

/** A table of comparisons whose rows each name their baseline (the controls, SEM). */
function pairedTable(board: Leaderboard, list: readonly Comparison[]): string[] {
  return [
    `| ${['method', 'vs', 'clean acc', ...board.suites.map((s) => `${s} acc`), 'equivariance gap'].join(' | ')} |`,
    `|---|---|---|${board.suites.map(() => '---|').join('')}---|`,
    ...list.map((c) => `| ${cell(c.label)} | ${cell(c.baseline)} | ${comparisonCells(c, board).join(' | ')} |`),
  ];
}

/** The leaderboard as a Markdown document. */
export function leaderboardMarkdown(board: Leaderboard, command: string): string {
  const lines = [
    `# semix leaderboard: \`${board.preset}\``,
    '',
    board.description,
    '',
    `Reproduce with: \`${command}\``,
    '',
    rankingRule(board.headline),
    '',
    ...mainTable(board),
    ...tableNotes(board).flatMap((note) => ['', ...note]),
  ];
  const charts = chartList(board)
    .filter((c) => c.kind !== 'ablation')
    .map(
      (c) =>
        `![${c.kind === 'severity' ? 'accuracy against severity' : 'accuracy per corruption'}, ${c.suite}](${c.file})`,
    );
  if (charts.length) lines.push('', ...charts);
  if (board.controls.length) {
    lines.push(
      '',
      '## Controls against erm (control − erm, paired over seeds)',
      '',
      ...pairedTable(board, board.controls),
      '',
      familyCaption(board.controls_family, board.alpha, board.equivalence_margin, 'controls against erm'),
      '',
      controlsNote(AA_MARKER),
    );
    if (board.aa) lines.push('', aaText(board.aa, board.alpha));
  }
  lines.push('', '## Does SEM help? (X+sem − X, paired over seeds, 95% t-interval)', '');
  if (board.sem.length) {
    lines.push(
      ...pairedTable(board, board.sem),
      '',
      familyCaption(board.sem_family, board.alpha, board.equivalence_margin, 'SEM variants against their base'),
      '',
      roundingFloorNote(board.evaluated_on),
    );
  } else {
    lines.push(
      'No comparison: this grid has no `X+sem` method whose base `X` (with the same mixing options) has results.',
    );
  }
  lines.push(...effectsMarkdown(board));
  if (board.ablation.length) {
    lines.push('', '## Ablation: one option at a time, against its base configuration', '');
    for (const t of board.ablation) {
      lines.push(
        `### \`${t.option}\` (base: ${t.base})`,
        '',
        ...(t.family.tests
          ? [
              familyCaption(
                t.family,
                board.alpha,
                board.equivalence_margin,
                `the values of \`${t.option}\` against the base`,
              ),
              '',
            ]
          : []),
        `| ${t.option} | method | seeds | clean acc (%) | ${board.suites.map((s) => `${s} acc (%)`).join(' | ')} | equivariance gap | Δ clean | ${board.suites.map((s) => `Δ ${s}`).join(' | ')} | Δ gap |`,
        `|---|---|---:|---:|${board.suites.map(() => '---:|').join('')}---:|---|${board.suites.map(() => '---|').join('')}---|`,
      );
      for (const e of t.entries) {
        const v = `\`${JSON.stringify(e.value)}\``;
        if (!e.row) {
          const f = board.failed.find((x) => x.label === e.label);
          lines.push(
            `| ${v} | ${cell(e.label)} | 0 | **failed** (${cell(f ? failureSummary(f) : '?')}) | ${board.suites.map(() => '–').join(' | ')} | – | – | ${board.suites.map(() => '–').join(' | ')} | – |`,
          );
          continue;
        }
        const r = e.row;
        lines.push(
          `| ${v} | ${cell(labelCell(r))} | ${r.seeds.length} | ${pct(r.clean_acc)} | ${board.suites.map((s) => pct(r.suites[s].corruption_acc)).join(' | ')} | ${num(r.equivariance_gap, 4)} | ${comparisonCells(e.vs_base, board).join(' | ')} |`,
        );
      }
      lines.push('');
    }
    lines.push('![corruption accuracy against equivariance gap](ablation.svg)', '');
  }
  if (board.reading.length) {
    lines.push(
      '## What the numbers say (computed from the tables above)',
      '',
      ...board.reading.map((r) => `- ${r}`),
      '',
    );
  }
  if (board.failed.length) {
    lines.push(
      '## Failed jobs',
      '',
      'These jobs diverged, ended near chance or failed after their retries; the figures above do not include them.',
      '',
      '| job | method | seed | reason | attempts | detail |',
      '|---|---|---:|---|---:|---|',
      ...board.failed.map(
        (f) =>
          `| ${f.job_id} | ${cell(f.label)} | ${f.seed} | ${f.reason} | ${f.attempts} | ${cell(failureSummary(f))} |`,
      ),
      '',
    );
  }
  const incomplete = board.rows.filter((r) => r.incomplete?.unreadable.length);
  if (incomplete.length) {
    lines.push(
      '## Records not shown',
      '',
      ...incomplete.flatMap((r) =>
        (r.incomplete as NonNullable<MethodRow['incomplete']>).unreadable.map(
          (f) => `- ${r.label}: \`${f}\` (not shown; \`semix bench\` re-runs its job)`,
        ),
      ),
      '',
    );
  }
  if (board.stale)
    lines.push(
      `${board.stale} record(s) in records/ belong to other configurations of this preset; they are kept and not shown.`,
      '',
    );
  return lines.join('\n');
}

/** The leaderboard as a terminal table. */
export function leaderboardTable(board: Leaderboard): string {
  const h = board.headline;
  const header = ['rank', 'method', 'clean acc', ...board.suites.map((s) => `${s} acc`), 'ECE', 'eq. gap'];
  const rows = board.rows.map((r) => [
    rankCell(board, r),
    labelCell(r),
    pct(r.clean_acc),
    ...board.suites.map((s) => pct(r.suites[s].corruption_acc)),
    pct(r.ece),
    num(r.equivariance_gap, 4),
  ]);
  for (const label of board.failedLabels) rows.push(['–', label, 'FAILED', ...board.suites.map(() => '–'), '–', '–']);
  const widths = header.map((hd, i) => Math.max(hd.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  const pick = (c: Comparison) => (h ? c.corruption_acc[h] : c.clean_acc);
  const comparisonLines = [...board.controls, ...board.sem].map(
    (c) => `  ${c.label} vs ${c.baseline}: ${h ?? 'clean'} acc ${diff(pick(c))}; clean acc ${diff(c.clean_acc)}`,
  );
  const failedLines = board.failed.length
    ? [
        '',
        `FAILED (${board.failed.length}, not in the table):`,
        ...board.failed.map((f) => `  ${f.label} seed ${f.seed} (${f.reason}): ${failureSummary(f)}`),
      ]
    : [];
  return [
    fmt(header),
    fmt(widths.map((w) => '-'.repeat(w))),
    ...rows.map(fmt),
    '',
    rankingRule(board.headline),
    ...comparisonLines,
    ...failedLines,
  ].join('\n');
}
