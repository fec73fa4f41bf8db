import { resolve } from 'node:path';
import { leaderboardTable, rebuildLeaderboard } from '@semix/bench';

/**
 * `semix leaderboard --out DIR`: rebuilds tables and charts from the grid and records of a results directory.
 * Unreadable records are named (exit 1) and their rows marked incomplete; records of other configurations are
 * counted, never shown.
 */
export async function leaderboard(opts: { out: string; json?: boolean }): Promise<void> {
  const {
    leaderboard: board,
    files,
    bad,
    stale,
  } = await rebuildLeaderboard(resolve(opts.out), `semix leaderboard --out ${opts.out}`);
  if (opts.json) console.log(JSON.stringify(board, null, 2));
  else console.log(`${leaderboardTable(board)}\n\nwrote ${files.join(', ')}`);
  if (stale && !opts.json) console.log(`${stale} record(s) of other configurations in records/ were not shown`);
  for (const b of bad) console.error(`semix: unreadable record ${b.file}: ${b.error}`);
  if (bad.length) process.exitCode = 1;
}
