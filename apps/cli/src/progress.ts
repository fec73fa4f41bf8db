import type { DataProgress } from '@semix/bench';
import cliProgress from 'cli-progress';

/** A progress display: a bar (cli-progress) on a terminal, plain lines when stdout is not a TTY or with --json. */
export interface Progress {
  update(done: number, detail?: string): void;
  stop(): void;
}

export function progress(label: string, total: number, opts: { quiet?: boolean; unit?: string } = {}): Progress {
  if (opts.quiet) return { update() {}, stop() {} };
  if (process.stdout.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% {value}/{total}${opts.unit ?? ''} {detail}`, hideCursor: true },
      cliProgress.Presets.legacy,
    );
    bar.start(total, 0, { detail: '' });
    return {
      update: (done, detail = '') => bar.update(done, { detail }),
      stop: () => bar.stop(),
    };
  }
  // Plain lines: about every 10%, and the end.
  let lastTenth = -1;
  return {
    update(done, detail = '') {
      const tenth = total > 0 ? Math.floor((10 * done) / total) : 10;
      if (tenth === lastTenth) return;
      lastTenth = tenth;
      console.log(`${label} ${done}/${total}${opts.unit ?? ''}${detail ? ` ${detail}` : ''}`);
    },
    stop() {},
  };
}

/** A data event of `bench` and `train`: bench's DataProgress. */
export type DataEvent = DataProgress;

/**
 * The bars of data events: one per downloaded file and one per suite, each with its own total, labelled
 * `download <file>`, `corrupt <suite>` while generating and `load <suite>` while reading the cache. A warning
 * (a cached file refused and regenerated or downloaded again) ends the bar and is printed on its own line.
 */
export function dataProgress(opts: { quiet?: boolean; bar?: typeof progress; warn?: (line: string) => void } = {}): {
  update(e: DataEvent): void;
  stop(): void;
} {
  const make = opts.bar ?? progress;
  const warn = opts.warn ?? ((line: string) => console.error(line));
  let bar: Progress | null = null;
  let barFor = '';
  const stop = () => {
    bar?.stop();
    bar = null;
    barFor = '';
  };
  return {
    update(e) {
      if (e.warning) {
        stop();
        warn(`semix: warning: ${e.warning}`);
        // A download's warning is an event of its own (nothing received yet); a suite's comes with its level.
        if (e.phase === 'download') return;
      }
      if (opts.quiet) return;
      const what = `${e.phase} ${e.phase === 'download' ? e.what : (e.suite ?? e.what)}`;
      if (!bar || barFor !== what) {
        stop();
        bar = make(what, e.total ?? 0, { unit: e.phase === 'download' ? ' bytes' : ' levels' });
        barFor = what;
      }
      bar.update(e.done, e.phase === 'download' ? '' : e.what);
    },
    stop,
  };
}
