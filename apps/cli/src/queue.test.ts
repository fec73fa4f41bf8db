import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';

// Real Redis, real worker processes (the built CLI), no mocks. .ci/run installs redis-server; on a developer
// machine without it these tests are skipped with a note (under CI they fail instead).
const hasRedis = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
if (!hasRedis && !process.env.CI)
  console.warn('queue tests skipped: redis-server is not installed (apt-get install redis-server)');

const bin = resolve(import.meta.dirname, '../dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'semix-queue-'));
const env = { ...process.env, SEMIX_CACHE: join(dir, 'cache') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const processes: ChildProcess[] = [];
afterEach(() => {
  for (const p of processes.splice(0)) if (p.exitCode === null) p.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((r) => {
      const s = createConnection(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        r(true);
      });
      s.once('error', () => r(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`redis did not start on ${port}`);
}

async function startRedis(port: number, data: string, extra: string[] = []): Promise<ChildProcess> {
  const p = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--dir', data, '--save', '', '--appendonly', 'yes', ...extra],
    {
      stdio: 'ignore',
    },
  );
  processes.push(p);
  await waitForPort(port);
  return p;
}

interface Running {
  proc: ChildProcess;
  out: () => string;
  exit: Promise<number | null>;
}

function run(args: string[], extraEnv: Record<string, string> = {}): Running {
  const proc = spawn(process.execPath, [bin, ...args], { cwd: dir, env: { ...env, ...extraEnv } });
  processes.push(proc);
  let text = '';
  proc.stdout?.on('data', (d) => {
    text += d;
  });
  proc.stderr?.on('data', (d) => {
    text += d;
  });
  const exit = new Promise<number | null>((r) => proc.on('close', r));
  return { proc, out: () => text, exit };
}

/** A Redis command's reply, by redis-cli (installed with redis-server). */
const redisCli = (port: number, ...args: string[]) =>
  execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).trim();

async function until(what: string, f: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!f()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

function preset(
  name: string,
  extra: { train?: object; methods?: string[]; seeds?: number[]; evaluation?: object } = {},
): string {
  const file = join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      name,
      description: 'queue test',
      dataset: 'mnist-mini',
      model: { arch: 'cnn-small', width: 0.5 },
      methods: extra.methods ?? ['erm', 'mixup', 'cutmix'],
      seeds: extra.seeds ?? [0, 1],
      train: {
        epochs: 1,
        batchSize: 64,
        optimizer: 'adam',
        lr: 0.002,
        schedule: { type: 'constant' },
        weightDecay: 0,
        trainImages: 512,
        ...extra.train,
      },
      evaluation: { images: 200, corruptions: 'none', gapImages: 32, ...extra.evaluation },
    }),
  );
  return file;
}

const records = (out: string) => readdirSync(join(out, 'records')).sort();
/** The record file names the grid of a results directory expects: its job ids. */
const gridFiles = (out: string) =>
  (JSON.parse(readFileSync(join(out, 'grid.json'), 'utf8')).jobs as Array<{ id: string }>)
    .map((j) => `${j.id}.json`)
    .sort();
// A killed worker's job is taken over once its lock lapses: 10 s here, long enough that a live worker whose event
// loop is held up (loading data, compiling kernels on a loaded CI machine) keeps renewing it in time. With 3 s this
// test failed about once in fifteen runs.
const WORKER = ['worker', '--backend', 'wasm', '--lock-ms', '10000', '--stalled-ms', '1000'];

describe.skipIf(!hasRedis && !process.env.CI)('leaderboard grid on BullMQ + Redis', () => {
  it('3 worker processes: every record arrives exactly once; a re-submitted grid runs nothing', async () => {
    const port = await freePort();
    await startRedis(port, mkdtempSync(join(dir, 'redis-')));
    const url = `redis://127.0.0.1:${port}`;
    const workers = [
      run([...WORKER, '--queue', url]),
      run([...WORKER, '--queue', url]),
      run([...WORKER, '--queue', url]),
    ];
    const out = join(dir, 'three');
    const file = preset('three');
    const coordinator = run(['bench', '--preset', file, '--queue', url, '--out', out]);
    expect(await coordinator.exit).toBe(0);
    expect(records(out)).toHaveLength(6);
    // The queue's job ids are the in-process bench's: the same grid, the same record files.
    expect(records(out)).toEqual(gridFiles(out));
    const done = workers.flatMap((w) => w.out().match(/: done semix-\w+/g) ?? []);
    expect(done).toHaveLength(6);
    expect(new Set(done.map((d) => d.split(' ').pop())).size).toBe(6);
    expect(workers.filter((w) => /: done /.test(w.out())).length).toBeGreaterThan(1);
    const again = run(['bench', '--preset', file, '--queue', url, '--out', out]);
    expect(await again.exit).toBe(0);
    expect(again.out()).toMatch(/0 done, 0 failed, 6 skipped/);
    for (const w of workers) w.proc.kill('SIGTERM');
    await Promise.all(workers.map((w) => w.exit));
    expect(workers.every((w) => /stopped/.test(w.out()))).toBe(true);
  }, 120_000);

  it('a worker killed with SIGKILL mid-job: its job is taken over, one record per job', async () => {
    const port = await freePort();
    await startRedis(port, mkdtempSync(join(dir, 'redis-')));
    const url = `redis://127.0.0.1:${port}`;
    const victim = run([...WORKER, '--queue', url]);
    await until('the first worker', () => /ready/.test(victim.out()));
    const out = join(dir, 'killed');
    const coordinator = run([
      'bench',
      '--preset',
      preset('killed', { methods: ['erm', 'mixup'], seeds: [0], train: { trainImages: 2048, epochs: 2 } }),
      '--queue',
      url,
      '--out',
      out,
    ]);
    await until('a job to start on the victim', () => /: start semix-/.test(victim.out()));
    const killedJob = (victim.out().match(/: start (semix-\w+)/) as RegExpMatchArray)[1];
    victim.proc.kill('SIGKILL');
    const survivor = run([...WORKER, '--queue', url]);
    expect(await coordinator.exit).toBe(0);
    expect(records(out)).toEqual(gridFiles(out));
    expect(records(out)).toHaveLength(2);
    expect(survivor.out()).toContain(`done ${killedJob}`);
    expect(victim.out()).not.toContain(`done ${killedJob}`);
  }, 120_000);

  it('Redis restarting mid-run: workers and coordinator reconnect and the run completes', async () => {
    const port = await freePort();
    const data = mkdtempSync(join(dir, 'redis-'));
    let redis = await startRedis(port, data);
    const url = `redis://127.0.0.1:${port}`;
    const workers = [run([...WORKER, '--queue', url]), run([...WORKER, '--queue', url])];
    const out = join(dir, 'restart');
    const coordinator = run([
      'bench',
      '--preset',
      preset('restart', { methods: ['erm', 'mixup'], seeds: [0, 1], train: { trainImages: 1024 } }),
      '--queue',
      url,
      '--out',
      out,
    ]);
    await until('a job to start', () => workers.some((w) => /: start /.test(w.out())));
    redis.kill('SIGTERM');
    await new Promise((r) => redis.on('close', r));
    await new Promise((r) => setTimeout(r, 1500));
    redis = await startRedis(port, data);
    expect(await coordinator.exit).toBe(0);
    expect(records(out)).toHaveLength(4);
  }, 120_000);

  it('a job that throws is retried with backoff, then recorded as failed and shown as failed', async () => {
    const port = await freePort();
    await startRedis(port, mkdtempSync(join(dir, 'redis-')));
    const url = `redis://127.0.0.1:${port}`;
    // This worker's cache is a file, so generating the corruption suite fails on every attempt.
    const notADir = join(dir, 'cache-is-a-file');
    writeFileSync(notADir, '');
    const worker = run([...WORKER, '--queue', url], { SEMIX_CACHE: notADir });
    const out = join(dir, 'failing');
    const file = preset('failing', {
      methods: ['erm'],
      seeds: [0],
      evaluation: { images: 20, corruptions: 'cifar10-c-15', gapImages: 16 },
    });
    const coordinator = run(['bench', '--preset', file, '--queue', url, '--out', out, '--attempts', '2']);
    expect(await coordinator.exit).toBe(1);
    expect(coordinator.out()).toMatch(/FAILED erm seed 0 \(error\) after 2 attempt\(s\)/);
    expect((worker.out().match(/: start semix-\w+ erm seed 0 \(attempt \d\)/g) ?? []).length).toBe(2);
    const [id] = gridFiles(out);
    const failure = JSON.parse(readFileSync(join(out, 'failed', id), 'utf8'));
    expect(failure).toMatchObject({ schema: 'semix-failed-v2', label: 'erm', seed: 0, attempts: 2, reason: 'error' });
    expect(failure.error).toMatch(/ENOTDIR|not a directory/i);
    expect(readFileSync(join(out, 'leaderboard.md'), 'utf8')).toMatch(/## Failed jobs[\s\S]*erm \| 0 \| error/);
  }, 120_000);

  it('a diverging job is a result, not a fault: recorded as failed with its step and losses, never retried', async () => {
    const port = await freePort();
    await startRedis(port, mkdtempSync(join(dir, 'redis-')));
    const url = `redis://127.0.0.1:${port}`;
    const worker = run([...WORKER, '--queue', url]);
    const out = join(dir, 'diverging');
    // A learning rate of 1e38 makes the loss non-finite (float32 overflows) within the first steps, with fused or plain
    // multiply-adds: the trainer throws TrainingDivergedError every time. (1e9 and 1e30 left it finite under fused
    // multiply-adds, ce 4e34 and 9e29: a near-chance failure instead.)
    const file = preset('diverging', { methods: ['erm'], seeds: [0], train: { optimizer: 'sgd', lr: 1e38 } });
    const coordinator = run(['bench', '--preset', file, '--queue', url, '--out', out, '--attempts', '3']);
    expect(await coordinator.exit).toBe(1);
    expect(coordinator.out()).toMatch(/FAILED erm seed 0 \(diverged\) after 1 attempt\(s\)/);
    expect((worker.out().match(/: start semix-\w+ erm seed 0/g) ?? []).length).toBe(1);
    const [id] = gridFiles(out);
    const failure = JSON.parse(readFileSync(join(out, 'failed', id), 'utf8'));
    expect(failure).toMatchObject({ reason: 'diverged', label: 'erm' });
    expect(failure.step).toBeGreaterThanOrEqual(0);
    expect(Object.keys(failure.losses)).toContain('ce');
    expect(readFileSync(join(out, 'leaderboard.md'), 'utf8')).toMatch(/\*\*failed\*\* \(diverged at step \d+: ce=/);
  }, 120_000);

  it('a worker that computes otherwise (another backend) refuses the job: recorded as failed, not retried', async () => {
    const port = await freePort();
    await startRedis(port, mkdtempSync(join(dir, 'redis-')));
    const url = `redis://127.0.0.1:${port}`;
    const worker = run(['worker', '--backend', 'cpu', '--queue', url]);
    const out = join(dir, 'other-compute');
    const file = preset('other-compute', { methods: ['erm'], seeds: [0] });
    const coordinator = run(['bench', '--preset', file, '--backend', 'wasm', '--queue', url, '--out', out]);
    expect(await coordinator.exit).toBe(1);
    expect(coordinator.out()).toMatch(/FAILED erm seed 0 \(error\) after 1 attempt\(s\)/);
    const [id] = gridFiles(out);
    const failure = JSON.parse(readFileSync(join(out, 'failed', id), 'utf8'));
    expect(failure.error).toMatch(
      /^refused: this worker computes with \{"backend":"cpu"\}, the coordinator planned \{"backend":"wasm","kernels":/,
    );
    expect(failure.error).toContain('differs at backend, kernels');
    // The grid's identities say what they are planned for; no record was written under them.
    const grid = JSON.parse(readFileSync(join(out, 'grid.json'), 'utf8'));
    expect(grid.jobs[0].identity.compute.backend).toBe('wasm');
    expect(records(out)).toEqual([]);
    expect(worker.out()).not.toMatch(/: done /);
  }, 120_000);

  it('refuses bad queue URLs without printing secrets', () => {
    const bad = run(['bench', '--preset', 'smoke', '--queue', 'http://user:hunter2@host']);
    return bad.exit.then((code) => {
      expect(code).toBe(2);
      expect(bad.out()).toMatch(/--queue: protocol 'http:' is not allowed; allowed: redis:, rediss:/);
      expect(bad.out()).not.toContain('hunter2');
    });
  });

  it('a wrong or missing password is final: exit 1 at once, naming the URL with its password redacted', async () => {
    const port = await freePort();
    await startRedis(port, mkdtempSync(join(dir, 'redis-')), ['--requirepass', 'right-secret']);
    const wrong = `redis://:wrong-secret@127.0.0.1:${port}`;
    const file = preset('auth', { methods: ['erm'], seeds: [0] });
    for (const [args, shown] of [
      [[...WORKER, '--queue', wrong], `redis://:***@127.0.0.1:${port}`],
      [['bench', '--preset', file, '--queue', wrong, '--out', join(dir, 'auth')], `redis://:***@127.0.0.1:${port}`],
      [[...WORKER, '--queue', `redis://127.0.0.1:${port}`], `redis://127.0.0.1:${port}`],
    ] as const) {
      const started = Date.now();
      const p = run([...args]);
      expect(await p.exit).toBe(1);
      // Well inside the default 30 s connect timeout: the refusal itself ends it.
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(p.out()).toContain(`semix: queue: Redis at ${shown} refused`);
      expect(p.out()).toMatch(/WRONGPASS|NOAUTH/);
      expect(p.out()).not.toContain('wrong-secret');
    }
  }, 120_000);

  it('an unreachable Redis is given up after --connect-timeout: exit 1 naming the redacted URL', async () => {
    const port = await freePort(); // nothing listens there
    const url = `redis://:some-secret@127.0.0.1:${port}`;
    const file = preset('unreachable', { methods: ['erm'], seeds: [0] });
    for (const args of [
      [...WORKER, '--queue', url, '--connect-timeout', '2'],
      ['bench', '--preset', file, '--queue', url, '--out', join(dir, 'unreachable'), '--connect-timeout', '2'],
    ]) {
      const started = Date.now();
      const p = run(args);
      expect(await p.exit).toBe(1);
      const seconds = (Date.now() - started) / 1000;
      expect(seconds).toBeGreaterThanOrEqual(2);
      expect(seconds).toBeLessThan(20);
      expect(p.out()).toContain(`semix: queue: Redis at redis://:***@127.0.0.1:${port} was unreachable for 2 s`);
      expect(p.out()).not.toContain('some-secret');
    }
    const bad = run([...WORKER, '--queue', url, '--connect-timeout', '0']);
    expect(await bad.exit).toBe(2);
    expect(bad.out()).toMatch(/--connect-timeout: '0' is not valid/);
  }, 120_000);

  it('one SIGINT stops a worker that cannot reach Redis', async () => {
    const port = await freePort();
    const worker = run([...WORKER, '--queue', `redis://127.0.0.1:${port}`]);
    await until('a connection error', () => /ECONNREFUSED/.test(worker.out()));
    const started = Date.now();
    worker.proc.kill('SIGINT');
    expect(await worker.exit).toBe(0);
    expect(Date.now() - started).toBeLessThan(5_000);
  }, 60_000);

  it('one SIGINT stops a worker mid-job (its job back in waiting, no attempt spent) and then the coordinator (130, jobs kept)', async () => {
    const port = await freePort();
    await startRedis(port, mkdtempSync(join(dir, 'redis-')));
    const url = `redis://127.0.0.1:${port}`;
    const worker = run([...WORKER, '--queue', url]);
    const out = join(dir, 'interrupted');
    // Long enough (many epochs) that the signal lands while the job trains.
    const file = preset('interrupted', { methods: ['erm', 'mixup'], seeds: [0], train: { epochs: 200 } });
    const coordinator = run(['bench', '--preset', file, '--queue', url, '--out', out]);
    await until('a job to start', () => /: start semix-/.test(worker.out()));
    const id = (worker.out().match(/: start (semix-\w+)/) as RegExpMatchArray)[1];
    await new Promise((r) => setTimeout(r, 1000));
    let started = Date.now();
    worker.proc.kill('SIGINT');
    expect(await worker.exit).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(worker.out()).toContain(`released ${id}`);
    expect(worker.out()).not.toContain(`done ${id}`);
    // Back in the wait list for the next worker, its lock gone, and the interrupted run not counted as an attempt.
    expect(redisCli(port, 'LRANGE', 'bull:semix-bench:wait', '0', '-1').split('\n')).toContain(id);
    expect(redisCli(port, 'LRANGE', 'bull:semix-bench:active', '0', '-1')).not.toContain(id);
    expect(redisCli(port, 'HGET', `bull:semix-bench:${id}`, 'atm')).toMatch(/^0?$/);

    started = Date.now();
    coordinator.proc.kill('SIGINT');
    expect(await coordinator.exit).toBe(130);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(coordinator.out()).toMatch(/2 unfinished jobs stay queued in Redis; run the same command again/);
    expect(redisCli(port, 'LLEN', 'bull:semix-bench:wait')).toBe('2');
    // Run again: it finds both jobs queued and adds nothing.
    const again = run(['bench', '--preset', file, '--queue', url, '--out', out]);
    await until('the jobs found queued', () => (again.out().match(/^existing /gm) ?? []).length === 2);
    again.proc.kill('SIGTERM');
    expect(await again.exit).toBe(143);
  }, 120_000);
});
