import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnistMini, take } from '../mnist_mini';
import { corruptImages, corruptionSuite, corruptMnistC, type SuiteProgress } from './suite';

// The on-disk cache of generated suites: every file has a SHA-256 beside it, checked when read; a file that fails
// (or has none) is regenerated and reported through onProgress, never used.

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'semix-suite-cache-'));
  process.env.SEMIX_CACHE = dir;
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const data = take(loadMnistMini().test, 8);

/** Every onProgress call, with its detail. */
function recorder() {
  const events: Array<{ done: number; total: number; corruption: string; severity: number } & SuiteProgress> = [];
  const onProgress = (done: number, total: number, corruption: string, severity: number, detail: SuiteProgress) => {
    events.push({ done, total, corruption, severity, ...detail });
  };
  return { events, onProgress };
}

async function cachedFiles(suiteName: string, ending: string): Promise<string[]> {
  const files = await readdir(join(dir, 'generated', suiteName), { recursive: true });
  return files
    .map(String)
    .filter((f) => f.endsWith(ending))
    .map((f) => join(dir, 'generated', suiteName, f));
}

async function invert(path: string): Promise<void> {
  const bytes = await readFile(path);
  for (let i = 0; i < bytes.length; i++) bytes[i] = 255 - bytes[i];
  await writeFile(path, bytes);
}

describe('generated suite cache', () => {
  it('an MNIST-C file whose bytes were inverted is regenerated with a warning, and the numbers equal a fresh generation', async () => {
    const options = { suite: 'mnist-c' as const, seed: 5, corruptions: ['glass_blur', 'fog'] };
    const first = recorder();
    await corruptionSuite(data, 'mnist-mini', { ...options, onProgress: first.onProgress });
    expect(first.events.map((e) => e.action)).toEqual(['generate', 'generate']);
    expect(first.events.every((e) => e.suite === 'mnist-c' && e.name === 'mnist-mini-mnist-c')).toBe(true);
    const [glass] = (await cachedFiles('mnist-mini-mnist-c', '.u8')).filter((f) => f.endsWith('glass_blur.u8'));
    await invert(glass);

    const second = recorder();
    const suite = await corruptionSuite(data, 'mnist-mini', { ...options, onProgress: second.onProgress });
    const fresh = corruptMnistC(data, 'glass_blur', 5);
    expect(Buffer.from(suite.images.get('glass_blur')![0]).equals(Buffer.from(fresh))).toBe(true);
    const [glassEvent, fogEvent] = second.events;
    expect(glassEvent.action).toBe('generate');
    expect(glassEvent.warning).toContain(glass);
    expect(glassEvent.warning).toMatch(/SHA-256 [0-9a-f]{64}, expected [0-9a-f]{64}.*regenerated/);
    expect(fogEvent).toMatchObject({ action: 'load', warning: undefined });
    // Regenerated in the cache: the next read loads it without a word.
    expect(Buffer.from(await readFile(glass)).equals(Buffer.from(fresh))).toBe(true);
    const third = recorder();
    await corruptionSuite(data, 'mnist-mini', { ...options, onProgress: third.onProgress });
    expect(third.events.map((e) => [e.action, e.warning])).toEqual([
      ['load', undefined],
      ['load', undefined],
    ]);
  });

  it('a CIFAR-style level changed in place is regenerated with a warning', async () => {
    const options = { seed: 1, corruptions: ['glass_blur'] };
    await corruptionSuite(data, 'mnist-mini', options);
    const glass = (await cachedFiles('mnist-mini-c', '.u8')).find((f) => f.endsWith('glass_blur-3.u8'))!;
    await invert(glass);
    const { events, onProgress } = recorder();
    const suite = await corruptionSuite(data, 'mnist-mini', { ...options, onProgress });
    expect(
      Buffer.from(suite.images.get('glass_blur')![2]).equals(Buffer.from(corruptImages(data, 'glass_blur', 3, 1))),
    ).toBe(true);
    expect(events.map((e) => e.action)).toEqual(['load', 'load', 'generate', 'load', 'load']);
    expect(events[2].warning).toContain(glass);
    expect(events.filter((e) => e.warning)).toHaveLength(1);
  });

  it('a cached file without a checksum (written before checksums) is regenerated with a message', async () => {
    const options = { suite: 'mnist-c' as const, seed: 7, corruptions: ['shear'] };
    await corruptionSuite(data, 'mnist-mini', options);
    const [sidecar] = (await cachedFiles('mnist-mini-mnist-c', '.sha256')).filter((f) => f.includes('seed7'));
    expect(sidecar).toMatch(/shear\.u8\.sha256$/);
    await rm(sidecar);
    const { events, onProgress } = recorder();
    await corruptionSuite(data, 'mnist-mini', { ...options, onProgress });
    expect(events).toHaveLength(1);
    expect(events[0].action).toBe('generate');
    expect(events[0].warning).toMatch(/has no checksum .*regenerated/);
    expect((await readFile(sidecar, 'utf8')).trim()).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a cached file of the wrong length is regenerated with a warning too', async () => {
    const options = { suite: 'mnist-c' as const, seed: 8, corruptions: ['rotate'] };
    await corruptionSuite(data, 'mnist-mini', options);
    const [file] = (await cachedFiles('mnist-mini-mnist-c', '.u8')).filter((f) => f.includes('seed8'));
    await writeFile(file, (await readFile(file)).subarray(0, 100));
    const { events, onProgress } = recorder();
    const suite = await corruptionSuite(data, 'mnist-mini', { ...options, onProgress });
    expect(Buffer.from(suite.images.get('rotate')![0]).equals(Buffer.from(corruptMnistC(data, 'rotate', 8)))).toBe(
      true,
    );
    expect(events[0].warning).toMatch(/100 bytes, expected 6272/);
  });
});
