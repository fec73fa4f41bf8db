// Bundles setup.ts (the pack, tfjs-core's ESM dist and its specs, tfjs-backend-wasm) with esbuild and runs it under
// jasmine. Prints one line a failed spec and the totals; writes them to ../../reports/tfjs-core-ops.json (counted
// by scripts/ci-summary.mjs) unless --no-report. Exit code 1 when a spec fails or none ran.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { build } from 'esbuild';
import Jasmine from 'jasmine';

const here = import.meta.dirname;
const require = createRequire(join(here, '..', 'package.json'));
const wasmDir = `${dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'))}/dist/`;
const work = mkdtempSync(join(tmpdir(), 'tfjs-core-ops-'));
const bundle = join(work, 'specs.cjs');
const counts = { passed: 0, failed: 0, excluded: 0 };
const failures = [];
try {
  await build({
    entryPoints: [join(here, 'setup.ts')],
    bundle: true,
    platform: 'node',
    format: 'cjs',
    // tfjs-core's `main` is a CommonJS bundle; the specs import its ESM files: take `module` everywhere, so that
    // there is one tfjs-core.
    mainFields: ['module', 'main'],
    // tfjs-core's package.json `sideEffects` omits its *_test.js files, which tests.js imports for their effect.
    ignoreAnnotations: true,
    outfile: bundle,
    logLevel: 'error',
  });
  process.env.TFJS_WASM_DIR = wasmDir;
  const runner = new Jasmine();
  runner.exitOnCompletion = false;
  runner.env.configure({ random: false });
  runner.clearReporters();
  runner.addReporter({
    // A spec file that throws while loading, or an afterAll that fails, reports here, not as a spec.
    suiteDone(result) {
      for (const e of result.failedExpectations) failures.push(`${result.fullName}: ${e.message}`);
      counts.failed += result.failedExpectations.length;
    },
    jasmineDone(result) {
      for (const e of result.failedExpectations) failures.push(`(top level): ${e.message}`);
      counts.failed += result.failedExpectations.length;
    },
    specDone(result) {
      if (result.status === 'passed') counts.passed += 1;
      else if (result.status === 'failed') {
        counts.failed += 1;
        failures.push(`${result.fullName}: ${result.failedExpectations.map((e) => e.message).join('; ')}`);
      } else {
        counts.excluded += 1;
        if (process.env.DEBUG_SPECS) console.log(result.status, result.fullName);
      }
    },
  });
  runner.addSpecFile(bundle);
  await runner.execute();
} finally {
  rmSync(work, { recursive: true, force: true });
}
for (const f of failures) console.log(`✗ ${f.slice(0, 400)}`);
console.log(
  `tfjs-core op tests on wasm + pack: ${counts.passed} passed, ${counts.failed} failed (${counts.excluded} filtered out)`,
);
if (!process.argv.includes('--no-report')) {
  const reports = resolve(here, '../../../reports');
  mkdirSync(reports, { recursive: true });
  writeFileSync(
    join(reports, 'tfjs-core-ops.json'),
    JSON.stringify({ numPassedTests: counts.passed, numFailedTests: counts.failed, failures }, null, 2),
  );
}
process.exitCode = counts.failed > 0 || counts.passed === 0 ? 1 : 0;
