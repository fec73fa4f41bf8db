/**
 * semix's settings, one object for every package (modelled on transformers.js `env`). Each field reads its
 * environment variable until it is assigned; an assignment wins over the variable, `undefined` gives it back.
 *
 *   import { env } from '@semix/env';
 *   env.offline = true;          // or SEMIX_OFFLINE=1
 *   env.cacheDir = '/data/semix'; // or SEMIX_CACHE=/data/semix
 */

export const LOG_LEVELS = ['silent', 'error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface Settings {
  /**
   * Downloads and generated corruption suites; null: `$XDG_CACHE_HOME/semix`, else `~/.cache/semix`, as
   * `cacheDir()` from `@semix/env/node` resolves it. `SEMIX_CACHE`.
   */
  cacheDir: string | null;
  /** No download is attempted; a data set missing from the cache is an error saying so. `SEMIX_OFFLINE` (1/true). */
  offline: boolean;
  /** How much semix prints unasked (default 'warn'). `SEMIX_LOG_LEVEL`. */
  logLevel: LogLevel;
  /** Register @semix/tfjs-wasm-train's kernels when wasm is selected (default true). `SEMIX_KERNEL_PACK` (0/false/off). */
  kernelPack: boolean;
  /**
   * The kernel pack multiplies-adds through relaxed SIMD (f32x4.relaxed_madd: fused on x64 with FMA3 and on arm64)
   * where the engine has it; on Node 20, whose V8 has it behind --experimental-wasm-relaxed-simd, selecting wasm
   * switches that flag on for the process (default true). False: the plain SIMD multiply and add, as on an engine
   * without it. The two differ by a rounding per multiply-add. `SEMIX_RELAXED_SIMD` (0/false/off). The default
   * that `selectBackend` writes into the pack's one flags object (`kernelFlags.relaxedSimd`), where it is read.
   */
  relaxedSimd: boolean;
  /** The Python that runs the speed suite's PyTorch row; null: the first of python3, /usr/bin/python3 with torch. `SEMIX_PYTHON`. */
  python: string | null;
}

/** The environment variable behind each setting. */
export const ENV_VARS: Readonly<Record<keyof Settings, string>> = {
  cacheDir: 'SEMIX_CACHE',
  offline: 'SEMIX_OFFLINE',
  logLevel: 'SEMIX_LOG_LEVEL',
  kernelPack: 'SEMIX_KERNEL_PACK',
  relaxedSimd: 'SEMIX_RELAXED_SIMD',
  python: 'SEMIX_PYTHON',
};

export const DEFAULT_SETTINGS: Readonly<Settings> = {
  cacheDir: null,
  offline: false,
  logLevel: 'warn',
  kernelPack: true,
  relaxedSimd: true,
  python: null,
};

// A browser has no process: every setting is then its default until assigned.
const variable = (name: string): string | undefined => {
  const value = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env?.[name];
  return value === undefined || value === '' ? undefined : value;
};

function flag(name: string): boolean | undefined {
  const value = variable(name);
  if (value === undefined) return undefined;
  const v = value.toLowerCase();
  if (['1', 'true', 'on', 'yes'].includes(v)) return true;
  if (['0', 'false', 'off', 'no'].includes(v)) return false;
  throw new Error(`${name}: '${value}' is not valid; allowed: 1, true, on, yes, 0, false, off, no`);
}

function logLevel(value: unknown, field: string): LogLevel {
  if (!LOG_LEVELS.includes(value as LogLevel)) {
    throw new Error(`${field}: '${String(value)}' is not valid; allowed: ${LOG_LEVELS.join(', ')}`);
  }
  return value as LogLevel;
}

function fromEnvironment<K extends keyof Settings>(key: K): Settings[K] {
  const name = ENV_VARS[key];
  const read = (): unknown => {
    switch (key) {
      case 'offline':
      case 'kernelPack':
      case 'relaxedSimd':
        return flag(name);
      case 'logLevel': {
        const value = variable(name);
        return value === undefined ? undefined : logLevel(value, name);
      }
      default:
        return variable(name);
    }
  };
  return (read() ?? DEFAULT_SETTINGS[key]) as Settings[K];
}

function check<K extends keyof Settings>(key: K, value: Settings[K]): Settings[K] {
  const field = `env.${key}`;
  const type = typeof DEFAULT_SETTINGS[key];
  if (key === 'logLevel') return logLevel(value, field) as Settings[K];
  if (type === 'boolean' && typeof value !== 'boolean') {
    throw new Error(`${field}: ${JSON.stringify(value)} is not valid; expected true or false`);
  }
  if ((key === 'cacheDir' || key === 'python') && value !== null && (typeof value !== 'string' || value === '')) {
    throw new Error(`${field}: ${JSON.stringify(value)} is not valid; expected a non-empty path or null`);
  }
  return value;
}

const overrides: Partial<Settings> = {};

/** The settings. Reading a field gives its assigned value, else its environment variable, else the default. */
export const env = {} as Settings;
for (const key of Object.keys(DEFAULT_SETTINGS) as Array<keyof Settings>) {
  Object.defineProperty(env, key, {
    enumerable: true,
    get: () => (key in overrides ? overrides[key] : fromEnvironment(key)),
    set: (value: Settings[typeof key] | undefined) => {
      if (value === undefined) delete overrides[key];
      else (overrides as Record<string, unknown>)[key] = check(key, value);
    },
  });
}
