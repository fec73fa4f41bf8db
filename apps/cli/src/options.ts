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
