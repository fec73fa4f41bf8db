// The page's charts (Observable Plot), one function each, over the runs the visitor shows: every run in its own
// colour, the same colour in every chart and in the run list.
import * as Plot from '@observablehq/plot';
import type { CorruptionResult, CurvePoint, StepLog } from './demo';

/** What a chart needs of a run. */
export interface ChartRun {
  label: string;
  colour: string;
  log: readonly StepLog[];
  accuracy: readonly CurvePoint[];
  gap: readonly CurvePoint[];
  corruptions: readonly CorruptionResult[];
}

const HEIGHT = 210;

const colourScale = (runs: readonly ChartRun[]) => ({
  domain: runs.map((r) => r.label),
  range: runs.map((r) => r.colour),
});

interface Row {
  run: string;
  step: number;
  value: number;
}

function stepDomain(runs: readonly ChartRun[]): [number, number] {
  const last = Math.max(1, ...runs.map((r) => r.log.at(-1)?.step ?? 0), ...runs.map((r) => r.gap.at(-1)?.step ?? 0));
  return [0, last];
}

/**
 * One line per run over the steps. `smooth`: each step's value faint, and its mean over the last 10 steps drawn
 * over it (a loss on random mixed batches is noisy step to step).
 */
export function stepChart(
  runs: readonly ChartRun[],
  points: (run: ChartRun) => ReadonlyArray<{ step: number; value: number }>,
  options: { y: string; width: number; domain?: [number, number]; smooth?: boolean },
): Element {
  const rows: Row[] = runs.flatMap((run) => points(run).map((p) => ({ run: run.label, step: p.step, value: p.value })));
  const line = { x: 'step', y: 'value', z: 'run', stroke: 'run' } as const;
  const marks: Plot.Markish[] = options.smooth
    ? [
        Plot.lineY(rows, { ...line, strokeOpacity: 0.25 }),
        Plot.lineY(rows, Plot.windowY({ k: 10, anchor: 'end' }, { ...line, strokeWidth: 2 })),
      ]
    : [
        Plot.lineY(rows, { ...line, strokeWidth: 2 }),
        Plot.dot(rows, Plot.selectLast({ x: 'step', y: 'value', z: 'run', fill: 'run', r: 3 })),
      ];
  return Plot.plot({
    width: options.width,
    height: HEIGHT,
    marginLeft: 48,
    color: colourScale(runs),
    x: { label: 'step', domain: stepDomain(runs) },
    y: { label: options.y, grid: true, ...(options.domain ? { domain: options.domain } : { zero: true }) },
    marks: [...marks, ...(rows.length === 0 ? [Plot.text(['no run shown yet'], { frameAnchor: 'middle' })] : [])],
  });
}

/** A loss part of every step (`ce`, `sem`), for the runs that have it. */
export const lossPart = (part: string) => (run: ChartRun) =>
  run.log.filter((l) => l.losses[part] !== undefined).map((l) => ({ step: l.step, value: l.losses[part] }));

/** Each run's accuracy on the clean test images at its last step: the images the corruptions are made from. */
const cleanRows = (runs: readonly ChartRun[]) =>
  runs
    .filter((r) => r.corruptions.length > 0 && r.accuracy.length > 0)
    .map((r) => ({ run: r.label, accuracy: r.accuracy.at(-1)!.value }));

/**
 * The CIFAR-style suite: per run, the mean accuracy over its corruptions at each severity (a line), each corruption
 * faint behind it, and the run's clean accuracy on the same images as a dashed line. The axis starts below the
 * lowest of them, not at 0.
 */
export function severityChart(runs: readonly ChartRun[], width: number): Element {
  const results = runs.flatMap((run) =>
    run.corruptions.filter((r) => r.suite === 'cifar10-c').map((r) => ({ ...r, run: run.label })),
  );
  const means = runs.flatMap((run) =>
    [1, 2, 3, 4, 5].flatMap((severity) => {
      const at = results.filter((r) => r.run === run.label && r.severity === severity);
      if (at.length === 0) return [];
      return [{ run: run.label, severity, accuracy: at.reduce((a, r) => a + r.accuracy, 0) / at.length }];
    }),
  );
  // From the tenth below the lowest accuracy shown: runs a point or two apart stay apart.
  const lowest = Math.min(...results.map((r) => r.accuracy), ...cleanRows(runs).map((r) => r.accuracy));
  const floor = Number.isFinite(lowest) ? Math.max(0, Math.floor(lowest * 10) / 10 - 0.1) : 0;
  return Plot.plot({
    width,
    height: HEIGHT + 20,
    marginLeft: 48,
    color: colourScale(runs),
    x: { label: 'severity', ticks: [1, 2, 3, 4, 5], tickFormat: 'd', domain: [1, 5] },
    y: { label: 'accuracy', domain: [floor, 1], grid: true },
    marks: [
      Plot.ruleY(cleanRows(runs), { y: 'accuracy', stroke: 'run', strokeDasharray: '5,3', strokeWidth: 1.5 }),
      Plot.dot(results, { x: 'severity', y: 'accuracy', stroke: 'run', r: 2, strokeOpacity: 0.45, tip: true }),
      Plot.lineY(means, { x: 'severity', y: 'accuracy', z: 'run', stroke: 'run', strokeWidth: 2 }),
      Plot.dot(means, { x: 'severity', y: 'accuracy', fill: 'run', r: 3.5 }),
    ],
  });
}

/** MNIST-C: per corruption, one bar per run, and each run's clean accuracy as a dashed line across. */
export function mnistCChart(runs: readonly ChartRun[], width: number): Element {
  const results = runs.flatMap((run) =>
    run.corruptions.filter((r) => r.suite === 'mnist-c').map((r) => ({ ...r, run: run.label })),
  );
  const shown = runs.filter((r) => results.some((x) => x.run === r.label));
  const corruptions = [...new Set(results.map((r) => r.corruption))];
  return Plot.plot({
    width,
    height: Math.max(HEIGHT, 40 + corruptions.length * Math.max(1, shown.length) * 14),
    marginLeft: 80,
    color: colourScale(runs),
    x: { label: 'accuracy', domain: [0, 1], grid: true },
    y: { axis: null, domain: shown.map((r) => r.label) },
    fy: { label: null, domain: corruptions },
    marks: [
      Plot.barX(results, { x: 'accuracy', y: 'run', fy: 'corruption', fill: 'run', tip: true }),
      Plot.ruleX(cleanRows(shown), { x: 'accuracy', stroke: 'run', strokeDasharray: '5,3', strokeWidth: 1.5 }),
      Plot.frame({ strokeOpacity: 0.15 }),
    ],
  });
}
