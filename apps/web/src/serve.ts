import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { build, type PreviewServer, preview } from 'vite';
import { writeMnistAsset } from '../scripts/mnist-asset';

// Node-side helpers of the browser test and the benchmark: build the app, serve dist/ from 127.0.0.1 with
// `vite preview`, launch Debian's Chromium through playwright-core.

export const APP_ROOT = join(import.meta.dirname, '..');
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Writes public/mnist-mini.bin (scripts/mnist-asset.ts) and runs `vite build` into `outDir`. */
export async function buildApp(outDir = join(APP_ROOT, 'dist')): Promise<string> {
  await writeMnistAsset();
  await build({ root: APP_ROOT, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}

export interface Served {
  url: string;
  close: () => Promise<void>;
}

/**
 * Serves a built site from 127.0.0.1 on a free port: with the app's COOP/COEP headers (`isolated`, the default), or
 * with none, as a plain static host would.
 */
export async function serve(outDir: string, isolated = true): Promise<Served> {
  const server: PreviewServer = await preview({
    root: APP_ROOT,
    logLevel: 'warn',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false, open: false, ...(isolated ? {} : { headers: {} }) },
    // A config without headers for the plain host: the app's vite.config.ts sends them.
    ...(isolated ? {} : { configFile: false as const, base: './' }),
  });
  const url = server.resolvedUrls?.local[0];
  if (!url) throw new Error('vite preview: no local URL');
  return { url, close: () => server.close() };
}

/** Headless Chromium with the flags that work on this machine (as packages/bench's report test). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
