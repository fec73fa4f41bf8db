import { resolve } from 'node:path';
import { leaderboardTable, rebuildLeaderboard } from '@semix/bench';

export async function leaderboard(opts: { out: string; json?: boolean }): Promise<void> {
  const {
    leaderboard: board,
    files,
    bad,
  } = await rebuildLeaderboard(resolve(opts.out), `semix leaderboard --out ${opts.out}`);
  for (const b of bad) console.error(`! ${b.file}: ${b.error}`);
  if (opts.json) console.log(JSON.stringify(board, null, 2));
  else console.log(`${leaderboardTable(board)}\n\nwrote ${files.join(', ')}`);
}
