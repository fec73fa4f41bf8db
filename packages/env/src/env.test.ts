import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, env } from './index';

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
  for (const key of Object.keys(DEFAULT_SETTINGS) as Array<keyof typeof DEFAULT_SETTINGS>) {
    (env as unknown as Record<string, unknown>)[key] = undefined;
  }
});

describe('env', () => {
  it('defaults, then environment variables, then assignments; undefined gives the variable back', () => {
    delete process.env.SEMIX_CACHE;
    delete process.env.SEMIX_OFFLINE;
    delete process.env.SEMIX_RELAXED_SIMD;
    expect(env.cacheDir).toBeNull();
    expect(env.offline).toBe(false);
    expect(env.kernelPack).toBe(true);
    expect(env.relaxedSimd).toBe(true);
    process.env.SEMIX_CACHE = '/tmp/from-env';
    process.env.SEMIX_OFFLINE = 'true';
    process.env.SEMIX_KERNEL_PACK = 'off';
    process.env.SEMIX_RELAXED_SIMD = '0';
    process.env.SEMIX_LOG_LEVEL = 'debug';
    process.env.SEMIX_PYTHON = '/opt/py/bin/python';
    expect({ ...env }).toEqual({
      cacheDir: '/tmp/from-env',
      offline: true,
      logLevel: 'debug',
      kernelPack: false,
      relaxedSimd: false,
      python: '/opt/py/bin/python',
    });
    env.cacheDir = '/tmp/assigned';
    env.offline = false;
    expect(env.cacheDir).toBe('/tmp/assigned');
    expect(env.offline).toBe(false);
    env.cacheDir = undefined as never;
    expect(env.cacheDir).toBe('/tmp/from-env');
  });

  it('bad values name the variable or field, the value and what is allowed', () => {
    process.env.SEMIX_OFFLINE = 'maybe';
    expect(() => env.offline).toThrow(
      "SEMIX_OFFLINE: 'maybe' is not valid; allowed: 1, true, on, yes, 0, false, off, no",
    );
    process.env.SEMIX_LOG_LEVEL = 'loud';
    expect(() => env.logLevel).toThrow(
      "SEMIX_LOG_LEVEL: 'loud' is not valid; allowed: silent, error, warn, info, debug",
    );
    expect(() => {
      env.logLevel = 'chatty' as never;
    }).toThrow("env.logLevel: 'chatty' is not valid");
    expect(() => {
      env.kernelPack = 'no' as never;
    }).toThrow('env.kernelPack: "no" is not valid; expected true or false');
    expect(() => {
      env.cacheDir = '' as never;
    }).toThrow('env.cacheDir: "" is not valid; expected a non-empty path or null');
  });
});
