import { randomBytes } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readdir, readFile, rename, rm, unlink, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tempBeside } from '@semix/env/node';

/** The lock file a writer holds in the directory it writes (a run directory, a results directory). */
export const LOCK_FILE = '.semix.lock';

/** What a lock file says about its holder. */
export interface LockOwner {
  pid: number;
  host: string;
  /** What it runs (for the message of whoever is refused). */
  command: string;
  /** ISO time it took the lock. */
  started: string;
  /** Tells this holding apart from an earlier process with the same pid (containers reuse low pids). */
  token: string;
}

export interface DirectoryLock {
  readonly dir: string;
  readonly owner: LockOwner;
  /** Removes the lock file if it is still this holder's. Also done at process exit. */
  release(): Promise<void>;
}

export interface LockOptions {
  /** What the holder runs, stored in the lock file. */
  command?: string;
  /** Called when a stale lock (its process gone) is taken over. */
  onStaleLock?: (owner: LockOwner, lockFile: string) => void;
}

const DIRECTORY_LOCKED = Symbol.for('semix.DirectoryLockedError');

/**
 * Another live writer holds the directory. `owner` is null when its lock file cannot be read. Recognised by
 * `DirectoryLockedError.isInstance`, never by its message.
 */
export class DirectoryLockedError extends Error {
  readonly [DIRECTORY_LOCKED] = true;
  constructor(
    readonly dir: string,
    readonly lockFile: string,
    readonly owner: LockOwner | null,
  ) {
    const who = owner
      ? `pid ${owner.pid} on ${owner.host}${owner.host === hostname() ? '' : ' (another host: whether it still runs cannot be checked from here)'}, ${owner.command}, since ${owner.started}`
      : 'its lock file cannot be read';
    super(
      `${dir} is in use by another semix writer (${who}); wait for it to finish, or remove ${lockFile} if that process is gone`,
    );
    this.name = 'DirectoryLockedError';
  }
  static isInstance(error: unknown): error is DirectoryLockedError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[DIRECTORY_LOCKED] === true;
  }
}

/** Tokens of the locks this process holds: its own pid in a lock file is live only if the token is one of them. */
const held = new Set<string>();

/**
 * Takes the exclusive lock on `dir` (created if missing) for one writer: the lock file appears whole or not at all
 * (written beside it, then hard-linked into place, which fails if it exists). A lock whose process is gone (same
 * host, pid not running) is taken over, reported through `onStaleLock`; a live one, or one of another host, throws
 * DirectoryLockedError naming its pid and host.
 */
export async function lockDirectory(dir: string, options: LockOptions = {}): Promise<DirectoryLock> {
  await mkdir(dir, { recursive: true });
  const lockFile = join(dir, LOCK_FILE);
  const owner: LockOwner = {
    pid: process.pid,
    host: hostname(),
    command: options.command ?? process.argv.slice(1).join(' '),
    started: new Date().toISOString(),
    token: randomBytes(8).toString('hex'),
  };
  const text = `${JSON.stringify(owner)}\n`;
  // A few rounds: a holder may release, or another process take over a stale lock, between our steps.
  for (let round = 0; round < 10; round++) {
    if (await create(lockFile, text)) return holding(dir, lockFile, owner, text);
    const seen = await readLock(lockFile);
    if (seen === null) continue; // released meanwhile
    if (seen.owner === null || alive(seen.owner)) throw new DirectoryLockedError(dir, lockFile, seen.owner);
    if (await removeIfUnchanged(lockFile, seen.text)) options.onStaleLock?.(seen.owner, lockFile);
  }
  const seen = await readLock(lockFile);
  throw new DirectoryLockedError(dir, lockFile, seen?.owner ?? null);
}

/** Creates `lockFile` holding `text` unless it exists; false when it does. */
async function create(lockFile: string, text: string): Promise<boolean> {
  const tmp = tempBeside(lockFile);
  await writeFile(tmp, text);
  try {
    await link(tmp, lockFile);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    // A file system without hard links: an exclusive create, with a moment in which the file is still empty.
    if (code === 'EPERM' || code === 'ENOTSUP' || code === 'ENOSYS' || code === 'EOPNOTSUPP') {
      try {
        await writeFile(lockFile, text, { flag: 'wx' });
        return true;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
        throw e;
      }
    }
    throw error;
  } finally {
    await rm(tmp, { force: true });
  }
}

/** The lock file's text and holder; null when there is none; owner null when it cannot be read as a lock. */
async function readLock(lockFile: string): Promise<{ text: string; owner: LockOwner | null } | null> {
  for (let tries = 0; ; tries++) {
    let text: string;
    try {
      text = await readFile(lockFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
    const owner = parseOwner(text);
    // Empty or partial: the exclusive-create fallback may be mid-write; look again before calling it unreadable.
    if (owner || tries >= 5) return { text, owner };
    await new Promise((r) => setTimeout(r, 50));
  }
}

function parseOwner(text: string): LockOwner | null {
  try {
    const o = JSON.parse(text) as Partial<LockOwner>;
    if (Number.isInteger(o.pid) && typeof o.host === 'string' && typeof o.token === 'string') {
      return {
        pid: o.pid as number,
        host: o.host,
        token: o.token,
        command: String(o.command),
        started: String(o.started),
      };
    }
  } catch {
    // not JSON: unreadable
  }
  return null;
}

/** Whether the holder may still run: another host's cannot be checked, so it counts as running. */
function alive(owner: LockOwner): boolean {
  if (owner.host !== hostname()) return true;
  if (owner.pid === process.pid) return held.has(owner.token);
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, under another user.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

/**
 * Removes a stale lock file if it still holds `text`: moved aside first (atomic), so that of two processes taking
 * over the same stale lock, the second cannot remove the first one's new lock; if what it moved aside is not the
 * stale lock, it is put back.
 */
async function removeIfUnchanged(lockFile: string, text: string): Promise<boolean> {
  const aside = tempBeside(lockFile);
  try {
    await rename(lockFile, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  try {
    if ((await readFile(aside, 'utf8')) === text) return true;
    await link(aside, lockFile).catch(() => {});
    return false;
  } finally {
    await rm(aside, { force: true });
  }
}

function holding(dir: string, lockFile: string, owner: LockOwner, text: string): DirectoryLock {
  held.add(owner.token);
  // A process that exits without release (an uncaught error, process.exit) leaves no lock; SIGKILL does, which
  // the next writer finds stale and takes over.
  const atExit = () => {
    try {
      if (readFileSync(lockFile, 'utf8') === text) unlinkSync(lockFile);
    } catch {
      // gone already
    }
  };
  process.once('exit', atExit);
  let released = false;
  return {
    dir,
    owner,
    async release() {
      if (released) return;
      released = true;
      process.removeListener('exit', atExit);
      held.delete(owner.token);
      try {
        if ((await readFile(lockFile, 'utf8')) === text) await unlink(lockFile);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
      }
    },
  };
}

/** writeAtomic's temp files (`<name>.<12 hex digits>.tmp`), and the lock's, which follow the same pattern. */
const TEMP_FILE = /\.[0-9a-f]{12}\.tmp$/;

/**
 * Removes the temp files a killed writer left in `dirs` (not below them); returns their paths. Only for a writer
 * holding the directory's lock: another live writer's temp files look the same.
 */
export async function removeStaleTemps(dirs: string[]): Promise<string[]> {
  const removed: string[] = [];
  for (const dir of dirs) {
    let names: string[];
    try {
      names = await readdir(dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'ENOTDIR')
        continue;
      throw error;
    }
    for (const name of names.filter((n) => TEMP_FILE.test(n))) {
      await rm(join(dir, name), { force: true });
      removed.push(join(dir, name));
    }
  }
  return removed;
}
