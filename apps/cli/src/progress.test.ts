import { describe, expect, it } from 'vitest';
import { type DataEvent, dataProgress } from './progress';

/** A bar factory that records what each bar was asked to show. */
function bars() {
  const made: Array<{ label: string; total: number; values: number[]; stopped: boolean }> = [];
  const bar = (label: string, total: number) => {
    const b = { label, total, values: [] as number[], stopped: false };
    made.push(b);
    return {
      update: (done: number) => {
        b.values.push(done);
      },
      stop: () => {
        b.stopped = true;
      },
    };
  };
  return { made, bar };
}

const levels = (phase: DataEvent['phase'], suite: string, total: number): DataEvent[] =>
  Array.from({ length: total }, (_, i) => ({ phase, done: i + 1, total, what: `c ${i}`, suite }));

describe('dataProgress', () => {
  it('draws one bar per suite with its own total, and says load for a cached suite', () => {
    const { made, bar } = bars();
    const view = dataProgress({ bar, warn: () => {} });
    for (const e of [...levels('load', 'mnist-mini-mnist-c', 15), ...levels('load', 'mnist-mini-c', 75)])
      view.update(e);
    view.stop();
    expect(made.map((b) => [b.label, b.total, Math.max(...b.values), b.stopped])).toEqual([
      ['load mnist-mini-mnist-c', 15, 15, true],
      ['load mnist-mini-c', 75, 75, true],
    ]);
  });

  it('prints a warning on its own line and goes on with a bar for what follows', () => {
    const { made, bar } = bars();
    const warnings: string[] = [];
    const view = dataProgress({ bar, warn: (line) => warnings.push(line) });
    const events = levels('load', 'mnist-mini-c', 4);
    events[2] = { ...events[2], phase: 'corrupt', warning: '/c/glass_blur-3.u8: SHA-256 a, expected b; regenerated' };
    for (const e of events) view.update(e);
    expect(warnings).toEqual(['semix: warning: /c/glass_blur-3.u8: SHA-256 a, expected b; regenerated']);
    expect(made.map((b) => [b.label, b.total, b.values, b.stopped])).toEqual([
      ['load mnist-mini-c', 4, [1, 2], true],
      ['corrupt mnist-mini-c', 4, [3], true],
      ['load mnist-mini-c', 4, [4], false],
    ]);
  });

  it("a download's warning is a line of its own: no bar drawn from it", () => {
    const { made, bar } = bars();
    const warnings: string[] = [];
    const view = dataProgress({ bar, warn: (line) => warnings.push(line) });
    view.update({
      phase: 'download',
      done: 0,
      total: null,
      what: 'fog.npy',
      warning: 'fog.npy: SHA-256 x; unpacked again',
    });
    view.update({ phase: 'download', done: 10, total: 20, what: 'a.gz' });
    expect(warnings).toHaveLength(1);
    expect(made.map((b) => [b.label, b.total])).toEqual([['download a.gz', 20]]);
  });

  it('prints warnings even when quiet (--json), and draws nothing', () => {
    const { made, bar } = bars();
    const warnings: string[] = [];
    const view = dataProgress({ quiet: true, bar, warn: (line) => warnings.push(line) });
    view.update({ phase: 'download', done: 0, total: null, what: 'a.gz', warning: 'a.gz: MD5 x, expected y' });
    expect(made).toEqual([]);
    expect(warnings).toHaveLength(1);
  });
});
