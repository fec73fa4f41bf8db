import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { expect, it } from 'vitest';
import { corruptionSuite } from './index';
import { loadMnistMini, corruptionSuite as nodeSuite, take } from './node';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const MAIN_ENTRY = fileURLToPath(new URL('./index.ts', import.meta.url));

/** Records every Node built-in imported from this package's code (a third party's would fail the build). */
function plugin(found: string[]): Plugin {
  return {
    name: 'semix-browser-check',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!NODE_BUILTINS.has(args.path) || args.importer.includes('/node_modules/')) return undefined;
        found.push(`${args.path} (imported by ${args.importer})`);
        return { path: args.path, external: true };
      });
    },
  };
}

const bundle = async (entry: { entryPoints: string[] } | { stdin: { contents: string; resolveDir: string } }) => {
  const found: string[] = [];
  const errors: string[] = [];
  const result = await build({
    ...entry,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    outdir: 'out',
    logLevel: 'silent',
    plugins: [plugin(found)],
  }).catch((error: { errors?: Array<{ text: string }> }) => {
    errors.push(...(error.errors ?? [{ text: String(error) }]).map((e) => e.text));
    return null;
  });
  return { found, errors, code: result?.outputFiles.map((f) => f.text).join('') ?? '' };
};

it('@semix/datasets (the main entry) bundles for a browser with no Node built-in, corruption code included', async () => {
  const { found, errors, code } = await bundle({ entryPoints: [MAIN_ENTRY] });
  expect(found).toEqual([]);
  expect(errors).toEqual([]);
  // Not an empty module: the suites' generators, jpeg-js's encoder and the validation split are in it.
  expect(code).toContain('is not an MNIST-C corruption');
  expect(code).toContain('JPEGEncoder');
  expect(code).toContain('validation-split/');
}, 120_000);

it('the check catches a Node built-in: the /node entry and the deprecated Node view of "." do not bundle', async () => {
  const resolveDir = fileURLToPath(new URL('.', import.meta.url));
  for (const entry of ['./node', './compat']) {
    const { found } = await bundle({ stdin: { contents: `export * from '${entry}';`, resolveDir } });
    expect(found.some((f) => f.startsWith('node:fs'))).toBe(true);
  }
}, 120_000);

it("the main entry's corruptionSuite generates the same bytes as /node's cached one (both suites)", async () => {
  const data = take(loadMnistMini().test, 20);
  for (const suite of ['cifar10-c', 'mnist-c'] as const) {
    const corruptions = suite === 'mnist-c' ? ['shot_noise', 'zigzag'] : ['gaussian_noise', 'jpeg_compression'];
    const browser = await corruptionSuite(data, 'mnist-mini', { suite, corruptions, seed: 3 });
    const node = await nodeSuite(data, 'mnist-mini', { suite, corruptions, seed: 3, cache: false });
    expect(browser.name).toBe(node.name);
    expect(browser.corruptions).toEqual(corruptions);
    for (const c of corruptions) {
      const b = browser.images.get(c as never)!;
      const n = node.images.get(c as never)!;
      expect(b.length).toBe(node.severities.length);
      for (const [level, bytes] of b.entries()) expect(Buffer.from(bytes).equals(Buffer.from(n[level]))).toBe(true);
      // A corruption changes the images.
      expect(Buffer.from(b[0]).equals(Buffer.from(data.images))).toBe(false);
    }
  }
}, 120_000);
