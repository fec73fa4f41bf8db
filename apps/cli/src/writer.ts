import { join } from 'node:path';
import { lockDirectory, removeStaleTemps } from '@semix/datasets/node';

/**
 * Makes this process the one writer of `dir` (a run or results directory) until it exits: another live writer's
 * lock is refused (exit 1 naming its pid and host); a killed writer's is taken over, and the temp files it left in
 * `dir` and its `subdirs` are removed, each with a message. Held to the process's end, so that no early return or
 * error path of a command leaves the directory unguarded while it still writes.
 */
export async function holdDirectory(dir: string, subdirs: string[] = []): Promise<void> {
  await lockDirectory(dir, {
    command: `semix ${process.argv.slice(2).join(' ')}`,
    onStaleLock: (o, file) =>
      console.error(
        `semix: took over ${file} from pid ${o.pid} on ${o.host} (${o.command}, since ${o.started}), which no longer runs`,
      ),
  });
  const removed = await removeStaleTemps([dir, ...subdirs.map((s) => join(dir, s))]);
  if (removed.length)
    console.error(`semix: removed ${removed.length} temp file(s) a killed writer left: ${removed.join(', ')}`);
}
