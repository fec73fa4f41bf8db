/**
 * The same leaderboard from the same records, number for number: the committed `quick` and `sem-ablation` runs
 * (records, grid and the leaderboard.md / leaderboard.json the bench wrote from them, the run LEADERBOARD.md shows)
 * are read and the board built again. Any change to reading records, statistics, ranks or formatting that moves a
 * number or a word shows here as a diff against what the bench printed.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readGrid } from '../plan/grid';
import type { FailedRecord, ResultRecord } from '../run/records';
import { readFailed, readRecord, recordFile } from '../run/store';
import { buildLeaderboard } from './leaderboard';
import { leaderboardMarkdown } from './leaderboard_text';

const fixtures = join(import.meta.dirname, '__fixtures__', 'boards');

describe.each(['quick', 'sem-ablation'])('the committed %s board', (preset) => {
  it('is rebuilt from its records byte for byte', async () => {
    const dir = join(fixtures, preset);
    const grid = await readGrid(dir);
    const records: ResultRecord[] = [];
    const failures: FailedRecord[] = [];
    for (const job of grid.jobs) {
      const read = await readRecord(recordFile(dir, job.id), job.id);
      if (read?.ok) {
        records.push(read.record);
        continue;
      }
      const failed = read ? read : await readFailed(dir, job.id);
      if (!failed?.ok) throw new Error(`${job.id}: ${failed ? failed.error : 'missing'}`);
      failures.push(failed.record);
    }
    // Every file in the fixture belongs to the grid: nothing left out, nothing stale.
    expect(records.length + failures.length).toBe(grid.jobs.length);
    expect((await readdir(join(dir, 'records'))).length).toBe(records.length);
    const board = buildLeaderboard(grid, records, { failures, unreadable: [], missing: [], stale: 0 });
    const expectedJson = JSON.parse(await readFile(join(dir, 'leaderboard.json'), 'utf8'));
    const { command, ...expectedBoard } = expectedJson;
    expect(JSON.parse(JSON.stringify(board))).toEqual(expectedBoard);
    expect(leaderboardMarkdown(board, command)).toBe(await readFile(join(dir, 'leaderboard.md'), 'utf8'));
  });
});
