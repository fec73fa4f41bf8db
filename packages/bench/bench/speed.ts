/**
 * The speed suite: pnpm bench:speed (or semix speed). Prints a table and writes results/speed.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { runSpeedSuite, speedTable } from '../src/speed';

const result = await runSpeedSuite({ onLog: (line) => console.error(line) });
console.log(speedTable(result));
const out = resolve(process.env.INIT_CWD ?? '.', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(resolve(out, 'speed.json'), `${JSON.stringify(result, null, 2)}\n`);
console.log(`wrote ${resolve(out, 'speed.json')}`);
