/** Writing a leaderboard's files: leaderboard.md, leaderboard.json, its SVG charts, its forest plots and report.html. */
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeAtomic } from '@semix/env/node';
import { chartFiles } from './charts';
import { forestFiles } from './forest';
import type { Leaderboard } from './leaderboard';
import { leaderboardMarkdown } from './leaderboard_text';
import { type ReportContext, reportHtml } from './report';

/** The names chartList and forestList give: what an earlier board may have left that this one does not draw. */
const CHART_FILE = /^(severity-.+|corruptions-.+|effects-.+|ablation)\.svg$/;

/**
 * Writes leaderboard.md, leaderboard.json, the SVG charts and report.html into `dir`, atomically, and removes the
 * charts of an earlier board it no longer draws (a severity chart once a suite has one severity, a suite no longer
 * evaluated), so that no chart in `dir` shows a state other than this board's.
 */
export async function writeLeaderboard(
  dir: string,
  board: Leaderboard,
  command: string,
  report: ReportContext = {},
): Promise<string[]> {
  const files: Array<[string, string]> = [
    ['leaderboard.md', leaderboardMarkdown(board, command)],
    ['leaderboard.json', `${JSON.stringify({ command, ...board }, null, 2)}\n`],
    ...chartFiles(board),
    ...forestFiles(board),
    ['report.html', reportHtml(board, command, report)],
  ];
  for (const [name, text] of files) await writeAtomic(join(dir, name), text);
  const drawn = new Set(files.map(([name]) => name));
  for (const name of await readdir(dir)) {
    if (CHART_FILE.test(name) && !drawn.has(name)) await rm(join(dir, name), { force: true });
  }
  return files.map(([name]) => join(dir, name));
}
