// Builds LEADERBOARD.md from results directories that `pnpm bench` wrote, so the committed file is exactly what
// the runs produced: each preset's leaderboard.md (headings one level down, charts copied to docs/ under the
// preset's name), then docs/leaderboard-notes.md (our own reading, written by hand after looking at the numbers);
// docs/leaderboard-summary.md, the reading in short, goes before the boards.
//   node scripts/leaderboard-doc.mjs results/quick results/sem-ablation
import { copyFileSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const dirs = process.argv.slice(2);
if (dirs.length === 0) {
  console.error('usage: node scripts/leaderboard-doc.mjs <results dir>...');
  process.exit(2);
}
// Each results directory's leaderboard.json names the command that wrote it.
const commands = dirs.map((dir) => {
  const file = join(dir, 'leaderboard.json');
  if (!existsSync(file)) {
    console.error(`${file}: missing; run pnpm bench for that preset first`);
    process.exit(1);
  }
  return JSON.parse(readFileSync(file, 'utf8')).command.replace(/^pnpm /, 'npx -y pnpm@9.15.9 ');
});
const parts = [
  '# semix leaderboard',
  '',
  'Each section below is the `leaderboard.md` that `pnpm bench` wrote for one preset, pasted by',
  `\`node scripts/leaderboard-doc.mjs ${dirs.join(' ')}\`; the command that reproduces it is printed in it. Charts`,
  'are the SVGs of the same run, copied to docs/. Our reading of the numbers follows them. Regenerate all of it from a',
  `clone of this repository with \`${commands.join(' && ')} && node scripts/leaderboard-doc.mjs ${dirs.join(' ')}\`.`,
  '',
];
// Our verdict in a few lines, led by the controls, before the boards it reads (written by hand, like the notes).
const summary = join(root, 'docs', 'leaderboard-summary.md');
if (existsSync(summary)) parts.push(readFileSync(summary, 'utf8').trimEnd(), '');
for (const dir of dirs) {
  const file = join(dir, 'leaderboard.md');
  if (!existsSync(file)) {
    console.error(`${file}: missing; run pnpm bench for that preset first`);
    process.exit(1);
  }
  const { preset } = JSON.parse(readFileSync(join(dir, 'leaderboard.json'), 'utf8'));
  for (const svg of readdirSync(dir).filter((f) => f.endsWith('.svg'))) {
    copyFileSync(join(dir, svg), join(root, 'docs', `${preset}-${svg}`));
  }
  const text = readFileSync(file, 'utf8')
    .replace(/^(#+) /gm, '#$1 ')
    .replace(/\]\(([\w.+-]+\.svg)\)/g, (_, svg) => `](docs/${preset}-${basename(svg)})`);
  parts.push(text.trimEnd(), '');
}
const notes = join(root, 'docs', 'leaderboard-notes.md');
if (existsSync(notes)) parts.push(readFileSync(notes, 'utf8').trimEnd(), '');
const out = join(root, 'LEADERBOARD.md');
writeFileSync(`${out}.tmp`, parts.join('\n'));
renameSync(`${out}.tmp`, out);
console.log(`wrote ${out}`);
