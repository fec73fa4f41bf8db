/**
 * The report page's script (bundled into report.html by page_bundle.ts): reads the inlined data, builds the
 * tables, places the charts charts.ts drew (the page draws none itself) and fills the gallery. The tables' cells
 * come from leaderboard.md's formatters and the verdicts' words, captions and footnotes from verdict.ts, the one
 * formatter of verdicts, so the page and the Markdown say the same thing, in the same order.
 */
import { AA_MARKER } from '../family';
import type { Family, Leaderboard } from '../leaderboard';
import { num, pct } from '../leaderboard_text';
import { tableNotes } from '../table_notes';
import { aaText, controlsNote, familyCaption, rankingRule, roundingFloorNote } from '../verdict';
import { DATA_ELEMENT_ID, type ReportData } from './data';
import { el, note, section, svgNode } from './dom';
import { effectsSection } from './effects';
import { leaderboardTable } from './table';
import { comparisonCells, pairedTable } from './verdicts';

function readData(): ReportData {
  const script = document.getElementById(DATA_ELEMENT_ID);
  if (!script?.textContent) throw new Error(`report: the page has no #${DATA_ELEMENT_ID} data`);
  const data = JSON.parse(script.textContent) as ReportData;
  if (data.schema !== 'semix-report-v2')
    throw new Error(`report: data schema ${JSON.stringify(data.schema)}, this page reads semix-report-v2`);
  return data;
}

function header(root: HTMLElement, data: ReportData) {
  const board = data.board;
  root.append(el('h1', {}, 'semix leaderboard: ', el('code', { text: board.preset })));
  root.append(el('p', { text: board.description }));
  root.append(el('p', {}, 'Reproduce with: ', el('code', { id: 'command', text: data.command })));
  const meta = el('table', { class: 'meta' });
  const row = (k: string, v: string) => meta.append(el('tr', {}, el('th', { text: k }), el('td', { text: v })));
  row(
    'records',
    data.records === null
      ? 'not given to the report writer'
      : `${data.records} (${board.failed.length} failed, ${board.stale} stale not shown)`,
  );
  row('backend', data.backends.join(', ') || 'n/a');
  for (const [k, v] of Object.entries(data.versions)) row(k, v.join(', '));
  row('commit', data.commits.join(', ') || 'n/a');
  row('wall time', `${data.wall_time_s.toFixed(1)} s (sum over jobs)`);
  if (data.created.length) row('run', `${data.created[0]} … ${data.created[data.created.length - 1]}`);
  root.append(meta);
  if (board.reading.length) {
    const s = section(root, 'What the numbers say (computed from the tables below)', 'reading');
    s.append(el('ul', {}, ...board.reading.map((r) => el('li', { text: r }))));
  }
}

/** The ids of the table's footnotes (tableNotes' paragraphs), by how each begins. */
const footnoteId = (text: string) =>
  text.startsWith('¹ ') ? 'rel-mce-footnote' : text.startsWith('n/a ') ? 'mce-na-footnote' : undefined;

function leaderboardSection(root: HTMLElement, data: ReportData) {
  const board = data.board;
  const s = section(root, 'Leaderboard', 'leaderboard');
  s.append(
    note(rankingRule(board.headline), { id: 'ranking-rule' }),
    note(
      'Hover a rank for the methods it counts. Mean ± sample std over seeds. Click a column to sort (the ranks stay with their methods); click a method for its full options. The marker before a method is its mark in the charts.',
    ),
    leaderboardTable(board, data.styles),
  );
  // Every note leaderboard.md prints under its table, in its order (its lines joined: the page reflows them).
  for (const lines of tableNotes(board)) {
    const text = lines.join(' ');
    s.append(note(text, { id: footnoteId(text), class: 'note table-note' }));
  }
}

/** One figure per chart, with the chart's kind and suite for readers (and the browser test). */
function figure(parent: HTMLElement, chart: ReportData['charts'][number]) {
  parent.append(
    el(
      'figure',
      { class: 'chart', 'data-chart': chart.kind, 'data-suite': chart.suite },
      el('figcaption', { text: chart.caption }),
      svgNode(chart.svg),
    ),
  );
}

function suiteSections(root: HTMLElement, data: ReportData) {
  for (const suite of data.board.suites) {
    const s = section(root, `Suite ${suite}`, `suite-${suite}`);
    const charts = data.charts.filter((c) => (c.kind === 'severity' || c.kind === 'corruptions') && c.suite === suite);
    if (!charts.length) s.append(note('No results yet.'));
    for (const c of charts) figure(s, c);
  }
}

/** The training curves curves.ts drew from the records' history; without records, why there are none. */
function curvesSection(root: HTMLElement, data: ReportData) {
  const s = section(root, 'Training curves', 'curves');
  const charts = data.charts.filter((c) => c.kind === 'curves');
  if (!charts.length)
    s.append(
      note(
        data.records === null
          ? 'No training curves: the report was written without its records (leaderboard.json holds no per-epoch history).'
          : 'No training curves: the records hold no per-epoch history.',
      ),
    );
  for (const c of charts) figure(s, c);
}

/** A table's family caption (verdict.ts's), as leaderboard.md writes it under or above the table. */
const caption = (board: Leaderboard, family: Family, rows: string) =>
  note(familyCaption(family, board.alpha, board.equivalence_margin, rows), { class: 'note caption' });

/** The controls against erm and the A/A rate, before SEM as in leaderboard.md; nothing without a control row. */
function controlsSection(root: HTMLElement, board: Leaderboard) {
  if (!board.controls.length) return;
  const s = section(root, 'Controls against erm (control − erm, paired over seeds)', 'controls');
  s.append(
    pairedTable(board, board.controls, 'controls-table'),
    caption(board, board.controls_family, 'controls against erm'),
    note(controlsNote(AA_MARKER)),
  );
  if (board.aa) s.append(note(aaText(board.aa, board.alpha), { id: 'aa-rate' }));
}

function semSection(root: HTMLElement, data: ReportData) {
  const board = data.board;
  const s = section(root, 'Does SEM help? (X+sem − X, paired over seeds, 95% t-interval)', 'sem');
  if (!board.sem.length) {
    s.append(
      note('No comparison: this grid has no X+sem method whose base X (with the same mixing options) has results.'),
    );
    return;
  }
  s.append(
    pairedTable(board, board.sem, 'sem-table'),
    caption(board, board.sem_family, 'SEM variants against their base'),
    note(roundingFloorNote(board.evaluated_on)),
  );
  for (const c of data.charts.filter((x) => x.kind === 'sem')) figure(s, c);
}

function ablationSection(root: HTMLElement, data: ReportData) {
  const board = data.board;
  if (!board.ablation.length) return;
  const s = section(root, 'Ablation: one option at a time, against its base configuration', 'ablation');
  for (const t of board.ablation) {
    s.append(el('h3', {}, el('code', { text: t.option }), ` (base: ${t.base})`));
    if (t.family.tests) s.append(caption(board, t.family, `the values of \`${t.option}\` against the base`));
    const heads = [
      t.option,
      'method',
      'seeds',
      'clean acc (%)',
      ...board.suites.map((x) => `${x} acc (%)`),
      'equivariance gap',
      'Δ clean',
      ...board.suites.map((x) => `Δ ${x}`),
      'Δ gap',
    ];
    const table = el('table', { class: 'ablation-table' }, el('tr', {}, ...heads.map((h) => el('th', { text: h }))));
    for (const e of t.entries) {
      const tr = el(
        'tr',
        {},
        el('td', { class: 'label', text: JSON.stringify(e.value) }),
        el('td', { class: 'label', text: e.label }),
      );
      const r = e.row;
      if (!r) tr.append(el('td', { class: 'failed', colspan: heads.length - 2, text: `failed (${e.failed} job(s))` }));
      else
        tr.append(
          el('td', { text: String(r.seeds.length) }),
          el('td', { text: pct(r.clean_acc) }),
          ...board.suites.map((x) => el('td', { text: pct(r.suites[x].corruption_acc) })),
          el('td', { text: num(r.equivariance_gap, 4) }),
          ...comparisonCells(board, e.vs_base),
        );
      table.append(tr);
    }
    s.append(table);
  }
  for (const c of data.charts.filter((x) => x.kind === 'ablation')) figure(s, c);
}

function failedSection(root: HTMLElement, board: Leaderboard) {
  if (!board.failed.length) return;
  const s = section(root, 'Failed jobs', 'failed');
  s.append(
    note(
      'These jobs diverged, ended near chance or failed after their retries; the figures above do not include them.',
    ),
  );
  const heads = ['job', 'method', 'seed', 'reason', 'attempts', 'detail'];
  const t = el('table', {}, el('tr', {}, ...heads.map((h) => el('th', { text: h }))));
  for (const f of board.failed)
    t.append(
      el(
        'tr',
        {},
        ...[f.job_id, f.label, f.seed, f.reason, f.attempts, f.error].map((v, i) =>
          el('td', { class: i === 1 || i === 5 ? 'label' : undefined, text: String(v) }),
        ),
      ),
    );
  s.append(t);
}

/** A few of the evaluated images (test or validation, as the board says) under each corruption. */
function gallerySection(root: HTMLElement, data: ReportData) {
  const s = section(root, 'Corruption gallery', 'gallery');
  const g = data.gallery;
  if ('unavailable' in g) {
    s.append(note(`No gallery: ${g.unavailable}`));
    return;
  }
  s.append(
    note(
      `The first ${g.count === 1 ? '' : `${g.count} `}evaluated ${data.board.evaluated_on ?? 'test'} image${g.count === 1 ? '' : 's'} of each suite: clean, then each severity, as the evaluation saw ${g.count === 1 ? 'it' : 'them'}; one tile per corruption.`,
    ),
  );
  for (const text of g.notes) s.append(note(text));
  if (!g.suites.length && !g.notes.length) s.append(note('This preset evaluates no corruption suite.'));
  for (const suite of g.suites) {
    s.append(el('h3', { text: `${suite.suite} (columns: ${suite.columns.join(', ')})` }));
    s.append(
      el(
        'div',
        { class: 'gallery', 'data-suite': suite.suite },
        ...suite.images.map((img) =>
          // The tile names its corruption in its own pixels: no caption under it, the name on hover.
          el(
            'figure',
            { title: img.corruption },
            el('img', { src: `data:image/png;base64,${img.png}`, alt: `${suite.suite} ${img.corruption}` }),
          ),
        ),
      ),
    );
  }
}

function render() {
  const data = readData();
  const root = document.getElementById('report');
  if (!root) throw new Error('report: the page has no #report element');
  root.replaceChildren();
  header(root, data);
  leaderboardSection(root, data);
  suiteSections(root, data);
  curvesSection(root, data);
  controlsSection(root, data.board);
  semSection(root, data);
  effectsSection(root, data);
  ablationSection(root, data);
  failedSection(root, data.board);
  gallerySection(root, data);
  // Tests (and anyone scripting the page) wait for this: everything above is drawn.
  document.body.setAttribute('data-ready', 'true');
}

render();
