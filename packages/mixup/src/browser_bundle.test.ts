import { builtinModules } from 'node:module';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';
import { expect, it } from 'vitest';

const NODE_BUILTINS = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
const source = (pkg: string, entry = 'index') =>
  fileURLToPath(new URL(`../../${pkg}/src/${entry}.ts`, import.meta.url));

/**
 * Reads @semix packages from source (no build needed) and records every Node built-in semix's code imports.
 * Third-party built-in imports are esbuild's: a package's `browser` field maps them away (tfjs-core and
 * tfjs-backend-wasm map fs, path, crypto, worker_threads to nothing), else the build fails with "Could not resolve".
 */
function plugin(found: string[]): Plugin {
  return {
    name: 'semix-browser-check',
    setup(b) {
      b.onResolve({ filter: /^@semix\// }, (args) => {
        const [, pkg, entry] = /^@semix\/([^/]+)(?:\/(.+))?$/.exec(args.path) ?? [];
        return { path: source(pkg, entry) };
      });
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!NODE_BUILTINS.has(args.path) || args.importer.includes('/node_modules/')) return undefined;
        found.push(`${args.path} (imported by ${args.importer})`);
        return { path: args.path, external: true };
      });
    },
  };
}

it('@semix/core + @semix/mixup (model, mixup+sem train step on wasm) bundle for a browser with no Node built-in', async () => {
  const found: string[] = [];
  const errors: string[] = [];
  const result = await build({
    entryPoints: [fileURLToPath(new URL('./__fixtures__/browser_app.ts', import.meta.url))],
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
  expect(found).toEqual([]);
  expect(errors).toEqual([]);
  if (!result) return;
  // The check can fail: the bundle holds the pack and the trainer, not an empty module.
  const code = result.outputFiles.map((f) => f.text).join('');
  expect(code).toContain('SemixAdamUpdate');
  expect(code).toContain("need Node; import { train } from '@semix/core/node'");
}, 120_000);

it('the check catches a Node built-in: @semix/core/node does not bundle for a browser', async () => {
  const found: string[] = [];
  await build({
    stdin: { contents: "export * from '@semix/core/node';", resolveDir: fileURLToPath(new URL('.', import.meta.url)) },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
    plugins: [plugin(found)],
  }).catch(() => undefined);
  expect(found.some((f) => f.startsWith('node:fs'))).toBe(true);
}, 120_000);
