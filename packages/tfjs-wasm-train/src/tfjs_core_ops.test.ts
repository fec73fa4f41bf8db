import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

// tfjs-core's own op tests run under jasmine in a process of their own (tfjs-core-ops/run.mjs): they need
// tfjs-core's ESM dist as one bundle and jasmine's globals, neither of which vitest provides.
it("tfjs-core's op tests for the kernels the pack replaces pass on wasm with the pack", () => {
  const script = fileURLToPath(new URL('../tfjs-core-ops/run.mjs', import.meta.url));
  const out = execFileSync(process.execPath, [script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  const totals = /(\d+) passed, (\d+) failed/.exec(out);
  expect(totals, out).not.toBeNull();
  expect(Number(totals?.[2])).toBe(0);
  // Fewer would mean the specs stopped loading (they register as a side effect of their import).
  expect(Number(totals?.[1])).toBeGreaterThanOrEqual(400);
}, 300_000);
