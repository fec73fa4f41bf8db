/**
 * The speed suite: pnpm bench:speed (or semix speed). Prints a table and writes results/speed.json.
 */
import { resolve } from 'node:path';
import { writeAtomic } from '@semix/env/node';
import { runSpeedSuite, speedJson, speedTable } from '../src/speed/speed';

const result = await runSpeedSuite({ onLog: (line) => console.error(line) });
console.log(speedTable(result));
// Temp file, then rename: an interrupted run leaves the last speed.json whole.
const out = resolve(process.env.INIT_CWD ?? '.', 'results', 'speed.json');
await writeAtomic(out, speedJson(result));
console.log(`wrote ${out}`);
