import { join } from 'node:path';
import { writeAtomic } from '@semix/datasets';
import type { FailedRecord, ResultRecord } from './records';
import { meanStd, type PairedDifference, pairedDifference, relativeMce } from './stats';

export interface MethodRow {
  rank: number;
  method: string;
  seeds: number;
  clean_acc: { mean: number; std: number };
  corruption_acc: { mean: number; std: number };
  rel_mce: { mean: number; std: number } | null;
  ece: { mean: number; std: number };
  corruption_ece: { mean: number; std: number };
  equivariance_gap: { mean: number; std: number };
  /** Accuracy per severity (mean over corruptions and seeds). */
  severity_acc: number[];
  /** Accuracy per corruption (mean over severities and seeds). */
  corruption_acc_by_name: Record<string, number>;
}

export interface SemComparison {
  method: string;
  baseline: string;
  clean_acc: PairedDifference;
  corruption_acc: PairedDifference;
}

export interface Leaderboard {
  preset: string;
  rows: MethodRow[];
  sem: SemComparison[];
  baseline: string | null;
  /** Jobs that failed for good: shown, never silently dropped. */
  failed: Array<{ job_id: string; method: string; seed: number; error: string; attempts: number }>;
}

/** Builds the leaderboard from records only. */
export function buildLeaderboard(records: ResultRecord[], failedJobs: readonly FailedRecord[] = []): Leaderboard {
  const preset = records[0]?.preset ?? '';
  const byMethod = new Map<string, ResultRecord[]>();
  for (const r of records) {
    const list = byMethod.get(r.method.name) ?? [];
    list.push(r);
    byMethod.set(r.method.name, list);
  }
  for (const list of byMethod.values()) list.sort((a, b) => a.seed - b.seed);
  const erm = byMethod.get('erm') ?? [];
  const ermBySeed = new Map(erm.map((r) => [r.seed, r]));
  const errors = (r: ResultRecord) =>
    Object.fromEntries(Object.entries(r.corruptions_acc).map(([c, acc]) => [c, acc.map((a) => 1 - a)]));
  const rows: MethodRow[] = [...byMethod].map(([method, list]) => {
    const ms = (f: (r: ResultRecord) => number) => {
      const { mean, std } = meanStd(list.map(f));
      return { mean, std };
    };
    const rel = list
      .map((r) => {
        const base = ermBySeed.get(r.seed);
        return base && Object.keys(r.corruptions_acc).length
          ? relativeMce(errors(r), 1 - r.clean_acc, errors(base), 1 - base.clean_acc)
          : Number.NaN;
      })
      .filter(Number.isFinite);
    const names = Object.keys(list[0].corruptions_acc);
    const severity_acc = [0, 1, 2, 3, 4].map(
      (s) => meanStd(list.flatMap((r) => names.map((c) => r.corruptions_acc[c][s]))).mean,
    );
    const corruption_acc_by_name = Object.fromEntries(
      names.map((c) => [c, meanStd(list.flatMap((r) => r.corruptions_acc[c])).mean]),
    );
    return {
      rank: 0,
      method,
      seeds: list.length,
      clean_acc: ms((r) => r.clean_acc),
      corruption_acc: ms((r) => r.corruption_acc_mean ?? Number.NaN),
      rel_mce: rel.length ? meanStd(rel) : null,
      ece: ms((r) => r.ece),
      corruption_ece: ms((r) => r.corruption_ece_mean ?? Number.NaN),
      equivariance_gap: ms((r) => r.equivariance_gap),
      severity_acc,
      corruption_acc_by_name,
    };
  });
  rows.sort((a, b) => b.corruption_acc.mean - a.corruption_acc.mean || b.clean_acc.mean - a.clean_acc.mean);
  rows.forEach((row, i) => {
    row.rank = i + 1;
  });
  const sem: SemComparison[] = [];
  for (const [method, list] of byMethod) {
    if (!method.endsWith('+sem')) continue;
    const baseline = method.replace('+sem', '');
    const baseList = byMethod.get(baseline);
    if (!baseList) continue;
    const seeds = list.map((r) => r.seed).filter((s) => baseList.some((b) => b.seed === s));
    const pick = (l: ResultRecord[], f: (r: ResultRecord) => number) =>
      seeds.map((s) => f(l.find((r) => r.seed === s) as ResultRecord));
    sem.push({
      method,
      baseline,
      clean_acc: pairedDifference(
        pick(list, (r) => r.clean_acc),
        pick(baseList, (r) => r.clean_acc),
      ),
      corruption_acc: pairedDifference(
        pick(list, (r) => r.corruption_acc_mean ?? Number.NaN),
        pick(baseList, (r) => r.corruption_acc_mean ?? Number.NaN),
      ),
    });
  }
  const failed = failedJobs
    .filter((f) => !preset || f.preset === preset || f.preset === '?')
    .map((f) => ({ job_id: f.job_id, method: f.method, seed: f.seed, error: f.error, attempts: f.attempts }));
  return { preset, rows, sem, baseline: erm.length ? 'erm' : null, failed };
}

const pct = (v: { mean: number; std: number } | null, digits = 2) =>
  v && Number.isFinite(v.mean) ? `${(100 * v.mean).toFixed(digits)} ± ${(100 * v.std).toFixed(digits)}` : 'n/a';
const num = (v: { mean: number; std: number } | null) =>
  v && Number.isFinite(v.mean) ? `${v.mean.toFixed(3)} ± ${v.std.toFixed(3)}` : 'n/a';
const diff = (d: PairedDifference) =>
  `${d.mean >= 0 ? '+' : ''}${(100 * d.mean).toFixed(2)} pp${
    d.n >= 2 ? ` [${(100 * d.low).toFixed(2)}, ${(100 * d.high).toFixed(2)}]` : ''
  } (${d.withinNoise ? 'within noise' : d.mean > 0 ? 'better' : 'worse'}, n=${d.n})`;

/** The leaderboard as a Markdown document (tables, SEM comparison, notes). */
export function leaderboardMarkdown(board: Leaderboard, command: string): string {
  const lines = [
    `# semix leaderboard: \`${board.preset}\``,
    '',
    `Reproduce with: \`${command}\``,
    '',
    '| rank | method | seeds | clean acc (%) | corruption acc (%) | rel. mCE | ECE (%) | corrupted ECE (%) | equivariance gap |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---:|',
    ...board.rows.map(
      (r) =>
        `| ${r.rank} | ${r.method} | ${r.seeds} | ${pct(r.clean_acc)} | ${pct(r.corruption_acc)} | ${num(r.rel_mce)} | ${pct(r.ece)} | ${pct(r.corruption_ece)} | ${num(r.equivariance_gap)} |`,
    ),
    '',
    'Mean ± sample std over seeds. Corruption accuracy is the mean over 15 corruptions × 5 severities. Relative mCE',
    'uses the `erm` model of the same preset and seed as the baseline: there is no AlexNet baseline for these data',
    'sets. Equivariance gap: ‖f(mix) − mix(f)‖ / ‖mix(f)‖ on held-out pairs, λ ∈ {0.25, 0.5, 0.75}.',
    '',
    '## Does SEM help? (X+sem − X, paired over seeds, 95% t-interval)',
    '',
    '| method | vs | clean acc | corruption acc |',
    '|---|---|---|---|',
    ...board.sem.map((s) => `| ${s.method} | ${s.baseline} | ${diff(s.clean_acc)} | ${diff(s.corruption_acc)} |`),
    '',
    'A difference whose interval contains 0 is reported as *within noise*: it is not evidence either way.',
    '',
  ];
  if (board.failed.length > 0) {
    lines.push(
      '## Failed jobs',
      '',
      'These jobs failed after their retries; the figures above do not include them.',
      '',
      '| job | method | seed | attempts | error |',
      '|---|---|---:|---:|---|',
      ...board.failed.map(
        (f) =>
          `| ${f.job_id} | ${f.method} | ${f.seed} | ${f.attempts} | ${f.error.replace(/\|/g, '\\|').replace(/\n/g, ' ')} |`,
      ),
      '',
    );
  }
  return lines.join('\n');
}

/** The leaderboard as a terminal table. */
export function leaderboardTable(board: Leaderboard): string {
  const header = ['rank', 'method', 'clean acc', 'corr. acc', 'rel. mCE', 'ECE', 'eq. gap'];
  const rows = board.rows.map((r) => [
    String(r.rank),
    r.method,
    pct(r.clean_acc),
    pct(r.corruption_acc),
    num(r.rel_mce),
    pct(r.ece),
    num(r.equivariance_gap),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const fmt = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
  const semLines = board.sem.map(
    (s) => `  ${s.method} vs ${s.baseline}: corruption acc ${diff(s.corruption_acc)}; clean acc ${diff(s.clean_acc)}`,
  );
  const failedLines = board.failed.length
    ? [
        '',
        `FAILED (${board.failed.length}, not in the table):`,
        ...board.failed.map(
          (f) => `  ${f.method} seed ${f.seed} after ${f.attempts} attempt(s): ${f.error.split('\n')[0]}`,
        ),
      ]
    : [];
  return [fmt(header), fmt(widths.map((w) => '-'.repeat(w))), ...rows.map(fmt), '', ...semLines, ...failedLines].join(
    '\n',
  );
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const COLORS = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
  '#393b79',
  '#637939',
];

/** Line chart: accuracy vs severity (0 = clean) per method. */
export function severityChart(board: Leaderboard): string {
  const W = 640;
  const H = 400;
  const m = { l: 60, r: 160, t: 30, b: 50 };
  const x = (s: number) => m.l + (s / 5) * (W - m.l - m.r);
  const y = (a: number) => m.t + (1 - a) * (H - m.t - m.b);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  ];
  parts.push(`<text x="${W / 2 - 80}" y="18">accuracy vs severity (${esc(board.preset)})</text>`);
  for (let s = 0; s <= 5; s++) parts.push(`<text x="${x(s) - 4}" y="${H - m.b + 18}">${s}</text>`);
  for (let a = 0; a <= 1.0001; a += 0.2) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(a)}" y2="${y(a)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.l - 36}" y="${y(a) + 4}">${(a * 100).toFixed(0)}%</text>`);
  }
  parts.push(`<text x="${W / 2 - 60}" y="${H - 10}">severity (0 = clean)</text>`);
  board.rows.forEach((r, i) => {
    const pts = [r.clean_acc.mean, ...r.severity_acc].map((a, s) => `${x(s).toFixed(1)},${y(a).toFixed(1)}`).join(' ');
    const color = COLORS[i % COLORS.length];
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts}"/>`);
    parts.push(`<text x="${W - m.r + 10}" y="${m.t + 16 * i + 10}" fill="${color}">${esc(r.method)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Grouped bar chart: accuracy per corruption per method. */
export function corruptionChart(board: Leaderboard): string {
  const names = Object.keys(board.rows[0]?.corruption_acc_by_name ?? {});
  const W = 900;
  const H = 420;
  const m = { l: 50, r: 150, t: 30, b: 110 };
  const groupW = (W - m.l - m.r) / Math.max(1, names.length);
  const barW = (groupW * 0.8) / Math.max(1, board.rows.length);
  const y = (a: number) => m.t + (1 - a) * (H - m.t - m.b);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
  ];
  parts.push(`<text x="${W / 2 - 100}" y="18">accuracy per corruption (${esc(board.preset)})</text>`);
  for (let a = 0; a <= 1.0001; a += 0.2) {
    parts.push(`<line x1="${m.l}" x2="${W - m.r}" y1="${y(a)}" y2="${y(a)}" stroke="#ddd"/>`);
    parts.push(`<text x="${m.l - 36}" y="${y(a) + 4}">${(a * 100).toFixed(0)}%</text>`);
  }
  names.forEach((c, k) => {
    const gx = m.l + k * groupW;
    board.rows.forEach((r, i) => {
      const a = r.corruption_acc_by_name[c];
      parts.push(
        `<rect x="${(gx + groupW * 0.1 + i * barW).toFixed(1)}" y="${y(a).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(0) - y(a)).toFixed(1)}" fill="${COLORS[i % COLORS.length]}"/>`,
      );
    });
    parts.push(
      `<text transform="translate(${(gx + groupW / 2).toFixed(1)},${H - m.b + 10}) rotate(50)">${esc(c)}</text>`,
    );
  });
  board.rows.forEach((r, i) => {
    parts.push(
      `<text x="${W - m.r + 10}" y="${m.t + 16 * i + 10}" fill="${COLORS[i % COLORS.length]}">${esc(r.method)}</text>`,
    );
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Writes leaderboard.md, leaderboard.json, severity.svg and corruptions.svg into `dir`, atomically. */
export async function writeLeaderboard(dir: string, board: Leaderboard, command: string): Promise<string[]> {
  const files: Array<[string, string]> = [
    ['leaderboard.md', leaderboardMarkdown(board, command)],
    ['leaderboard.json', `${JSON.stringify({ command, ...board }, null, 2)}\n`],
    ['severity.svg', severityChart(board)],
    ['corruptions.svg', corruptionChart(board)],
  ];
  for (const [name, text] of files) await writeAtomic(join(dir, name), text);
  return files.map(([name]) => join(dir, name));
}
