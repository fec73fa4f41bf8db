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

/** Usage errors exit 2: a value that is not allowed for an option. */
export class UsageError extends Error {}

export function intOption(field: string, value: string | undefined, min = 0): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min)
    throw new UsageError(`${field}: '${value}' is not valid; expected an integer >= ${min}`);
  return n;
}

export function numberOption(field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`${field}: '${value}' is not valid; expected a number >= 0`);
  return n;
}

export function choiceOption<T extends string>(
  field: string,
  value: string | undefined,
  allowed: readonly T[],
): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T))
    throw new UsageError(`${field}: '${value}' is not valid; allowed: ${allowed.join(', ')}`);
  return value as T;
}

/** Ctrl-C aborts the signal once (the command stops cleanly); a second Ctrl-C exits at once. */
export function interruptSignal(message: string): AbortSignal {
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort(new Error(message));
    process.once('SIGINT', () => process.exit(1));
  });
  return controller.signal;
}
