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
