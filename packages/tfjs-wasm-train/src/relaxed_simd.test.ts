import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compareRelaxed, type RelaxedComparison } from './__fixtures__/relaxed_simd';
import { relaxedSimdSupported } from './wasm_asm';

/**
 * Both paths against cpu, and relaxed SIMD's fused multiply-add against the plain multiply and add: max |difference|
 * ≤ 5e-6 · max(1, max |reference|) (measured: at most 5e-7 either way, inputs in [−1, 1]).
 */
const RELAXED_TOLERANCE = 5e-6;

const fixture = fileURLToPath(new URL('./__fixtures__/relaxed_simd.ts', import.meta.url));
const nodeMajor = Number(process.versions.node.split('.')[0]);

describe('relaxed SIMD (f32x4.relaxed_madd) where the engine has it, the plain path otherwise', () => {
  it('is detected, never required: Node 20 without the flag has it not, and the kernels still run', () => {
    if (nodeMajor < 22 && !process.execArgv.some((a) => a.includes('relaxed-simd'))) {
      expect(relaxedSimdSupported()).toBe(false);
    }
    expect(typeof relaxedSimdSupported()).toBe('boolean');
  });

  it('both paths agree with cpu and with each other (in a child with --experimental-wasm-relaxed-simd if needed)', async () => {
    let result: RelaxedComparison;
    if (relaxedSimdSupported()) {
      result = await compareRelaxed();
    } else {
      const out = execFileSync(process.execPath, ['--experimental-wasm-relaxed-simd', '--import', 'tsx', fixture], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      });
      result = JSON.parse(out.trim().split('\n').pop() as string);
    }
    expect(result.supported).toBe(true);
    expect(result.cases.length).toBe(9);
    for (const c of result.cases) {
      expect(c.plainVsCpu, c.name).toBeLessThanOrEqual(RELAXED_TOLERANCE);
      expect(c.relaxedVsCpu, c.name).toBeLessThanOrEqual(RELAXED_TOLERANCE);
      expect(c.relaxedVsPlain, c.name).toBeLessThanOrEqual(RELAXED_TOLERANCE);
    }
  }, 120_000);

  it('enableRelaxedSimd switches it on at run time where Node has it behind the flag (a child without the flag)', () => {
    const hasSwitch = typeof (process as { getBuiltinModule?: unknown }).getBuiltinModule === 'function';
    const out = execFileSync(process.execPath, ['--import', 'tsx', fixture, 'enable'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    const result: RelaxedComparison = JSON.parse(out.trim().split('\n').pop() as string);
    // Node 20.16+ has the switch (process.getBuiltinModule); Node 22+ has relaxed SIMD without it.
    if (hasSwitch || nodeMajor >= 22) expect(result.supported).toBe(true);
    else expect(result.supported).toBe(false);
    for (const c of result.cases) {
      expect(c.relaxedVsCpu, c.name).toBeLessThanOrEqual(RELAXED_TOLERANCE);
      expect(c.relaxedVsPlain, c.name).toBeLessThanOrEqual(RELAXED_TOLERANCE);
    }
    // Where it is on, the fused path is taken: some output differs from the plain path's in its last bits.
    if (result.supported) expect(result.cases.some((c) => c.differs)).toBe(true);
  }, 120_000);
});
