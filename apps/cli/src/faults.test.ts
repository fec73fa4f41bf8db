import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { type CliResult, runCli } from './run_cli.test_helper';

// Fault injection, as a user would meet it: damaged and swapped checkpoints, racing and killed writers. The built
// binary runs as a subprocess (vitest.global-build.ts builds it first).
const dir = mkdtempSync(join(tmpdir(), 'semix-faults-'));
const env = { ...process.env, SEMIX_CACHE: join(dir, 'cache') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI without blocking this thread. */
const semix = (...args: string[]): Promise<CliResult> => runCli(dir, env, args);

const train = (method: string, out: string, ...more: string[]) =>
  semix('train', '--preset', 'smoke', '--method', method, '--out', out, ...more);
const jobIdOf = (run: string) => JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).job_id as string;
const checkpointOf = (run: string) => join(run, 'checkpoint', 'checkpoint.semix');
/** The pid of a process that has exited: a writer killed long ago. */
const deadPid = () => spawnSync(process.execPath, ['-e', '']).pid as number;

describe('checkpoints', () => {
  const erm = join(dir, 'erm');
  const mixupSem = join(dir, 'mixup-sem');

  it("refuses an erm run's checkpoint copied into a mixup+sem run (exit 2 naming both job ids), never resumes it", async () => {
    for (const [method, out] of [
      ['erm', erm],
      ['mixup+sem', mixupSem],
    ]) {
      const t = await train(method, out);
      expect(t.err).toBe('');
      expect(t.code).toBe(0);
    }
    copyFileSync(checkpointOf(erm), checkpointOf(mixupSem));
    rmSync(join(mixupSem, 'record.json'));
    const r = await train('mixup+sem', mixupSem);
    expect(r.code).toBe(2);
    expect(r.err).toContain(
      `semix: checkpoint in ${join(mixupSem, 'checkpoint')} belongs to run ${jobIdOf(erm)}, not to this run (${jobIdOf(mixupSem)}); it is not resumed`,
    );
    expect(existsSync(join(mixupSem, 'record.json'))).toBe(false);
  }, 240_000);

  it('refuses a checkpoint with 200 zeroed bytes of weights: eval and resume exit 1 naming the file and the tensor', async () => {
    const path = checkpointOf(erm);
    const bytes = readFileSync(path);
    // After the length, the header and the header's SHA-256: the first tensor's data.
    const start = 4 + bytes.readUInt32LE(0) + 32;
    bytes.fill(0, start, start + 200);
    writeFileSync(path, bytes);
    const damaged = new RegExp(
      `semix: checkpoint ${path}: tensor '[^']+' \\(model\\) fails its SHA-256 check: the file is damaged`,
    );
    const e = await semix('eval', '--checkpoint', join(erm, 'checkpoint'), '--json');
    expect(e.code).toBe(1);
    expect(e.out).toBe('');
    expect(e.err).toMatch(damaged);
    rmSync(join(erm, 'record.json'));
    const resumed = await train('erm', erm);
    expect(resumed.code).toBe(1);
    expect(resumed.err).toMatch(damaged);
    expect(resumed.err).not.toMatch(/diverged/);
    expect(existsSync(join(erm, 'record.json'))).toBe(false);
  }, 120_000);
});

describe('one writer per directory', () => {
  it('two train processes on one directory: exactly one proceeds, the other is refused naming the holder', async () => {
    const out = join(dir, 'race');
    const [a, b] = await Promise.all([train('mixup+sem', out, '--epochs', '2'), train('erm', out, '--epochs', '2')]);
    const codes = [a.code, b.code].sort();
    expect(codes).toEqual([0, 1]);
    const [winner, loser] = a.code === 0 ? [a, b] : [b, a];
    expect(loser.err).toMatch(
      new RegExp(`semix: ${out} is in use by another semix writer \\(pid \\d+ on ${hostname()}, .*train`),
    );
    // The directory holds the winner's run alone: its config, record and checkpoint name one job.
    const record = JSON.parse(readFileSync(join(out, 'record.json'), 'utf8'));
    expect(record.job_id).toBe(jobIdOf(out));
    expect(winner.out).toContain(`wrote ${join(out, 'record.json')}`);
    expect(existsSync(join(out, '.semix.lock'))).toBe(false);
  }, 240_000);

  it("takes over a killed writer's lock with a message and removes the temp files it left", async () => {
    const out = join(dir, 'killed');
    mkdirSync(join(out, 'checkpoint'), { recursive: true });
    const pid = deadPid();
    const owner = { pid, host: hostname(), command: 'semix train (killed)', started: '2025-01-01T00:00:00.000Z' };
    writeFileSync(join(out, '.semix.lock'), JSON.stringify({ ...owner, token: '0123456789abcdef' }));
    // What a SIGKILL between a temp write and its rename leaves.
    const temps = [
      join(out, 'record.json.0123456789ab.tmp'),
      join(out, 'checkpoint', 'checkpoint.semix.ba9876543210.tmp'),
    ];
    for (const t of temps) writeFileSync(t, 'half');
    const r = await train('erm', out);
    expect(r.code).toBe(0);
    expect(r.err).toContain(
      `semix: took over ${join(out, '.semix.lock')} from pid ${pid} on ${hostname()} (semix train (killed), since 2025-01-01T00:00:00.000Z), which no longer runs`,
    );
    expect(r.err).toContain(`semix: removed 2 temp file(s) a killed writer left: ${temps.join(', ')}`);
    for (const t of temps) expect(existsSync(t)).toBe(false);
    expect(existsSync(join(out, '.semix.lock'))).toBe(false);
  }, 120_000);

  it('bench and leaderboard refuse a results directory another live writer holds (exit 1 naming it)', async () => {
    const out = join(dir, 'held');
    mkdirSync(out, { recursive: true });
    // This test's own process: alive, on this host.
    const owner = { pid: process.pid, host: hostname(), command: 'semix bench', started: '2025-01-01T00:00:00.000Z' };
    writeFileSync(join(out, '.semix.lock'), JSON.stringify({ ...owner, token: '0123456789abcdef' }));
    const held = `semix: ${out} is in use by another semix writer (pid ${process.pid} on ${hostname()}, semix bench, since 2025-01-01T00:00:00.000Z)`;
    for (const args of [
      ['bench', '--preset', 'smoke', '--out', out],
      ['leaderboard', '--out', out],
    ]) {
      const r = await semix(...args);
      expect(r.code).toBe(1);
      expect(r.err).toContain(held);
    }
    expect(existsSync(join(out, 'grid.json'))).toBe(false);
  }, 120_000);
});
