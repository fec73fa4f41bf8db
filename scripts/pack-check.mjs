// Packaging check: build, `pnpm pack` each publishable package, lint it with publint, install the tarballs with
// plain npm into a temporary project outside the workspace, and import every public entry there. Catches a
// missing `files` entry, broken `exports` and undeclared dependencies. Writes reports/pack.json.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const pnpm = join(root, 'node_modules/.bin/pnpm');
const PACKAGES = ['env', 'tfjs-wasm-train', 'core', 'mixup', 'datasets', 'bench'];
// Symbols each package must export from its published entry.
const EXPECTED = {
  '@semix/env': ['env', 'DEFAULT_SETTINGS'],
  '@semix/env/node': ['writeAtomic', 'tempBeside', 'cacheDir'],
  '@semix/tfjs-wasm-train': ['registerAll', 'WASM_KERNEL_PACK'],
  '@semix/core': ['selectBackend', 'createModel', 'train'],
  '@semix/core/node': ['train', 'loadModel', 'saveCheckpoint'],
  '@semix/core/internal': ['DataParallel', 'startWorker'],
  '@semix/core/names': ['ARCHITECTURES', 'BACKEND_NAMES'],
  '@semix/mixup': [],
  '@semix/mixup/internal': ['dft2'],
  // In Node, "." still re-exports /node's functions for one release (deprecated): loadMnistMini checks it does.
  '@semix/datasets': ['corruptionSuite', 'splitValidation', 'loadMnistMini'],
  '@semix/datasets/node': ['corruptionSuite', 'loadMnistMini', 'writeAtomic', 'validationSplit'],
  '@semix/datasets/browser': ['corruptionSuite', 'corruptImages', 'corruptMnistC'],
  '@semix/bench': ['runBench', 'readRecord'],
  '@semix/bench/internal': ['jobId', 'recordText'],
};
const results = [];

/** Throws unless `project/node_modules` holds one tfjs-core and no @semix file bundles tfjs-core's gradients. */
function assertOneTfjsCore(project) {
  const found = [];
  const walk = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      const path = join(dir, entry.name);
      if (path.endsWith(join('@tensorflow', 'tfjs-core'))) found.push(path);
      else walk(path);
    }
  };
  walk(join(project, 'node_modules'));
  if (found.length !== 1) throw new Error(`expected one @tensorflow/tfjs-core, found ${found.length}: ${found}`);
  const semix = join(project, 'node_modules', '@semix');
  for (const pkg of existsSync(semix) ? readdirSync(semix) : []) {
    const dist = join(semix, pkg, 'dist');
    for (const file of readdirSync(dist, { recursive: true })) {
      if (!String(file).endsWith('.js')) continue;
      // tfjs-core's gradients import its kernel names, Conv3D's among them; no semix code names that kernel.
      if (readFileSync(join(dist, String(file)), 'utf8').includes('Conv3DBackpropInputV2')) {
        throw new Error(`@semix/${pkg}/dist/${file} bundles tfjs-core gradient code`);
      }
    }
  }
}
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
  // The publishable packages (and the CLI); not the private web app, which nothing here packs.
  // turbo itself, with this root's bin folder first on an absolute PATH: `pnpm exec` puts a relative
  // ./node_modules/.bin first, and turbo then spawns that relative `pnpm` from each package's folder, where it is
  // missing ("unable to spawn child process: No such file or directory").
  const absolutePath = [
    join(root, 'node_modules/.bin'),
    ...(process.env.PATH ?? '').split(':').filter((p) => isAbsolute(p)),
  ];
  check('build all packages', () =>
    execFileSync(join(root, 'node_modules/.bin/turbo'), ['run', 'build', '--filter=!web'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      encoding: 'utf8',
      env: { ...process.env, PATH: absolutePath.join(':') },
    }),
  );
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
    '@tensorflow/tfjs@4.22.0',
    '@tensorflow/tfjs-core@4.22.0',
    '@tensorflow/tfjs-backend-cpu@4.22.0',
    '@tensorflow/tfjs-backend-wasm@4.22.0',
  ];
  check('npm install the tarballs outside the workspace', () =>
    run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', ...files, ...tf], project),
  );
  check('the installed app holds exactly one tfjs-core, and no @semix dist a copy of its gradients', () =>
    assertOneTfjsCore(project),
  );
  for (const [name, symbols] of Object.entries(EXPECTED)) {
    check(`${name}: import from the installed tarball`, () => {
      const script = `const m = await import(${JSON.stringify(name)}); const missing = ${JSON.stringify(symbols)}.filter((s) => !(s in m)); if (missing.length) { console.error('missing exports: ' + missing); process.exit(1); } if (Object.keys(m).length === 0) { console.error('empty module'); process.exit(1); } await import(${JSON.stringify(`${name.split('/').slice(0, 2).join('/')}/package.json`)}, { with: { type: 'json' } });`;
      run(process.execPath, ['--input-type=module', '-e', script], project);
    });
  }
  // report.html inlines the page's script, bundled into dist/ at build time (the tarball has no source to bundle):
  // write one from the installed tarball.
  check('@semix/bench: writeLeaderboard writes a self-contained report.html from the installed tarball', () => {
    const script = `
      import { mkdtempSync, readFileSync } from 'node:fs';
      import { join } from 'node:path';
      import { buildLeaderboard, loadPreset, planGrid, writeLeaderboard } from '@semix/bench';
      const grid = planGrid(loadPreset('smoke'), { train: 't', test: 'e', suites: [] });
      const dir = mkdtempSync('report-');
      const files = await writeLeaderboard(dir, buildLeaderboard(grid, []), 'semix bench --preset smoke');
      const html = readFileSync(join(dir, 'report.html'), 'utf8');
      const parts = ['/* semix report page', 'id="semix-data"', 'data-ready'];
      const missing = parts.filter((p) => !html.includes(p));
      if (!files.includes(join(dir, 'report.html')) || missing.length) { console.error('report.html lacks ' + missing); process.exit(1); }`;
    run(process.execPath, ['--input-type=module', '-e', script], project);
  });
  // The data-parallel trainer starts dist/parallel/worker.js from inside node_modules and imports the method's
  // module there: train two threads from the installed tarballs.
  check('@semix/core + @semix/mixup: train({ workers: 2 }) from the installed tarballs', () => {
    const script = `
      import { createModel, selectBackend } from '@semix/core';
      import { train } from '@semix/core/node';
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
  // A plain tfjs app, nothing of semix's but the kernel pack: one import, then a tf.layers convnet trains on wasm.
  const plain = join(work, 'plain');
  mkdirSync(plain);
  writeFileSync(join(plain, 'package.json'), JSON.stringify({ name: 'plain-tfjs-app', private: true, type: 'module' }));
  const packTarball = files.find((f) => /semix-tfjs-wasm-train-/.test(f));
  check('plain tfjs app: npm install @tensorflow/tfjs, tfjs-backend-wasm and the kernel pack tarball', () =>
    run(
      'npm',
      [
        'install',
        '--no-audit',
        '--no-fund',
        '--prefer-offline',
        packTarball,
        '@tensorflow/tfjs@4.22.0',
        '@tensorflow/tfjs-backend-wasm@4.22.0',
      ],
      plain,
    ),
  );
  check('plain tfjs app: exactly one tfjs-core', () => assertOneTfjsCore(plain));
  check('plain tfjs app: a tf.layers convnet trains on wasm with the pack', () => {
    const script = `
      import * as tf from '@tensorflow/tfjs';
      import '@semix/tfjs-wasm-train/register';
      await tf.setBackend('wasm');
      if (tf.getBackend() !== 'wasm') { console.error('backend ' + tf.getBackend()); process.exit(1); }
      const model = tf.sequential({ layers: [
        tf.layers.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, activation: 'relu' }),
        tf.layers.batchNormalization(),
        tf.layers.maxPooling2d({ poolSize: 2 }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ] });
      model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
      const x = tf.randomUniform([32, 8, 8, 1], 0, 1, 'float32', 1);
      const y = tf.oneHot(tf.tensor1d(Array.from({ length: 32 }, (_, i) => i % 3), 'int32'), 3);
      const h = await model.fit(x, y, { epochs: 5, batchSize: 16, verbose: 0 });
      const loss = h.history.loss;
      if (!(loss.every(Number.isFinite) && loss[loss.length - 1] < loss[0])) { console.error('loss ' + loss); process.exit(1); }`;
    run(process.execPath, ['--input-type=module', '-e', script], plain);
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
