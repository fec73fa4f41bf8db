import { statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { BACKEND_NAMES } from '@semix/core/names';

/** Option values: parsed, or a usage error (exit 2) that names the option, the value and what is allowed. */
export class UsageError extends Error {}

/**
 * The largest seed: core's MAX_SEED (2³² − 1; a seed is one 32-bit word), repeated here because this module loads
 * before any command and must not load TensorFlow.js (`semix --help` stays instant).
 */
export const MAX_SEED = 2 ** 32 - 1;

/**
 * The largest `--width`: core's MAX_WIDTH, repeated for the same reason. preact-resnet18 at width 4 has about 180 M
 * parameters (0.7 GB in float32; with gradients and Adam's two moments about 2.9 GB).
 */
export const MAX_WIDTH = 4;

/** An empty (or blank) value is refused: `--seed ''` would read as 0, `--out ''` as the working directory. */
export function refuseEmpty(field: string, value: unknown): void {
  if (typeof value === 'string' && value.trim() === '')
    throw new UsageError(`${field}: '${value}' is empty; give a value or leave the flag out`);
}

/** Linux's limits: NAME_MAX (bytes of one path component) and PATH_MAX (bytes of a path, with its NUL). */
const NAME_MAX = 255;
const PATH_MAX = 4096;

/** writeAtomic's temp file beside an output file: `<name>.<12 hex>.tmp`, 17 bytes longer than the name. */
const TEMP_SUFFIX_BYTES = '.0123456789ab.tmp'.length;

/**
 * Checks a directory flag before anything is written: its length within what the file system takes (else mkdir
 * fails with ENAMETOOLONG after other writes), and no file where it, or a folder above it, must be a directory.
 */
export function checkOutDir(field: string, path: string): void {
  checkOutPath(field, path, 'directory');
}

/**
 * Checks a file flag (`eval --out`, `speed --out`, `datasets preview --out`) before the work it saves is done: not
 * a directory, no file where a folder above it must be, and short enough for the temp file it is written through
 * (writeAtomic's `<name>.<12 hex>.tmp`: a name of 250 bytes fails only there, after the work). An existing file is
 * fine: it is replaced.
 */
export function checkOutFile(field: string, path: string): void {
  checkOutPath(field, path, 'file');
}

function checkOutPath(field: string, path: string, kind: 'directory' | 'file'): void {
  const full = resolve(path);
  const extra = kind === 'file' ? TEMP_SUFFIX_BYTES : 0;
  const why = extra ? ` (the temp file it is written through adds ${extra})` : '';
  const bytes = Buffer.byteLength(full);
  if (bytes > PATH_MAX - 1 - extra)
    throw new UsageError(`${field}: '${path}' is ${bytes} bytes long; allowed: at most ${PATH_MAX - 1 - extra}${why}`);
  const names = full.split('/');
  names.forEach((name, i) => {
    const n = Buffer.byteLength(name);
    const max = i === names.length - 1 ? NAME_MAX - extra : NAME_MAX;
    if (n > max)
      throw new UsageError(
        `${field}: '${path}' has a name of ${n} bytes; allowed: at most ${max} bytes a name${i === names.length - 1 ? why : ''}`,
      );
  });
  for (let p = full; ; p = dirname(p)) {
    let stat: ReturnType<typeof statSync>;
    try {
      stat = statSync(p, { throwIfNoEntry: false });
    } catch (error) {
      // ENOTDIR: a file above it; found as the walk goes up.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') throw error;
    }
    if (stat) {
      if (p === full && kind === 'file') {
        if (stat.isDirectory()) throw new UsageError(`${field}: '${p}' is a directory, not a file`);
        return;
      }
      if (!stat.isDirectory()) throw new UsageError(`${field}: '${p}' is a file, not a directory`);
      return;
    }
    if (dirname(p) === p) return;
  }
}

/** The backends `--backend` accepts: core's, or auto. From `@semix/core/names`, which loads no TensorFlow.js. */
export const BACKENDS = ['auto', ...BACKEND_NAMES] as const;

export function intOption(field: string, value: string | undefined, min = 0, max?: number): number | undefined {
  if (value === undefined) return undefined;
  refuseEmpty(field, value);
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || (max !== undefined && n > max))
    throw new UsageError(
      `${field}: '${value}' is not valid; expected an integer ${max === undefined ? `>= ${min}` : `from ${min} to ${max}`}`,
    );
  return n;
}

/** A seed flag: an integer from 0 to MAX_SEED (a larger one would alias a smaller one modulo 2³²). */
export const seedOption = (field: string, value: string | undefined) => intOption(field, value, 0, MAX_SEED);

export function numberOption(field: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  refuseEmpty(field, value);
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

/** The method flags of `train` and `bench`, as commander parses them. */
export interface MethodFlags {
  alpha?: string;
  cutmixAlpha?: string;
  switchProb?: string;
  mixMode?: string;
  labelSmoothing?: string;
  semWeight?: string;
  semDistance?: string;
  semStopGrad?: boolean;
  semNormalize?: boolean;
  semTemperature?: string;
}

/** Flag name of each method option path, for messages that speak the user's language. */
export const METHOD_FLAG_OF: Record<string, string> = {
  'mix.alpha': '--alpha',
  'mix.cutmixAlpha': '--cutmix-alpha',
  'mix.switchProb': '--switch-prob',
  'mix.mode': '--mix-mode',
  'mix.labelSmoothing': '--label-smoothing',
  'sem.weight': '--sem-weight',
  'sem.distance': '--sem-distance',
  'sem.stopGradTarget': '--sem-stop-grad / --no-sem-stop-grad',
  'sem.normalize': '--sem-normalize / --no-sem-normalize',
  'sem.temperature': '--sem-temperature',
  // Last: a message about `method.sem` itself (SEM on a policy it does not apply to) is --sem's.
  sem: '--sem',
};

/** Method option overrides from flags (values checked later, against the method they apply to). */
export function methodFlagOptions(flags: MethodFlags): { mix: Record<string, unknown>; sem: Record<string, unknown> } {
  const mix: Record<string, unknown> = {};
  const sem: Record<string, unknown> = {};
  const number = (field: string, v: string) => {
    const n = Number(v);
    if (v.trim() === '' || !Number.isFinite(n))
      throw new UsageError(`${field}: '${v}' is not valid; expected a number`);
    return n;
  };
  if (flags.alpha !== undefined) mix.alpha = number('--alpha', flags.alpha);
  if (flags.cutmixAlpha !== undefined) mix.cutmixAlpha = number('--cutmix-alpha', flags.cutmixAlpha);
  if (flags.switchProb !== undefined) mix.switchProb = number('--switch-prob', flags.switchProb);
  if (flags.mixMode !== undefined) mix.mode = flags.mixMode;
  if (flags.labelSmoothing !== undefined) mix.labelSmoothing = number('--label-smoothing', flags.labelSmoothing);
  if (flags.semWeight !== undefined) sem.weight = number('--sem-weight', flags.semWeight);
  if (flags.semDistance !== undefined) sem.distance = flags.semDistance;
  if (flags.semStopGrad !== undefined) sem.stopGradTarget = flags.semStopGrad;
  if (flags.semNormalize !== undefined) sem.normalize = flags.semNormalize;
  if (flags.semTemperature !== undefined) sem.temperature = number('--sem-temperature', flags.semTemperature);
  return { mix, sem };
}

/** Rewrites a library error about a method option path (`method.sem.weight: …`) in terms of its flag. */
export function flagError(message: string): string {
  for (const [path, flag] of Object.entries(METHOD_FLAG_OF)) {
    const m = new RegExp(`^(?:[\\w\\[\\].]*\\.)?${path.replace('.', '\\.')}: `).exec(message);
    if (m) return `${flag}: ${message.slice(m[0].length)}`;
  }
  return message;
}
