/** Option values: parsed, or a usage error (exit 2) that names the option, the value and what is allowed. */
export class UsageError extends Error {}

/** The backends `--backend` accepts (kept here, not imported from @semix/core, so `semix --help` stays instant). */
export const BACKENDS = ['auto', 'tensorflow', 'wasm', 'cpu'] as const;

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

/** The method flags of `train` and `bench`, as commander parses them. */
export interface MethodFlags {
  alpha?: string;
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
  'mix.mode': '--mix-mode',
  'mix.labelSmoothing': '--label-smoothing',
  'sem.weight': '--sem-weight',
  'sem.distance': '--sem-distance',
  'sem.stopGradTarget': '--sem-stop-grad / --no-sem-stop-grad',
  'sem.normalize': '--sem-normalize / --no-sem-normalize',
  'sem.temperature': '--sem-temperature',
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
