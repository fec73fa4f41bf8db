// Packaging check: build, `pnpm pack` each publishable package, lint it with publint, install the tarballs with
// plain npm into a temporary project outside the workspace, and import every public entry there. Catches a
// missing `files` entry, broken `exports` and undeclared dependencies. Writes reports/pack.json.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pnpm = join(root, 'node_modules/.bin/pnpm');
const PACKAGES = ['tfjs-wasm-train', 'core', 'mixup', 'datasets', 'bench'];
// Symbols each package must export from its published entry.
const EXPECTED = {
  '@semix/tfjs-wasm-train': ['registerAll', 'WASM_KERNEL_PACK'],
  '@semix/core': ['selectBackend', 'createModel'],
  '@semix/mixup': [],
  '@semix/datasets': [],
  '@semix/bench': [],
};
const results = [];
const check = (name, fn) => {
  try {
    fn();
    results.push({ name, ok: true });
    console.log(`✓ ${name}`);
  } catch (error) {
    results.push({ name, ok: false, error: String(error.stderr ?? error.message ?? error) });
    console.log(`✗ ${name}\n${String(error.stdout ?? '')}${String(error.stderr ?? error.message ?? error)}`);
  }
};
const run = (cmd, args, cwd) => execFileSync(cmd, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });

const work = mkdtempSync(join(tmpdir(), 'semix-pack-'));
const tarballs = join(work, 'tarballs');
mkdirSync(tarballs);
try {
  check('build all packages', () => run(pnpm, ['build'], root));
  for (const dir of PACKAGES) {
    const pkgDir = join(root, 'packages', dir);
    const { name } = JSON.parse(readFileSync(join(pkgDir, 'package.json'), 'utf8'));
    check(`${name}: pnpm pack`, () => run(pnpm, ['pack', '--pack-destination', tarballs], pkgDir));
    check(`${name}: publint`, () => run(join(root, 'node_modules/.bin/publint'), ['--strict', pkgDir], root));
  }
  const project = join(work, 'app');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    JSON.stringify({ name: 'semix-pack-check', private: true, type: 'module' }),
  );
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  const tf = [
    '@tensorflow/tfjs-core@4.22.0',
    '@tensorflow/tfjs-backend-cpu@4.22.0',
    '@tensorflow/tfjs-backend-wasm@4.22.0',
  ];
  check('npm install the tarballs outside the workspace', () =>
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...files, ...tf], project),
  );
  for (const [name, symbols] of Object.entries(EXPECTED)) {
    check(`${name}: import from the installed tarball`, () => {
      const script = `const m = await import(${JSON.stringify(name)}); const missing = ${JSON.stringify(symbols)}.filter((s) => !(s in m)); if (missing.length) { console.error('missing exports: ' + missing); process.exit(1); } if (Object.keys(m).length === 0) { console.error('empty module'); process.exit(1); } await import(${JSON.stringify(`${name}/package.json`)}, { with: { type: 'json' } });`;
      run(process.execPath, ['--input-type=module', '-e', script], project);
    });
  }
  // The data-parallel trainer starts dist/parallel/worker.js from inside node_modules and imports the method's
  // module there: train two threads from the installed tarballs.
  check('@semix/core + @semix/mixup: train({ workers: 2 }) from the installed tarballs', () => {
    const script = `
      import { createModel, selectBackend, train } from '@semix/core';
      import { methodSpec } from '@semix/mixup';
      await selectBackend('wasm');
      const n = 64;
      const data = { images: Uint8Array.from({ length: n * 64 }, (_, i) => (i * 37) % 256), labels: Uint8Array.from({ length: n }, (_, i) => i % 3), shape: [8, 8, 1], numClasses: 3 };
      const model = createModel({ arch: 'cnn-small', inputShape: [8, 8, 1], numClasses: 3, seed: 0 });
      const r = await train({ model, data, epochs: 1, batchSize: 16, method: methodSpec('mixup+sem'), workers: 2 });
      if (!(r.steps === 4 && Number.isFinite(r.history[0].sem))) { console.error(JSON.stringify(r)); process.exit(1); }`;
    // Run as users do: -e code (a worker must not inherit it) and a V8 option (a worker may not be given it).
    run(process.execPath, ['--max-old-space-size=4096', '--input-type=module', '-e', script], project);
  });
} finally {
  rmSync(work, { recursive: true, force: true });
}
const failed = results.filter((r) => !r.ok).length;
mkdirSync(join(root, 'reports'), { recursive: true });
writeFileSync(
  join(root, 'reports/pack.json'),
  JSON.stringify({ numPassedTests: results.length - failed, numFailedTests: failed, results }, null, 2),
);
console.log(`packaging check: ${results.length - failed} passed, ${failed} failed`);
process.exitCode = failed ? 1 : 0;
