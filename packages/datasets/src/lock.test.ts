import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DirectoryLockedError, LOCK_FILE, type LockOwner, lockDirectory, removeStaleTemps } from './lock';

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'semix-lock-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

/** The pid of a process that has exited (spawned and waited for). */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid as number;

const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e) => e,
  );

describe('lockDirectory', () => {
  it('lets one writer in; a second is refused naming the pid and host; after release the next one gets it', async () => {
    const dir = join(root, 'one');
    const first = await lockDirectory(dir, { command: 'semix train --out one' });
    const owner = JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')) as LockOwner;
    expect(owner.pid).toBe(process.pid);
    expect(owner.host).toBe(hostname());
    const error = await refusal(lockDirectory(dir));
    expect(DirectoryLockedError.isInstance(error)).toBe(true);
    expect(error.message).toBe(
      `${dir} is in use by another semix writer (pid ${process.pid} on ${hostname()}, semix train --out one, since ${owner.started}); wait for it to finish, or remove ${join(dir, LOCK_FILE)} if that process is gone`,
    );
    await first.release();
    expect(await readdir(dir)).toEqual([]);
    const second = await lockDirectory(dir);
    await second.release();
  });

  it('of many writers racing for one directory, exactly one gets it', async () => {
    const dir = join(root, 'race');
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => lockDirectory(dir)));
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) if (r.status === 'rejected') expect(DirectoryLockedError.isInstance(r.reason)).toBe(true);
    await (won[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof lockDirectory>>>).value.release();
  });

  it('takes over a stale lock (this host, its process gone), saying so; never one of another host', async () => {
    const dir = join(root, 'stale');
    await lockDirectory(dir).then((l) => l.release());
    const stale: LockOwner = {
      pid: deadPid(),
      host: hostname(),
      command: 'semix train (killed)',
      started: '2025-01-01T00:00:00.000Z',
      token: 'feedfacefeedface',
    };
    await writeFile(join(dir, LOCK_FILE), JSON.stringify(stale));
    const reported: LockOwner[] = [];
    const lock = await lockDirectory(dir, { onStaleLock: (o) => reported.push(o) });
    expect(reported).toEqual([stale]);
    expect(JSON.parse(await readFile(join(dir, LOCK_FILE), 'utf8')).token).toBe(lock.owner.token);
    await lock.release();
    // Another host's process cannot be checked from here: refused, and the message says why.
    await writeFile(join(dir, LOCK_FILE), JSON.stringify({ ...stale, host: 'elsewhere.example' }));
    const error = await refusal(lockDirectory(dir, { onStaleLock: (o) => reported.push(o) }));
    expect(DirectoryLockedError.isInstance(error)).toBe(true);
    expect(error.message).toMatch(
      /pid \d+ on elsewhere\.example \(another host: whether it still runs cannot be checked/,
    );
    expect(reported).toHaveLength(1);
    // A lock file that is not a lock: refused, naming the file to remove.
    await writeFile(join(dir, LOCK_FILE), 'garbage');
    await expect(lockDirectory(dir)).rejects.toThrow(/its lock file cannot be read.*remove .*\.semix\.lock/);
  });
});

describe('removeStaleTemps', () => {
  it("removes a killed writer's temp files (writeAtomic's pattern) and nothing else", async () => {
    const dir = join(root, 'temps');
    await lockDirectory(dir).then((l) => l.release());
    const names = ['record.json.0123456789ab.tmp', 'record.json', 'notes.tmp', 'x.0123456789ab.tmp.keep'];
    for (const name of names) await writeFile(join(dir, name), 'x');
    const removed = await removeStaleTemps([dir, join(root, 'missing')]);
    expect(removed).toEqual([join(dir, 'record.json.0123456789ab.tmp')]);
    expect((await readdir(dir)).sort()).toEqual(['notes.tmp', 'record.json', 'x.0123456789ab.tmp.keep']);
  });
});
