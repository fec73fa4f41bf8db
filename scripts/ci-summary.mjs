// Prints the CI totals line from vitest's JSON report (reports/vitest.json), the packaging check's report
// (reports/pack.json) and tfjs-core's op tests on wasm with the kernel pack (reports/tfjs-core-ops.json, written by
// packages/tfjs-wasm-train/tfjs-core-ops/run.mjs). A failed step that produced no test report (install, lint,
// typecheck) counts as one failed test, so the line never reads all-green when CI failed.
import { existsSync, readFileSync } from 'node:fs';

const status = Number(process.argv[2] ?? 0);
let passed = 0;
let failed = 0;
let reports = 0;
for (const file of ['reports/vitest.json', 'reports/pack.json', 'reports/tfjs-core-ops.json']) {
  if (!existsSync(file)) continue;
  try {
    const report = JSON.parse(readFileSync(file, 'utf8'));
    passed += report.numPassedTests ?? 0;
    failed += report.numFailedTests ?? 0;
    reports += 1;
  } catch (error) {
    console.error(`ci-summary: cannot read ${file}: ${error.message}`);
    failed += 1;
  }
}
if (status !== 0 && failed === 0) failed = 1;
if (reports === 0 && status === 0) {
  console.error('ci-summary: no test report was written');
  failed = 1;
}
console.log(`tests: ${passed} passed, ${failed} failed`);
