import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { leaderboardTable, rebuildLeaderboard } from '@semix/bench';
import { badRecordLine } from '@semix/bench/internal';
import { checkOutDir } from '../options';
import { holdDirectory } from '../writer';

/**
 * `semix leaderboard --out DIR`: rebuilds tables and charts from the grid and records of a results directory.
 * Records that are not shown (edited, damaged or unreadable) are named (exit 1) and their rows marked incomplete; records of other configurations are
 * counted, never shown. It writes the same files a bench does, so it takes the directory's lock too: while a
 * bench writes there it is refused (exit 1 naming the bench), never a board half of one state and half another.
 */
export async function leaderboard(opts: { out: string; json?: boolean }): Promise<void> {
  checkOutDir('--out', opts.out);
  const dir = resolve(opts.out);
  // A directory that is not there is rebuildLeaderboard's to report; locking would create it.
  if (existsSync(dir)) await holdDirectory(dir);
  const {
    leaderboard: board,
    files,
    bad,
    stale,
  } = await rebuildLeaderboard(resolve(opts.out), `semix leaderboard --out ${opts.out}`);
  if (opts.json) console.log(JSON.stringify(board, null, 2));
  else console.log(`${leaderboardTable(board)}\n\nwrote ${files.join(', ')}`);
  if (stale && !opts.json) console.log(`${stale} record(s) of other configurations in records/ were not shown`);
  for (const b of bad) console.error(`semix: ${badRecordLine(b)}`);
  if (bad.length) process.exitCode = 1;
}
