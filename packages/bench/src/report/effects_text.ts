/**
 * The per-corruption effects (the board's `corruption_effects`) as leaderboard.md writes them: per suite a table of
 * corruptions × comparisons, its caption, the corruption of each SEM comparison's largest effect, and the links to
 * the forest plots (forest.ts draws them under the file names given here). Plain functions over the board, no Node
 * built-ins, so the page's script uses them too and says the same.
 */
import type { CorruptionEffect, CorruptionEffects, Leaderboard } from './types';
import { differenceInterval, effectMarkdown, effectsCaption } from './verdict';

/** The heading of the per-corruption section, in leaderboard.md and on the page. */
export const EFFECTS_HEADING =
  'Per corruption: where each comparison differs (row − baseline, paired over seeds, 95% t-interval)';

/** A comparison as a column head: `noise − erm`. */
export const comparisonName = (c: Pick<CorruptionEffects, 'label' | 'baseline'>) => `${c.label} − ${c.baseline}`;

/** A label as a file name's part: ASCII letters, digits, `.`, `+` and `-`, each run of anything else one `-`. */
const slug = (s: string) =>
  s
    .replace(/[^A-Za-z0-9.+-]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^-|-$/g, '');

/**
 * The forest plot file of each comparison with effects, `effects-<label>-vs-<baseline>.svg` (a second comparison
 * whose names make the same file gets `-2`), in the order of `corruption_effects`.
 */
export function forestList(
  board: Pick<Leaderboard, 'corruption_effects'>,
): Array<{ file: string; effects: CorruptionEffects }> {
  const used = new Set<string>();
  const drawn = board.corruption_effects.filter((c) => c.suites.some((s) => s.corruptions.length));
  return drawn.map((effects) => {
    const stem = `effects-${slug(effects.label)}-vs-${slug(effects.baseline)}`;
    let file = `${stem}.svg`;
    for (let k = 2; used.has(file); k++) file = `${stem}-${k}.svg`;
    used.add(file);
    return { file, effects };
  });
}

/** The suites on which some comparison has per-corruption effects. */
export function effectSuites(board: Pick<Leaderboard, 'corruption_effects' | 'suites'>): string[] {
  return board.suites.filter((s) =>
    board.corruption_effects.some((c) => c.suites.some((x) => x.suite === s && x.corruptions.length)),
  );
}

/** One suite's table: the corruptions (in the first comparison's order), a column per comparison. */
export function effectsTable(
  board: Pick<Leaderboard, 'corruption_effects'>,
  suite: string,
): { corruptions: string[]; columns: Array<{ effects: CorruptionEffects; cells: Map<string, CorruptionEffect> }> } {
  const columns = board.corruption_effects.map((effects) => ({
    effects,
    cells: new Map(
      (effects.suites.find((x) => x.suite === suite)?.corruptions ?? []).map((e): [string, CorruptionEffect] => [
        e.corruption,
        e,
      ]),
    ),
  }));
  const corruptions = [...new Set(columns.flatMap((c) => [...c.cells.keys()]))];
  return { corruptions, columns };
}

/** The suite's corruption of largest effect (|difference|) of a comparison, or undefined without one. */
export function largestEffect(effects: CorruptionEffects, suite: string): CorruptionEffect | undefined {
  const list = (effects.suites.find((x) => x.suite === suite)?.corruptions ?? []).filter((e) =>
    Number.isFinite(e.mean),
  );
  return list.reduce<CorruptionEffect | undefined>(
    (a, e) => (!a || Math.abs(e.mean) > Math.abs(a.mean) ? e : a),
    undefined,
  );
}

/** The line under a suite's table naming where each SEM comparison's effect is largest; null without one. */
export function largestEffectsLine(board: Pick<Leaderboard, 'corruption_effects'>, suite: string): string | null {
  const parts = board.corruption_effects
    .filter((c) => c.table === 'sem')
    .flatMap((c) => {
      const e = largestEffect(c, suite);
      return e ? [`${comparisonName(c)}: ${e.corruption} ${differenceInterval(e)} (${e.verdict})`] : [];
    });
  return parts.length
    ? `Largest per-corruption effect of each SEM comparison on \`${suite}\`: ${parts.join('; ')}.`
    : null;
}

const cell = (s: string) => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

/** The per-corruption section of leaderboard.md; empty without effects. */
export function effectsMarkdown(board: Leaderboard): string[] {
  const suites = effectSuites(board);
  if (!suites.length) return [];
  const lines = ['', `## ${EFFECTS_HEADING}`];
  for (const suite of suites) {
    const { corruptions, columns } = effectsTable(board, suite);
    const severities = Math.max(
      ...columns.map((c) => c.effects.suites.find((x) => x.suite === suite)?.severities ?? 0),
    );
    lines.push(
      '',
      `### \`${suite}\``,
      '',
      `| corruption | ${columns.map((c) => cell(comparisonName(c.effects))).join(' | ')} |`,
      `|---|${columns.map(() => '---:|').join('')}`,
      ...corruptions.map(
        (name) => `| ${cell(name)} | ${columns.map((c) => cell(effectMarkdown(c.cells.get(name)))).join(' | ')} |`,
      ),
      '',
      effectsCaption(suite, corruptions.length, severities, board.alpha, board.equivalence_margin),
    );
    const largest = largestEffectsLine(board, suite);
    if (largest) lines.push('', largest);
  }
  lines.push(
    '',
    ...forestList(board).map(({ file, effects }) => `![per-corruption effects, ${comparisonName(effects)}](${file})`),
    '',
  );
  return lines;
}
