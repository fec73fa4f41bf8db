/** The suite's result as text (the table, the PyTorch lines, kernel breakdowns) and as JSON (speed.json). */
import type { InterleavedEntry, KernelProfile, RatioSummary, SpeedResult, SpeedRow } from './types';

/** `1 thread`, `2 threads`: how every row and line of the suite names a thread count. */
export const threadsLabel = (threads: number): string => `${threads} thread${threads === 1 ? '' : 's'}`;

/** The progress line of a row just timed. */
export function rowLogLine(row: SpeedRow): string {
  const samples = row.samplesPerSec === null ? '' : ` (${row.samplesPerSec.toFixed(0)} samples/s)`;
  const cold = row.coldMs === null ? '' : `, cold first call ${row.coldMs.toFixed(1)} ms`;
  return `  ${row.task}: ${row.msPerOp.toFixed(1)} ms${samples}${cold}`;
}

/** The suite as a plain-text table. */
export function speedTable(result: SpeedResult): string {
  const header = [
    'backend',
    'task',
    'ms/op (warm median)',
    'cold first call (ms)',
    'samples/s',
    'vs train step',
    'note',
  ];
  const body = result.rows.map((r) => [
    r.backend,
    r.task,
    Number.isNaN(r.msPerOp) ? '' : r.msPerOp.toFixed(2),
    r.coldMs === null || r.coldMs === undefined ? '' : r.coldMs.toFixed(1),
    r.samplesPerSec === null ? '' : r.samplesPerSec.toFixed(0),
    r.vsTrainStep === null ? '' : `${(100 * r.vsTrainStep).toFixed(1)}%`,
    r.note ?? '',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]))
      .join('  ')
      .trimEnd();
  const lines = [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)];
  if (result.wasmKernels) lines.push('', `wasm kernel pack: ${result.wasmKernels}`);
  lines.push('', `PyTorch reference step: ${result.pytorchNote}`);
  if (result.ratio !== null)
    lines.push(`semix (default backend, one thread) / PyTorch on this machine: ${result.ratio.toFixed(3)}`);
  if (result.parallelRatio !== null)
    lines.push(`semix (default backend, data-parallel threads) / PyTorch: ${result.parallelRatio.toFixed(3)}`);
  const interleaved = result.interleaved ?? [];
  if (interleaved.length) {
    lines.push(
      '',
      'Interleaved rounds (semix on wasm: one thread, or the batch split over data-parallel threads; PyTorch on as many; ratio = PyTorch ms / semix ms, above 1 semix is faster; median (range)):',
      ...interleaved.map((entry) => `  ${interleavedLine(entry)}`),
    );
  }
  for (const p of result.kernelProfiles ?? []) lines.push('', ...kernelTable(p));
  return lines.join('\n');
}

/**
 * One entry of the interleaved comparison as a line:
 * `cnn-small, 2 threads: train 1.12× (1.05–1.20), eval 1.31× (1.22–1.40); 3 rounds`, or why it was skipped.
 */
export function interleavedLine(entry: InterleavedEntry): string {
  const head = `${entry.model}, ${threadsLabel(entry.threads)}`;
  if ('skipped' in entry) return `${head}: skipped (${entry.skipped})`;
  const range = (r: RatioSummary) => `${r.median.toFixed(2)}× (${r.min.toFixed(2)}–${r.max.toFixed(2)})`;
  const n = entry.rounds.length;
  return `${head}: train ${range(entry.train)}, eval ${range(entry.eval)}; ${n} round${n === 1 ? '' : 's'}`;
}

/** A profile's kernels as table lines: those above 0.5% of the time, then the rest summed. */
export function kernelTable(p: KernelProfile, minShare = 0.005): string[] {
  const shown = p.kernels.filter((k) => k.share >= minShare);
  const rest = p.kernels.filter((k) => k.share < minShare);
  const body = shown.map((k) => [k.name, k.ms.toFixed(1), String(k.calls), `${(100 * k.share).toFixed(1)}%`]);
  if (rest.length) {
    const ms = rest.reduce((a, k) => a + k.ms, 0);
    const calls = rest.reduce((a, k) => a + k.calls, 0);
    const share = rest.reduce((a, k) => a + k.share, 0);
    body.push([`(${rest.length} others)`, ms.toFixed(1), String(calls), `${(100 * share).toFixed(1)}%`]);
  }
  const header = ['kernel', 'ms', 'calls', 'share'];
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  const scopes = (p.scopes ?? []).map((sc) => `${sc.name} ${sc.ms.toFixed(1)} ms × ${sc.calls}`);
  return [
    `Kernels of ${p.task} on ${p.backend}, one thread (tf.profile of one warm call: wall ${p.wallMs.toFixed(0)} ms, kernels ${p.kernelMs.toFixed(0)} ms):`,
    line(header),
    line(widths.map((w) => '-'.repeat(w))),
    ...body.map(line),
    ...(scopes.length ? [`(scopes around the kernels above, not added: ${scopes.join(', ')})`] : []),
  ];
}

/** speed.json: the result as indented JSON (a row not timed has msPerOp null, JSON having no NaN). */
export function speedJson(result: SpeedResult): string {
  return `${JSON.stringify(result, null, 2)}\n`;
}
