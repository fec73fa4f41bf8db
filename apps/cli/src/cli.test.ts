import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The built binary runs as a subprocess (build.global.ts builds it first), as users run it.
const bin = resolve(import.meta.dirname, '../dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'semix-cli-'));
const env = { ...process.env, SEMIX_CACHE: join(dir, 'cache') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function semix(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: 'utf8', cwd: dir, env, timeout: 120_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('semix CLI', () => {
  it('--help lists the commands; every command has help with an example', () => {
    const r = semix('--help');
    expect(r.code).toBe(0);
    for (const c of ['train', 'eval', 'backends', 'bench', 'leaderboard', 'speed', 'datasets'])
      expect(r.out).toContain(c);
    for (const c of [['train'], ['eval'], ['bench'], ['speed'], ['datasets', 'fetch'], ['datasets', 'verify']]) {
      const h = semix(...c, '--help');
      expect(h.code).toBe(0);
      expect(h.out).toMatch(/Examples?:\n {2}semix /);
    }
  });

  it('backends --json says which backend is chosen', () => {
    const r = semix('backends', '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out);
    expect(info.chosen).toBe('wasm');
    expect(info.backends.map((b: { name: string }) => b.name)).toEqual(['tensorflow', 'wasm', 'cpu']);
  });

  it('train on the smoke preset writes a checkpoint and a record; eval of the checkpoint reproduces it', () => {
    const out = join(dir, 'run');
    const t = semix('train', '--preset', 'smoke', '--method', 'cutmix+sem', '--seed', '3', '--out', out, '--json');
    expect(t.err).toBe('');
    expect(t.code).toBe(0);
    const record = JSON.parse(t.out);
    expect(record.method.name).toBe('cutmix+sem');
    expect(record.seed).toBe(3);
    expect(JSON.parse(readFileSync(join(out, 'record.json'), 'utf8'))).toEqual(record);
    const e = semix('eval', '--checkpoint', join(out, 'checkpoint'), '--json');
    expect(e.code).toBe(0);
    const ev = JSON.parse(e.out);
    expect(ev.clean_acc).toBe(record.clean_acc);
    expect(ev.corruptions_acc).toEqual(record.corruptions_acc);
    expect(ev.equivariance_gap).toBeCloseTo(record.equivariance_gap, 6);
    const none = semix('eval', '--checkpoint', join(out, 'checkpoint'), '--corruptions', 'none', '--json');
    expect(JSON.parse(none.out).corruption_suite).toBe('none');
  }, 120_000);

  it('train --workers 2 trains data-parallel from the published build, reproducibly, and records it', () => {
    const run = (name: string) => {
      const t = semix(
        'train',
        '--preset',
        'smoke',
        '--method',
        'mixup+sem',
        '--workers',
        '2',
        '--out',
        join(dir, name),
      );
      expect(t.err).toBe('');
      expect(t.code).toBe(0);
      return JSON.parse(readFileSync(join(dir, name, 'record.json'), 'utf8'));
    };
    const a = run('dp-a');
    const b = run('dp-b');
    expect(a.train.workers).toBe(2);
    expect(b.clean_acc).toBe(a.clean_acc);
    expect(b.equivariance_gap).toBe(a.equivariance_gap);
    const zero = semix('train', '--workers', '0');
    expect(zero.code).toBe(2);
    expect(zero.err).toMatch(/--workers: '0' is not valid; expected an integer >= 1/);
  }, 120_000);

  it('Ctrl-C stops training cleanly (exit 1) and the same command resumes from the last epoch', async () => {
    const out = join(dir, 'interrupted');
    const args = [bin, 'train', '--preset', 'smoke', '--method', 'mixup', '--epochs', '6', '--out', out];
    const child = spawn(process.execPath, args, { cwd: dir, env });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const code = await new Promise<number | null>((done) => {
      child.stdout.on('data', (d) => {
        stdout += d;
        if (/epoch 3\/6/.test(stdout) && !child.killed) child.kill('SIGINT');
      });
      child.on('close', done);
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/interrupted; the checkpoint of the last finished epoch is in .*run the same command again/);
    const again = spawnSync(process.execPath, args, { cwd: dir, env, encoding: 'utf8' });
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/resuming from the checkpoint of epoch [2-5]/);
    expect(JSON.parse(readFileSync(join(out, 'record.json'), 'utf8')).method.name).toBe('mixup');
  }, 120_000);

  it('bench --preset smoke writes records and a leaderboard; leaderboard rebuilds it', () => {
    const out = join(dir, 'smoke');
    const r = semix('bench', '--preset', 'smoke', '--out', out, '--backend', 'wasm', '--jobs', '1');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/rank\s+method/);
    expect(readFileSync(join(out, 'leaderboard.md'), 'utf8')).toContain('semix bench --preset smoke');
    const again = semix('leaderboard', '--out', out, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).rows).toHaveLength(2);
    // --jobs 2 (one worker thread per job, from the build) gives the same table.
    const threaded = semix('bench', '--preset', 'smoke', '--out', join(dir, 'smoke-jobs'), '--jobs', '2');
    expect(threaded.err).toBe('');
    expect(threaded.code).toBe(0);
    const rows = (file: string) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => /^\| \d/.test(l));
    expect(rows(join(dir, 'smoke-jobs', 'leaderboard.md'))).toEqual(rows(join(out, 'leaderboard.md')));
    expect(rows(join(out, 'leaderboard.md'))).toHaveLength(2);
    const bad = semix('bench', '--preset', 'smoke', '--jobs', 'many');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--jobs: 'many' is not valid; expected auto or an integer >= 1/);
  }, 120_000);

  it('usage errors exit 2 and name the option, the value and what is allowed', () => {
    const unknown = semix('fly');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command 'fly'/);
    const method = semix('train', '--method', 'mixdown');
    expect(method.code).toBe(2);
    expect(method.err).toMatch(/--method: 'mixdown' is not a method; allowed: erm, mixup, mixup\+sem/);
    const preset = semix('bench', '--preset', 'huge', '--out', join(dir, 'x'));
    expect(preset.code).toBe(2);
    expect(preset.err).toMatch(/preset: 'huge' is not a preset; allowed: quick, smoke/);
    const backend = semix('bench', '--backend', 'gpu');
    expect(backend.code).toBe(2);
    expect(backend.err).toMatch(/--backend: 'gpu' is not valid; allowed: auto, tensorflow, wasm, cpu/);
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ train: { optimizer: 'rmsprop' }, modle: {} }));
    const bad = semix('train', '--config', config);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/train\.optimizer: Invalid enum value\. Expected 'adam' \| 'sgd', received 'rmsprop'/);
    expect(bad.err).toMatch(/unknown key\(s\) 'modle'; allowed: preset, dataset, method, model/);
  });

  it('run-time failures exit 1 with a sentence', () => {
    const dataset = semix('datasets', 'preview', '../../etc');
    expect(dataset.code).toBe(1);
    expect(dataset.err).toMatch(/dataset: '..\/..\/etc' is not available; allowed: mnist-mini/);
    const missing = semix('eval', '--checkpoint', join(dir, 'nowhere'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no checkpoint in .*nowhere/);
  });

  it('datasets corrupt and preview take --suite mnist-c | cifar10-c, validated', () => {
    const mnistC = semix('datasets', 'corrupt', 'mnist-mini', '--suite', 'mnist-c', '--images', '40', '--json');
    expect(mnistC.code).toBe(0);
    const info = JSON.parse(mnistC.out);
    expect(info).toMatchObject({ name: 'mnist-mini-mnist-c', suite: 'mnist-c', severities: [1], images: 40 });
    expect(info.corruptions).toEqual([
      'shot_noise',
      'impulse_noise',
      'glass_blur',
      'motion_blur',
      'shear',
      'scale',
      'rotate',
      'brightness',
      'translate',
      'stripe',
      'fog',
      'spatter',
      'dotted_line',
      'zigzag',
      'canny_edges',
    ]);
    const cifar = JSON.parse(
      semix('datasets', 'corrupt', 'mnist-mini', '--suite', 'cifar10-c', '--images', '4', '--json').out,
    );
    expect(cifar).toMatchObject({ name: 'mnist-mini-c', suite: 'cifar10-c', severities: [1, 2, 3, 4, 5] });
    expect(cifar.corruptions).toHaveLength(15);
    const bad = semix('datasets', 'corrupt', 'mnist-mini', '--suite', 'imagenet-c');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--suite: 'imagenet-c' is not valid; allowed: cifar10-c, mnist-c/);
    // Width = label column (longest row label: 'impulse_noise' / 'elastic_transform', 4 pixels a glyph less the
    // last gap, × 2, plus 12 of margin) + columns (clean and the levels) × (28 × 2 + 2) + 2.
    for (const [suite, longest, columns] of [
      ['mnist-c', 13, 2],
      ['cifar10-c', 17, 6],
    ] as const) {
      const out = join(dir, `preview-${suite}.png`);
      const r = semix('datasets', 'preview', 'mnist-mini', '--suite', suite, '--images', '1', '--out', out);
      expect(r.code).toBe(0);
      const png = readFileSync(out);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.readUInt32BE(16)).toBe((longest * 4 - 1) * 2 + 12 + columns * 58 + 2);
    }
  });

  it('datasets list and verify report the cache without downloading', () => {
    const list = JSON.parse(semix('datasets', 'list', '--json').out);
    expect(list.datasets.map((d: { name: string }) => d.name)).toEqual([
      'mnist-mini',
      'mnist',
      'fashion-mnist',
      'cifar10',
      'cifar100',
      'cifar10-c',
      'cifar100-c',
      'mnist-c',
    ]);
    expect(list.datasets[1].status).toBe('not downloaded');
    expect(list.datasets.at(-1).kind).toBe('corruptions');
    expect(list.suites['mnist-c']).toHaveLength(15);
    const verify = semix('datasets', 'verify', 'cifar10', '--json');
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.out)[0]).toMatchObject({
      dataset: 'cifar10',
      status: 'missing',
      md5: 'c32a1d4ab5d03f1284b67883e8d87530',
    });
  });
});
