// The report page's script: reads the inlined data, builds the tables, draws the charts with Observable Plot
// (the `Plot` and `d3` globals of their browser builds, inlined before this script) and fills the gallery.
// Plain browser JavaScript, read as text by report.ts: it imports nothing and is not transpiled.
(() => {
  const data = JSON.parse(document.getElementById('semix-data').textContent);
  const board = data.board;
  const root = document.getElementById('report');
  root.replaceChildren();

  const el = (tag, attrs = {}, ...children) => {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (v === undefined || v === null || v === false) continue;
      if (k === 'text') e.textContent = v;
      else e.setAttribute(k, v === true ? '' : String(v));
    }
    for (const c of children) if (c !== null && c !== undefined) e.append(c);
    return e;
  };
  const section = (title, id) => {
    const s = el('section', { id });
    s.append(el('h2', { text: title }));
    root.append(s);
    return s;
  };
  const finite = (v) => typeof v === 'number' && Number.isFinite(v);
  // A single seed says so instead of printing "± 0.00", as leaderboard.md does.
  const pct = (s) =>
    !s || !finite(s.mean)
      ? 'n/a'
      : `${(100 * s.mean).toFixed(2)}${s.n >= 2 ? ` ± ${(100 * s.std).toFixed(2)}` : ' (n=1)'}`;
  const num = (s, digits = 3) =>
    !s || !finite(s.mean) ? 'n/a' : `${s.mean.toFixed(digits)}${s.n >= 2 ? ` ± ${s.std.toFixed(digits)}` : ' (n=1)'}`;
  const diff = (d, unit = 'pp') => {
    if (!d || d.n === 0) return 'n/a';
    const scale = unit === 'pp' ? 100 : 1;
    // '' is the angular equivariance gap, about 0.01 (1 − cos): four decimals.
    const f = (v) => (scale * v).toFixed(unit === 'pp' ? 2 : 4);
    const verdict =
      d.n < 2 ? 'one seed: no interval' : d.withinNoise ? 'within noise' : d.mean > 0 ? 'higher' : 'lower';
    return `${d.mean >= 0 ? '+' : ''}${f(d.mean)}${unit ? ` ${unit}` : ''}${d.n >= 2 ? ` [${f(d.low)}, ${f(d.high)}]` : ''} (${verdict}, n=${d.n}${d.floored ? ', rounding floor' : ''})`;
  };
  const labels = [...board.rows.map((r) => r.label), ...board.failedLabels];
  const color = { domain: labels, legend: true };

  // Header and provenance.
  root.append(el('h1', {}, 'semix leaderboard: ', el('code', { text: board.preset })));
  root.append(el('p', { text: board.description }));
  root.append(el('p', {}, 'Reproduce with: ', el('code', { id: 'command', text: data.command })));
  const meta = el('table', { class: 'meta' });
  const metaRow = (k, v) => meta.append(el('tr', {}, el('th', { text: k }), el('td', { text: v })));
  metaRow(
    'records',
    data.records === null
      ? 'not given to the report writer'
      : `${data.records} (${board.failed.length} failed, ${board.stale} stale not shown)`,
  );
  metaRow('backend', data.backends.join(', ') || 'n/a');
  for (const [k, v] of Object.entries(data.versions)) metaRow(k, v.join(', '));
  metaRow('commit', data.commits.join(', ') || 'n/a');
  metaRow('wall time', `${data.wall_time_s.toFixed(1)} s (sum over jobs)`);
  if (data.created.length) metaRow('run', `${data.created[0]} … ${data.created[data.created.length - 1]}`);
  root.append(meta);
  if (board.reading.length) {
    const s = section('What the numbers say (computed from the tables below)', 'reading');
    s.append(el('ul', {}, ...board.reading.map((r) => el('li', { text: r }))));
  }

  // The leaderboard table: sortable by any column, options of each method in its row.
  const lb = section('Leaderboard', 'leaderboard');
  lb.append(
    el('p', {
      class: 'note',
      text: `Ranked by ${board.headline ? `mean corruption accuracy on ${board.headline}` : 'clean accuracy'}: a method's rank is 1 + the number of methods better than it outside noise (every pair, paired over their common seeds by the 95% interval of the comparisons; better than one that is better counts too), so methods that share a rank (marked =) are within noise of each other. Hover a rank for the methods it counts. Mean ± sample std over seeds. Click a column to sort; click a method for its full options.`,
    }),
  );
  const columns = [
    { head: 'rank', value: (r) => r.rank, cell: (r) => rankCell(r) },
    { head: 'method', label: true, value: (r) => r.label, cell: (r) => methodCell(r) },
    { head: 'seeds', value: (r) => r.seeds.length, cell: (r) => String(r.seeds.length) },
    { head: 'clean acc (%)', value: (r) => r.clean_acc.mean, cell: (r) => pct(r.clean_acc) },
    ...board.suites.flatMap((s) => [
      {
        head: `${s} acc (%)`,
        value: (r) => r.suites[s].corruption_acc.mean,
        cell: (r) => pct(r.suites[s].corruption_acc),
      },
      { head: `${s} mCE`, value: (r) => r.suites[s].mce?.mean, cell: (r) => num(r.suites[s].mce) },
      { head: `${s} rel. mCE`, value: (r) => r.suites[s].rel_mce?.mean, cell: (r) => num(r.suites[s].rel_mce) },
    ]),
    { head: 'ECE (%)', value: (r) => r.ece.mean, cell: (r) => pct(r.ece) },
    { head: 'equivariance gap', value: (r) => r.equivariance_gap.mean, cell: (r) => num(r.equivariance_gap, 4) },
  ];
  function rankCell(r) {
    const peers = board.rows.filter((o) => o !== r && o.rank === r.rank).map((o) => o.label);
    const above = r.outranked_by.length
      ? `better outside noise: ${r.outranked_by.join(', ')}`
      : 'no method is better outside noise';
    return el('span', {
      class: peers.length ? 'shared' : undefined,
      title: `${above}${peers.length ? `; shares rank ${r.rank} with ${peers.join(', ')}` : ''}`,
      text: peers.length ? `${r.rank} =` : String(r.rank),
    });
  }
  function methodCell(r) {
    const options = JSON.stringify(r.method, null, 2);
    const d = el('details', { title: options }, el('summary', { text: r.label }), el('pre', { text: options }));
    if (r.incomplete) {
      const i = r.incomplete;
      d.append(
        el('div', {
          class: 'incomplete',
          text: `⚠ incomplete: ${i.found} of ${i.expected} seeds (${i.missing} not run, ${i.failed} failed, ${i.unreadable.length} unreadable)`,
        }),
      );
    }
    return d;
  }
  const table = el('table', { id: 'leaderboard-table' });
  const headRow = el('tr');
  const tbody = el('tbody');
  table.append(el('thead', {}, headRow), tbody);
  const failedRow = (label) => {
    const f = board.failed.filter((x) => x.label === label);
    const tr = el('tr', { 'data-label': label, class: 'failed-row' });
    tr.append(el('td', { text: '–' }), el('td', { class: 'label', text: label }));
    tr.append(el('td', { text: `0 of ${f.length}` }));
    tr.append(
      el('td', { class: 'failed', colspan: columns.length - 3, text: `failed: ${f[0]?.reason}: ${f[0]?.error ?? ''}` }),
    );
    return tr;
  };
  let sortBy = null;
  let ascending = true;
  const render = () => {
    const rows = [...board.rows];
    if (sortBy) {
      const v = sortBy.value;
      rows.sort((a, b) => {
        const x = v(a);
        const y = v(b);
        // Missing values sort last either way.
        if (x === undefined || x === null || Number.isNaN(x)) return 1;
        if (y === undefined || y === null || Number.isNaN(y)) return -1;
        const c = typeof x === 'string' ? x.localeCompare(y) : x - y;
        return ascending ? c : -c;
      });
    }
    tbody.replaceChildren(
      ...rows.map((r) => {
        const tr = el('tr', { 'data-label': r.label });
        for (const c of columns) tr.append(el('td', { class: c.label ? 'label' : undefined }, c.cell(r)));
        return tr;
      }),
      ...board.failedLabels.map(failedRow),
    );
    for (const [i, th] of [...headRow.children].entries()) {
      if (columns[i] === sortBy) th.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
      else th.removeAttribute('aria-sort');
    }
  };
  for (const c of columns) {
    const th = el('th', { class: `sortable${c.label ? ' label' : ''}`, text: c.head, title: 'sort by this column' });
    th.addEventListener('click', () => {
      // First click: best first (highest accuracy, lowest rank, error or gap); then it toggles.
      if (sortBy === c) ascending = !ascending;
      else {
        sortBy = c;
        ascending = c.head === 'rank' || c.label || /mCE|ECE|gap/.test(c.head);
      }
      render();
    });
    headRow.append(th);
  }
  render();
  lb.append(table);

  // Charts: one figure each, with the figure's kind and suite for readers (and the browser test).
  const chart = (parent, caption, kind, plot) => {
    const fig = el('figure', { class: 'chart', 'data-chart': kind });
    fig.append(el('figcaption', { text: caption }));
    fig.append(plot);
    parent.append(fig);
  };
  const errorBars = (points, opts) =>
    points.filter((p) => p.n >= 2).map((p) => ({ ...p, lo: p.mean - p.std, hi: p.mean + p.std, ...opts }));

  for (const suite of board.suites) {
    const s = section(`Suite ${suite}`, `suite-${suite}`);
    if (!board.rows.length) {
      s.append(el('p', { class: 'note', text: 'No results yet.' }));
      continue;
    }
    const severities = board.rows[0].suites[suite].severity_acc.length;
    const xs = ['clean', ...Array.from({ length: severities }, (_, k) => String(k + 1))];
    const sev = board.rows.flatMap((r) =>
      [r.clean_acc, ...r.suites[suite].severity_acc].map((p, k) => ({ method: r.label, severity: xs[k], ...p })),
    );
    chart(
      s,
      `Accuracy vs severity on ${suite} (mean over corruptions; clean: the same test images), ± std over seeds`,
      'severity',
      Plot.plot({
        width: 760,
        height: 380,
        marginRight: 20,
        x: { type: 'point', domain: xs, label: 'severity', padding: 0.3 },
        y: { label: 'accuracy (%)', percent: true, grid: true },
        color,
        marks: [
          Plot.lineY(sev, { x: 'severity', y: 'mean', stroke: 'method', strokeWidth: 2 }),
          Plot.dot(sev, {
            x: 'severity',
            y: 'mean',
            fill: 'method',
            r: 3,
            tip: true,
            title: (d) => `${d.method}, ${d.severity}: ${pct(d)}`,
          }),
          Plot.ruleX(errorBars(sev), { x: 'severity', y1: 'lo', y2: 'hi', stroke: 'method' }),
        ],
      }),
    );
    const names = Object.keys(board.rows[0].suites[suite].by_corruption);
    const bars = board.rows.flatMap((r) =>
      names.map((c) => ({ method: r.label, corruption: c, ...r.suites[suite].by_corruption[c] })),
    );
    // Bars start just below the lowest value (as the SVG charts do), so differences of a point stay visible;
    // the domain is in percent, as `percent: true` scales values before the domain applies.
    const low = Math.max(0, Math.min(...bars.map((b) => b.mean - (b.n >= 2 ? b.std : 0))) - 0.02);
    const high = Math.min(1, Math.max(...bars.map((b) => b.mean + (b.n >= 2 ? b.std : 0))) + 0.02);
    chart(
      s,
      `Accuracy per corruption on ${suite} (mean over severities), ± std over seeds`,
      'corruptions',
      Plot.plot({
        width: 1050,
        height: 420,
        marginBottom: 90,
        fx: { label: null, tickRotate: 40, padding: 0.15 },
        x: { axis: null, domain: board.rows.map((r) => r.label) },
        y: { label: 'accuracy (%)', percent: true, grid: true, domain: [100 * low, 100 * high] },
        color,
        marks: [
          Plot.barY(bars, {
            fx: 'corruption',
            x: 'method',
            y1: low,
            y2: 'mean',
            fill: 'method',
            tip: true,
            title: (d) => `${d.method}, ${d.corruption}: ${pct(d)}`,
          }),
          Plot.ruleX(errorBars(bars), { fx: 'corruption', x: 'method', y1: 'lo', y2: 'hi', stroke: '#000' }),
          Plot.ruleY([low]),
        ],
      }),
    );
  }

  // Does SEM help? Paired differences X+sem − X with their 95% intervals.
  const semSection = section('Does SEM help? (X+sem − X, paired over seeds, 95% t-interval)', 'sem');
  const metrics = [
    ...board.suites.map((s) => [`${s} acc`, (c) => c.corruption_acc[s]]),
    ['clean acc', (c) => c.clean_acc],
  ];
  if (board.sem.length) {
    const t = el('table', { id: 'sem-table' });
    t.append(
      el(
        'tr',
        {},
        ...['method', 'vs', ...metrics.map(([m]) => m), 'equivariance gap'].map((h) => el('th', { text: h })),
      ),
    );
    for (const c of board.sem)
      t.append(
        el(
          'tr',
          {},
          el('td', { class: 'label', text: c.label }),
          el('td', { class: 'label', text: c.baseline }),
          ...metrics.map(([, pick]) => el('td', { text: diff(pick(c)) })),
          el('td', { text: diff(c.equivariance_gap, '') }),
        ),
      );
    semSection.append(t);
    const points = board.sem
      .flatMap((c) =>
        metrics.map(([m, pick]) => ({ comparison: `${c.label} vs ${c.baseline}`, metric: m, ...pick(c) })),
      )
      .filter((p) => p.n > 0 && finite(p.mean));
    chart(
      semSection,
      'Paired difference in accuracy (percentage points), 95% interval over seeds; an interval across 0 is within noise',
      'sem',
      Plot.plot({
        width: 760,
        height: 60 + 40 * points.length,
        marginLeft: 200,
        marginRight: 150,
        fy: { label: null },
        x: { label: 'difference (pp)', grid: true, transform: (v) => 100 * v },
        y: { label: null },
        marks: [
          Plot.ruleX([0], { stroke: '#888' }),
          Plot.ruleY(
            points.filter((p) => p.n >= 2),
            { fy: 'metric', y: 'comparison', x1: 'low', x2: 'high', strokeWidth: 2 },
          ),
          Plot.dot(points, {
            fy: 'metric',
            y: 'comparison',
            x: 'mean',
            fill: (p) => (p.withinNoise ? '#888' : p.mean > 0 ? '#2a7' : '#c33'),
            r: 4,
            tip: true,
            title: (p) => `${p.comparison}, ${p.metric}: ${diff(p)}`,
          }),
        ],
      }),
    );
    semSection.append(
      el('p', {
        class: 'note',
        text: 'A difference whose interval contains 0 is within noise: it is not evidence either way.',
      }),
    );
  } else {
    semSection.append(
      el('p', {
        class: 'note',
        text: 'No comparison: this grid has no X+sem method whose base X (with the same mixing options) has results.',
      }),
    );
  }

  // Ablation: one table per option varied, and corruption accuracy against equivariance gap.
  if (board.ablation.length) {
    const ab = section('Ablation: one option at a time, against its base configuration', 'ablation');
    for (const t of board.ablation) {
      ab.append(el('h3', {}, el('code', { text: t.option }), ` (base: ${t.base})`));
      const table = el('table', { class: 'ablation-table' });
      table.append(
        el(
          'tr',
          {},
          ...[
            t.option,
            'method',
            'seeds',
            'clean acc (%)',
            ...board.suites.map((s) => `${s} acc (%)`),
            'equivariance gap',
            'Δ clean',
            ...board.suites.map((s) => `Δ ${s}`),
            'Δ gap',
          ].map((h) => el('th', { text: h })),
        ),
      );
      for (const e of t.entries) {
        const tr = el(
          'tr',
          {},
          el('td', { class: 'label', text: JSON.stringify(e.value) }),
          el('td', { class: 'label', text: e.label }),
        );
        if (!e.row)
          tr.append(
            el('td', { class: 'failed', colspan: 5 + 2 * board.suites.length, text: `failed (${e.failed} job(s))` }),
          );
        else {
          const r = e.row;
          const v = e.vs_base;
          tr.append(
            el('td', { text: String(r.seeds.length) }),
            el('td', { text: pct(r.clean_acc) }),
            ...board.suites.map((s) => el('td', { text: pct(r.suites[s].corruption_acc) })),
            el('td', { text: num(r.equivariance_gap, 4) }),
            el('td', { text: v ? diff(v.clean_acc) : '(base)' }),
            ...board.suites.map((s) => el('td', { text: v ? diff(v.corruption_acc[s]) : '(base)' })),
            el('td', { text: v ? diff(v.equivariance_gap, '') : '(base)' }),
          );
        }
        table.append(tr);
      }
      ab.append(table);
    }
    const suite = board.headline;
    const bases = new Set(board.ablation.map((t) => t.base));
    const pts = board.rows
      .filter((r) => finite(r.equivariance_gap.mean))
      .map((r) => {
        const acc = suite ? r.suites[suite].corruption_acc : r.clean_acc;
        return { method: r.label, base: bases.has(r.label), gap: r.equivariance_gap, acc, n: r.seeds.length };
      });
    const spread = pts.filter((p) => p.n >= 2);
    chart(
      ab,
      `${suite ?? 'clean'} accuracy vs equivariance gap 1 − cos(f(mix), mix(f)), ± std over seeds on both axes; squares: base configurations`,
      'ablation',
      Plot.plot({
        width: 760,
        height: 440,
        inset: 20,
        x: { label: 'equivariance gap (lower: more equivariant)', grid: true },
        y: { label: `${suite ?? 'clean'} accuracy (%)`, percent: true, grid: true },
        color,
        marks: [
          Plot.ruleY(spread, {
            y: (p) => p.acc.mean,
            x1: (p) => p.gap.mean - p.gap.std,
            x2: (p) => p.gap.mean + p.gap.std,
            stroke: 'method',
          }),
          Plot.ruleX(spread, {
            x: (p) => p.gap.mean,
            y1: (p) => p.acc.mean - p.acc.std,
            y2: (p) => p.acc.mean + p.acc.std,
            stroke: 'method',
          }),
          Plot.dot(pts, {
            x: (p) => p.gap.mean,
            y: (p) => p.acc.mean,
            fill: 'method',
            symbol: (p) => (p.base ? 'square' : 'circle'),
            r: 5,
            tip: true,
            title: (p) => `${p.method}: gap ${num(p.gap, 4)}, accuracy ${pct(p.acc)}`,
          }),
        ],
      }),
    );
  }

  if (board.failed.length) {
    const s = section('Failed jobs', 'failed');
    s.append(
      el('p', {
        class: 'note',
        text: 'These jobs diverged, ended near chance or failed after their retries; the figures above do not include them.',
      }),
    );
    const t = el('table');
    t.append(
      el('tr', {}, ...['job', 'method', 'seed', 'reason', 'attempts', 'detail'].map((h) => el('th', { text: h }))),
    );
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

  // The gallery: a few of the evaluated test images under each corruption.
  const gal = section('Corruption gallery', 'gallery');
  const g = data.gallery;
  if (g.unavailable) gal.append(el('p', { class: 'note', text: `No gallery: ${g.unavailable}` }));
  else {
    gal.append(
      el('p', {
        class: 'note',
        text: `The first ${g.count} evaluated test images of each suite: clean, then each severity, as the evaluation saw them.`,
      }),
    );
    for (const note of g.notes) gal.append(el('p', { class: 'note', text: note }));
    if (!g.suites.length && !g.notes.length)
      gal.append(el('p', { class: 'note', text: 'This preset evaluates no corruption suite.' }));
    for (const s of g.suites) {
      gal.append(el('h3', { text: `${s.suite} (columns: ${s.columns.join(', ')})` }));
      const box = el('div', { class: 'gallery', 'data-suite': s.suite });
      for (const img of s.images)
        box.append(
          el(
            'figure',
            {},
            el('img', { src: `data:image/png;base64,${img.png}`, alt: `${s.suite} ${img.corruption}` }),
            el('figcaption', { text: img.corruption }),
          ),
        );
      gal.append(box);
    }
  }
  document.body.setAttribute('data-ready', 'true');
})();
