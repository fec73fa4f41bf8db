import { mkdtemp, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SemixHook } from './main';
import { APP_ROOT, buildApp, CHROMIUM, hasChromium, launchChromium, type Served, serve } from './serve';

if (!hasChromium && !process.env.CI)
  console.warn(`web demo browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

const SCREENSHOT = join(APP_ROOT, '..', '..', 'docs', 'web-demo.png');
const STEPS = 30;

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

describe.skipIf(!hasChromium && !process.env.CI)('the web demo in Chromium', () => {
  let dir: string;
  let served: Served;
  let plain: Served;
  let browser: Browser;
  let page: Page;
  const errors: string[] = [];
  const outside: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'semix-web-'));
    const dist = await buildApp(join(dir, 'dist'));
    served = await serve(dist);
    plain = await serve(dist, false);
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    // Anything not from the app's own servers (or inline data and blobs: tfjs's wasm worker) fails, and is counted.
    const origins = [new URL(served.url).origin, new URL(plain.url).origin];
    await page.context().route(
      (url) => !(origins.includes(url.origin) || /^(data|blob):/.test(url.protocol)),
      (route) => {
        outside.push(route.request().url());
        return route.abort();
      },
    );
  });

  /** Opens the demo with settings in the address, trains, and returns window.__semix (less its function). */
  async function trainIn(target: Page, url: string): Promise<Omit<SemixHook, 'numTensors'>> {
    await target.goto(url);
    await target.waitForFunction(() => ['ready', 'error'].includes(window.__semix?.state), null, { timeout: 30_000 });
    await target.click('#train', { noWaitAfter: true });
    await target.waitForFunction(() => ['done', 'error'].includes(window.__semix.state), null, { timeout: 90_000 });
    // Let the last frame of charts draw.
    await target.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    return target.evaluate(() => {
      const { numTensors: _, ...rest } = window.__semix;
      return JSON.parse(JSON.stringify(rest));
    });
  }
  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await plain?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it(`trains ${STEPS} steps of mixup+sem on wasm: loss falls, no tensor leaks, above chance, both corruption suites, a screenshot`, async () => {
    const hook = await trainIn(page, `${served.url}?method=mixup&sem=1&beta=0.1&steps=${STEPS}&backend=wasm`);
    expect(hook.error).toBeNull();
    expect(hook.state).toBe('done');
    expect(hook.method).toBe('mixup+sem');
    expect(hook.backend?.name).toBe('wasm');
    expect(hook.backend?.kernelPack.length).toBeGreaterThan(0);
    // The test server sends COOP/COEP, as the app's vite config does: the page may use threads.
    expect(hook.backend?.crossOriginIsolated).toBe(true);
    expect(hook.backend?.detail).toMatch(/^threaded SIMD binary/);
    expect(hook.backend?.memory).toBe('shared');
    expect(await page.textContent('#backend')).toContain('backend: wasm');

    const log = hook.log;
    expect(log.map((l) => l.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
    expect(log.every((l) => Number.isFinite(l.loss) && Number.isFinite(l.losses.sem))).toBe(true);
    const first = mean(log.slice(0, 5).map((l) => l.loss));
    const last = mean(log.slice(-5).map((l) => l.loss));
    expect(last).toBeLessThan(first);
    // Adam's moments exist from step 1 on; after that every step, probe and evaluation frees what it makes.
    const counts = log.slice(1).map((l) => l.numTensors);
    expect(new Set(counts)).toEqual(new Set([counts[0]]));

    // Accuracy on 500 held-out digits, measured at step 0 and every 10 steps: chance is 10%.
    expect(hook.accuracy.map((p) => p.step)).toEqual([0, 10, 20, 30]);
    expect(hook.accuracy.at(-1)!.value).toBeGreaterThan(0.3);
    expect(hook.gap.length).toBe(STEPS / 5 + 1);
    expect(hook.gap.every((p) => Number.isFinite(p.value) && p.value >= 0)).toBe(true);

    // Both suites: 4 CIFAR-style corruptions × 5 severities and 4 MNIST-C corruptions, each drawn.
    const cifar = hook.corruptions.filter((r) => r.suite === 'cifar10-c');
    const mnistC = hook.corruptions.filter((r) => r.suite === 'mnist-c');
    expect(cifar.length).toBe(20);
    expect(mnistC.length).toBe(4);
    expect(hook.corruptions.every((r) => r.accuracy >= 0 && r.accuracy <= 1)).toBe(true);
    // Severity 5 hurts more than severity 1 on average (the corruptions do corrupt).
    const at = (s: number) => mean(cifar.filter((r) => r.severity === s).map((r) => r.accuracy));
    expect(at(5)).toBeLessThan(at(1));
    expect(await page.locator('#chart-cifar10-c svg [aria-label="dot"] circle').count()).toBe(20);
    expect(await page.locator('#chart-mnist-c svg [aria-label="bar"] rect').count()).toBe(4);
    expect(await page.locator('#chart-loss svg [aria-label="line"] path').count()).toBe(1);

    // Mixed images with their λ: mixup's λ ~ Beta(1, 1).
    expect(hook.mixed.length).toBe(6);
    expect(hook.mixed.every((m) => m.lam >= 0 && m.lam <= 1)).toBe(true);
    expect(hook.mixed.some((m) => m.lam > 0 && m.lam < 1)).toBe(true);
    expect(await page.locator('#mixed canvas').count()).toBe(6);

    expect(errors).toEqual([]);
    expect(outside).toEqual([]);

    // The README's screenshot, regenerated (atomically), and checked not to be blank.
    const tmp = `${SCREENSHOT}.${process.pid}.tmp.png`;
    const bytes = await page.screenshot({ path: tmp, fullPage: true });
    await rename(tmp, SCREENSHOT);
    const png = PNG.sync.read(bytes);
    const colours = new Set<number>();
    let inked = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
      colours.add((r << 16) | (g << 8) | b);
      if (r < 200 || g < 200 || b < 200) inked += 1;
    }
    expect(png.width).toBeGreaterThanOrEqual(1000);
    expect(colours.size).toBeGreaterThan(100);
    expect(inked / (png.width * png.height)).toBeGreaterThan(0.01);
  }, 150_000);

  it('without COOP/COEP (a plain static host): the single-threaded SIMD binary, and cutmix+sem trains', async () => {
    const other = await browser.newPage();
    other.on('pageerror', (e) => errors.push(e.message));
    other.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    try {
      const hook = await trainIn(other, `${plain.url}?method=cutmix&sem=1&beta=0.5&steps=5&backend=wasm`);
      expect(hook.error).toBeNull();
      expect(hook.method).toBe('cutmix+sem');
      expect(hook.backend?.crossOriginIsolated).toBe(false);
      expect(hook.backend?.detail).toMatch(/^SIMD binary, 1 thread; semix kernel pack/);
      expect(hook.backend?.memory).toBe('exported');
      expect(await other.textContent('#backend')).toContain('not cross-origin isolated');
      expect(hook.log.length).toBe(5);
      expect(new Set(hook.log.slice(1).map((l) => l.numTensors)).size).toBe(1);
      expect(hook.corruptions.length).toBe(24);
      // cutmix's λ is the area each image keeps.
      expect(hook.mixed.every((m) => m.lam > 0 && m.lam <= 1)).toBe(true);
      expect(errors).toEqual([]);
      expect(outside).toEqual([]);
    } finally {
      await other.close();
    }
  }, 120_000);
});
