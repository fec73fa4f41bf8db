// docs/demo-compare.png: the demo's comparison view at 1400 px, as `pnpm --filter web screenshot` makes it. Builds
// the app, serves it with COOP/COEP, trains mixup and mixup+sem with the same seed in headless Chromium (the
// settings below, in the address as a visitor would give them), and takes a full-page screenshot once both are
// evaluated. Fails on a console error, or on a file of 400 KB or more (docs are kept small).
import { rename, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { buildApp, launchChromium, serve } from '../src/serve';

const OUT = join(import.meta.dirname, '..', '..', '..', 'docs', 'demo-compare.png');
/** β = 1: in this many steps SEM's effect on the gap shows there, while the package's 0.1 barely moves it. */
const SETTINGS = 'method=mixup&beta=1&steps=150&seed=0';
const MAX_BYTES = 400_000;

const dist = await buildApp();
const served = await serve(dist);
const browser = await launchChromium();
try {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(`${served.url}?${SETTINGS}`);
  await page.waitForFunction(() => ['ready', 'error'].includes(window.__semix?.state), null, { timeout: 60_000 });
  await page.click('#compare');
  await page.waitForFunction(
    () =>
      window.__semix.state === 'error' || (window.__semix.comparisons.length === 1 && window.__semix.state === 'done'),
    null,
    { timeout: 900_000 },
  );
  // The last draw: tables, then one chart a frame.
  await page.waitForTimeout(1500);
  if (errors.length) throw new Error(`the page failed: ${errors.join('; ')}`);
  const tmp = `${OUT}.${process.pid}.tmp.png`;
  await page.screenshot({ path: tmp, fullPage: true });
  const { size } = await stat(tmp);
  if (size >= MAX_BYTES) throw new Error(`${tmp}: ${size} bytes, over ${MAX_BYTES}`);
  await rename(tmp, OUT);
  console.log(`${OUT}: ${size} bytes (${SETTINGS})`);
} finally {
  await browser.close();
  await served.close();
}
