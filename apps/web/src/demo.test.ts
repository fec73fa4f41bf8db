import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SemixHook } from './main';
import { buildApp, CHROMIUM, hasChromium, launchChromium, type Served, serve } from './serve';
import { isSoftwareRenderer } from './webgl';

if (!hasChromium && !process.env.CI)
  console.warn(`web demo browser tests skipped: ${CHROMIUM} is not installed (apt-get install chromium)`);

/** Few steps and test images: the browser test checks the page's behaviour, not what the model learns. */
const STEPS = 12;
const IMAGES = 100;

const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;

/** window.__semix as plain data (per-image arrays left out: they only feed the page's own differences). */
function readHook(page: Page): Promise<SemixHook> {
  return page.evaluate(() =>
    JSON.parse(
      JSON.stringify(window.__semix, (key, value) =>
        key === 'correct' ? (value ? Object.keys(value).length : null) : value,
      ),
    ),
  );
}

describe.skipIf(!hasChromium && !process.env.CI)('the web demo in Chromium', () => {
  let dir: string;
  let served: Served;
  let plain: Served;
  let browser: Browser;
  const errors: string[] = [];
  const outside: string[] = [];

  /**
   * A page that counts console errors (the worker's errors reach the page, which logs them) and requests to other
   * origins.
   */
  async function newPage(width = 1400, height = 1000): Promise<Page> {
    // A context of its own (closed with the page): its routes see the worker's requests too.
    const context = await browser.newContext({ viewport: { width, height } });
    const page = await context.newPage();
    page.on('close', () => void context.close());
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    page.on('pageerror', (e) => errors.push(e.message));
    // Anything not from the app's own servers (or inline data and blobs: tfjs's wasm threads) fails, and is counted.
    const origins = [new URL(served.url).origin, new URL(plain.url).origin];
    await context.route(
      (url) => !(origins.includes(url.origin) || /^(data|blob):/.test(url.protocol)),
      (route) => {
        outside.push(route.request().url());
        return route.abort();
      },
    );
    return page;
  }

  async function open(page: Page, url: string): Promise<void> {
    await page.goto(url);
    await page.waitForFunction(() => ['ready', 'error'].includes(window.__semix?.state), null, { timeout: 60_000 });
    expect(await page.evaluate(() => window.__semix.error)).toBeNull();
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'semix-web-'));
    const dist = await buildApp(join(dir, 'dist'));
    served = await serve(dist);
    plain = await serve(dist, false);
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await plain?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('compares mixup and mixup+sem with the same seed: both runs kept, their differences stated; no tensor leaks', async () => {
    const page = await newPage();
    try {
      await open(page, `${served.url}?method=mixup&beta=1&steps=${STEPS}&images=${IMAGES}&seed=0`);
      await page.click('#compare');
      await page.waitForFunction(
        () => window.__semix.comparisons.length === 1 && window.__semix.state === 'done',
        null,
        {
          timeout: 240_000,
        },
      );
      let hook = await readHook(page);
      expect(hook.error).toBeNull();
      // The worker: wasm with the kernel pack, isolated (the test server sends COOP/COEP as the app's config does).
      expect(hook.backend?.name).toBe('wasm');
      expect(hook.backend?.kernelPack.length).toBeGreaterThan(0);
      expect(hook.backend?.crossOriginIsolated).toBe(true);
      expect(hook.backend?.detail).toMatch(/^threaded SIMD binary/);
      expect(hook.backend?.memory).toBe('shared');
      expect(await page.textContent('#backend')).toContain('in a Web Worker');

      const [x, withSem] = hook.runs;
      expect(hook.runs.map((r) => [r.method, r.beta, r.seed, r.status, r.pair])).toEqual([
        ['mixup', 1, 0, 'done', 1],
        ['mixup+sem', 1, 0, 'done', 1],
      ]);
      expect(x.colour).not.toBe(withSem.colour);
      for (const run of hook.runs) {
        expect(run.log.map((l) => l.step)).toEqual(Array.from({ length: STEPS }, (_, i) => i + 1));
        expect(run.log.every((l) => Number.isFinite(l.losses.ce))).toBe(true);
        // Every tensor the run made is freed in the worker: its count is back where it started.
        expect(run.numTensors?.after).toBe(run.numTensors?.before);
        // Adam's moments exist from step 1 on; after that every step, probe and evaluation frees what it makes.
        expect(new Set(run.log.slice(1).map((l) => l.numTensors)).size).toBe(1);
        expect(run.accuracy.map((p) => p.step)).toEqual([0, 10, STEPS]);
        expect(run.accuracy.at(-1)!.value).toBeGreaterThan(0.2);
        expect(run.gap.map((p) => p.step)).toEqual([0, 5, 10, STEPS]);
        // 4 CIFAR-style corruptions × 5 severities and 4 MNIST-C ones; severity 5 hurts more than severity 1.
        const cifar = run.corruptions.filter((r) => r.suite === 'cifar10-c');
        expect(cifar.length).toBe(20);
        expect(run.corruptions.filter((r) => r.suite === 'mnist-c').length).toBe(4);
        const at = (s: number) => mean(cifar.filter((r) => r.severity === s).map((r) => r.accuracy));
        expect(at(5)).toBeLessThan(at(1));
      }
      // The SEM term is its own loss part, in X+SEM only.
      expect(withSem.log.every((l) => Number.isFinite(l.losses.sem) && l.losses.sem > 0)).toBe(true);
      expect(x.log.some((l) => 'sem' in l.losses)).toBe(false);

      // The differences, X+SEM − X, from the two runs' own figures.
      const rows = hook.comparisons[0].rows;
      const row = (measure: string) => rows.find((r) => r.measure === measure)!;
      expect(rows.length).toBe(5);
      expect(row('test accuracy').x).toBe(x.accuracy.at(-1)!.value);
      expect(row('test accuracy').withSem).toBe(withSem.accuracy.at(-1)!.value);
      expect(row('test accuracy').difference).toBeCloseTo(
        withSem.accuracy.at(-1)!.value - x.accuracy.at(-1)!.value,
        12,
      );
      const [low, high] = row('test accuracy').interval!;
      expect(low).toBeLessThanOrEqual(row('test accuracy').difference);
      expect(high).toBeGreaterThan(low);
      expect(row('equivariance gap').difference).toBeCloseTo(withSem.gap.at(-1)!.value - x.gap.at(-1)!.value, 12);
      // The page draws a quarter of a second at most after the last report.
      await page.waitForFunction(() => document.querySelectorAll('#differences tbody tr').length === 5);
      expect(await page.isVisible('#differences')).toBe(true);
      expect(await page.textContent('#differences tr[data-measure="test accuracy"]')).toMatch(/pp \[[−+]\d/);
      expect(await page.textContent('#uncertainty')).toContain(`${IMAGES} test digits`);

      // Charts: cross-entropy for both runs (each step faint, the mean of 10 over it), the SEM term for one, the
      // clean-accuracy line of each run in both corruption charts.
      // MNIST-C is one facet per corruption: each run's rule in each of the 4.
      await page.waitForFunction(
        () => document.querySelectorAll('#chart-mnist-c svg [aria-label="rule"] line').length === 2 * 4,
      );
      expect(await page.locator('#chart-ce svg [aria-label="line"] path').count()).toBe(4);
      expect(await page.locator('#chart-sem svg [aria-label="line"] path').count()).toBe(2);
      expect(await page.locator('#chart-gap svg [aria-label="line"] path').count()).toBe(2);
      expect(await page.locator('#chart-cifar10-c svg [aria-label="rule"] line').count()).toBe(2);
      expect(await page.locator('#runs tbody tr').count()).toBe(2);

      // A second pair with another seed: all four runs kept (the first pair unticked), two comparisons, and the
      // spread over seeds stated.
      await page.fill('input[name="seed"]', '1');
      await page.click('#compare');
      await page.waitForFunction(
        () => window.__semix.comparisons.length === 2 && window.__semix.state === 'done',
        null,
        {
          timeout: 240_000,
        },
      );
      hook = await readHook(page);
      expect(hook.runs.map((r) => [r.method, r.seed, r.status, r.shown])).toEqual([
        ['mixup', 0, 'done', false],
        ['mixup+sem', 0, 'done', false],
        ['mixup', 1, 'done', true],
        ['mixup+sem', 1, 'done', true],
      ]);
      expect(new Set(hook.runs.map((r) => r.colour)).size).toBe(4);
      expect(hook.runs.every((r) => r.numTensors?.after === r.numTensors?.before)).toBe(true);
      await page.waitForFunction(() => document.querySelector('#seeds')?.textContent?.startsWith('Over 2 pairs'));
      expect(await page.locator('#runs tbody tr').count()).toBe(4);
      expect(await page.textContent('#seeds')).toContain('Over 2 pairs (seeds 0, 1)');
      // The page kept drawing while the worker trained: no frame waited for a step or an evaluation.
      expect(hook.frames.count).toBeGreaterThan(10);
      expect(hook.frames.longest).toBeLessThan(400);

      expect(errors).toEqual([]);
      expect(outside).toEqual([]);
    } finally {
      await page.close();
    }
  }, 600_000);

  it('Stop ends training within 200 ms of the click, and nothing runs on after it', async () => {
    const page = await newPage();
    try {
      await open(page, `${served.url}?method=mixup&steps=400&images=${IMAGES}`);
      await page.click('#compare');
      await page.waitForFunction(() => (window.__semix.runs[0]?.log.length ?? 0) >= 3, null, { timeout: 120_000 });
      await page.click('#stop');
      await page.waitForFunction(() => window.__semix.state === 'stopped', null, { timeout: 10_000 });
      // The page's own stamps: the click event's time and when the worker said it stopped (or was terminated).
      const stop = (await readHook(page)).stop!;
      expect(['worker', 'terminated']).toContain(stop.how);
      expect(stop.stoppedAt! - stop.clickedAt).toBeGreaterThanOrEqual(0);
      expect(stop.stoppedAt! - stop.clickedAt).toBeLessThan(200);
      const steps = await page.evaluate(() => window.__semix.runs.map((r) => r.log.length));
      // Nothing more comes: no step, no evaluation, no corruption, and the queue's second run never starts.
      await page.waitForFunction(() => !(document.querySelector('#train') as HTMLButtonElement).disabled);
      await page.waitForTimeout(1000);
      const hook = await readHook(page);
      expect(hook.runs.map((r) => r.log.length)).toEqual(steps);
      expect(hook.runs.map((r) => r.status)).toEqual(['stopped', 'stopped']);
      expect(hook.runs.every((r) => r.corruptions.length === 0)).toBe(true);
      expect(hook.runs[1].log.length).toBe(0);
      // Stopped by the worker itself: its model was disposed and its tensors freed.
      if (stop.how === 'worker') expect(hook.runs[0].numTensors?.after).toBe(hook.runs[0].numTensors?.before);

      // The next run trains (on a fresh worker where the old one was terminated).
      await page.fill('input[name="steps"]', '2');
      await page.click('#train');
      await page.waitForFunction(() => window.__semix.state === 'done', null, { timeout: 120_000 });
      const after = await readHook(page);
      expect(after.runs.length).toBe(3);
      expect(after.runs[2]).toMatchObject({ method: 'mixup+sem', status: 'done' });
      expect(after.runs[2].numTensors?.after).toBe(after.runs[2].numTensors?.before);
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 300_000);

  it('at 420 px: nothing overflows; the mixed images show both sources and their own λ, white on black', async () => {
    const page = await newPage(420, 900);
    try {
      await open(page, `${served.url}?method=mixup`);
      await page.waitForFunction(() => window.__semix.mixed.examples.length === 6);
      let hook = await readHook(page);
      expect(hook.mixed.method).toBe('mixup');
      // Each image its own batch and λ; two sources and the mix.
      expect(new Set(hook.mixed.examples.map((e) => e.lam)).size).toBe(6);
      expect(await page.locator('#mixed figure').count()).toBe(6);
      expect(await page.locator('#mixed figure canvas.source').count()).toBe(12);
      expect(await page.locator('#mixed figure canvas.mixed-image').count()).toBe(6);
      const captions = await page.locator('#mixed figcaption').allTextContents();
      captions.forEach((caption, i) => {
        const e = hook.mixed.examples[i];
        expect(caption).toContain(`λ = ${e.lam.toFixed(2)}: ${Math.round(100 * e.lam)}% of a ${e.label}`);
      });
      // No horizontal scrolling at 420 px, and the mixed images wrap inside the panel.
      const widths = await page.evaluate(() => ({
        page: document.documentElement.scrollWidth,
        mixed: document.querySelector('#mixed')!.scrollWidth,
        mixedBox: document.querySelector('#mixed')!.clientWidth,
      }));
      expect(widths.page).toBeLessThanOrEqual(420);
      expect(widths.mixed).toBeLessThanOrEqual(widths.mixedBox);
      // The report's gallery's convention: the bytes as they are, a white digit on black.
      const shades = await page.evaluate(() =>
        [...document.querySelectorAll<HTMLCanvasElement>('#mixed canvas.source')].map((c) => {
          const data = c.getContext('2d')!.getImageData(0, 0, 28, 28).data;
          let max = 0;
          for (let i = 0; i < data.length; i += 4) max = Math.max(max, data[i]);
          return { corner: data[0], max };
        }),
      );
      expect(shades.every((s) => s.corner === 0 && s.max > 200)).toBe(true);

      // Another method, other images: cutmix's λ is the area of the first digit.
      const first = hook.mixed.examples.map((e) => e.lam);
      await page.selectOption('select[name="method"]', 'cutmix');
      await page.waitForFunction(() => window.__semix.mixed.method === 'cutmix');
      hook = await readHook(page);
      expect(hook.mixed.examples.map((e) => e.lam)).not.toEqual(first);
      expect(await page.locator('#mixed figcaption').first().textContent()).toContain('of the area');
      expect(await page.locator('#mixed canvas.source').count()).toBe(12);
      await page.selectOption('select[name="method"]', 'erm');
      await page.waitForFunction(() => window.__semix.mixed.method === 'erm');
      expect(await page.locator('#mixed canvas.source').count()).toBe(0);
      expect(await page.isDisabled('#compare')).toBe(true);

      // β: a log slider from 0.01 to 100 starting at the package's default.
      expect(await page.textContent('output[name="betaShown"]')).toBe('0.1');
      expect(await page.textContent('#beta-default')).toBe('0.1');
      await page.evaluate(() => {
        const slider = document.querySelector<HTMLInputElement>('input[name="logBeta"]')!;
        slider.value = '1';
        slider.dispatchEvent(new Event('input', { bubbles: true }));
      });
      expect(await page.textContent('output[name="betaShown"]')).toBe('10');

      // WebGL: offered with a warning where the context renders in software.
      hook = await readHook(page);
      const option = await page.textContent('option[value="webgl"]');
      if (!hook.webgl.available) expect(option).toContain('not offered');
      else {
        expect(hook.webgl.software).toBe(isSoftwareRenderer(hook.webgl.renderer!));
        if (hook.webgl.software) expect(option).toContain('software rendering: slow');
        else expect(option).toBe('webgl');
      }
      expect(errors).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);

  it('a bad setting in the address is named, with what is allowed', async () => {
    const page = await newPage();
    try {
      await page.goto(`${served.url}?beta=0`);
      await page.waitForFunction(() => window.__semix?.error !== null);
      expect(await page.evaluate(() => window.__semix.error)).toBe(
        "beta: '0' in the address is not valid; the slider takes 0.01 to 100",
      );
      expect(await page.textContent('#progress')).toContain("beta: '0'");
      // The page logged it: the one console error this test expects.
      expect(errors.splice(0)).toEqual(["beta: '0' in the address is not valid; the slider takes 0.01 to 100"]);
    } finally {
      await page.close();
    }
  });

  it('without COOP/COEP (a plain static host): the single-threaded SIMD binary, and cutmix+sem trains', async () => {
    const page = await newPage();
    try {
      await open(page, `${plain.url}?method=cutmix&sem=1&beta=0.5&steps=4&images=50&backend=wasm`);
      await page.click('#train');
      await page.waitForFunction(() => ['done', 'error'].includes(window.__semix.state), null, { timeout: 120_000 });
      const hook = await readHook(page);
      expect(hook.error).toBeNull();
      expect(hook.backend?.crossOriginIsolated).toBe(false);
      expect(hook.backend?.detail).toMatch(/^SIMD binary, 1 thread; semix kernel pack/);
      expect(hook.backend?.memory).toBe('exported');
      expect(await page.textContent('#backend')).toContain('not cross-origin isolated');
      expect(hook.runs.map((r) => [r.method, r.beta, r.status, r.log.length, r.corruptions.length])).toEqual([
        ['cutmix+sem', 0.5, 'done', 4, 24],
      ]);
      expect(hook.runs[0].numTensors?.after).toBe(hook.runs[0].numTensors?.before);
      expect(errors).toEqual([]);
      expect(outside).toEqual([]);
    } finally {
      await page.close();
    }
  }, 120_000);
});
