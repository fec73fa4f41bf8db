import { spawnSync } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { sleep } from './queue';

/**
 * Imports a built entry of this package in a fresh Node process whose resolve hook refuses BullMQ and ioredis:
 * the import succeeds only if nothing it loads reaches for a Redis client.
 */
function importWithoutRedis(entry: string) {
  const hook = `export async function resolve(specifier, context, next) {
    if (/^(bullmq|ioredis)(\\/|$)/.test(specifier)) throw new Error('a Redis client was loaded: ' + specifier);
    return next(specifier, context);
  }`;
  const script = `import { register } from 'node:module';
    register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(hook)}));
    await import(${JSON.stringify(pathToFileURL(resolve(import.meta.dirname, '..', 'dist', entry)).href)});
    console.log('imported');`;
  return spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
}

describe('entries', () => {
  it("import('@semix/bench') loads no Redis client; @semix/bench/queue does", () => {
    const main = importWithoutRedis('index.js');
    expect(main.stderr).toBe('');
    expect(main.stdout.trim()).toBe('imported');
    // The control: the queue entry needs BullMQ, so the same check refuses it.
    const queue = importWithoutRedis('queue.js');
    expect(queue.status).not.toBe(0);
    expect(queue.stderr).toMatch(/a Redis client was loaded: (bullmq|ioredis)/);
  });

  it('the queue poll sleep removes its abort listener every time (no MaxListenersExceededWarning)', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 50; i++) await sleep(1, controller.signal);
    expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(0);
    const pending = sleep(10_000, controller.signal);
    expect(EventEmitter.getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    controller.abort(new Error('stop'));
    await expect(pending).rejects.toThrow('stop');
  });
});
