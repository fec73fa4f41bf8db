import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

// The CLI runs as a subprocess, from source through tsx (no build needed on a fresh clone).
const root = resolve(import.meta.dirname, '..');
const tsx = resolve(root, '../../node_modules/.bin/tsx');
const dir = mkdtempSync(join(tmpdir(), 'semix-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function semix(...args: string[]) {
  const r = spawnSync(tsx, ['--tsconfig', join(root, 'tsconfig.json'), join(root, 'src/cli.ts'), ...args], {
    encoding: 'utf8',
    cwd: dir,
    env: { ...process.env, SEMIX_CACHE: join(dir, 'cache') },
    timeout: 120_000,
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('semix CLI', () => {
  it('--help lists the commands and exits 0', () => {
    const r = semix('--help');
    expect(r.code).toBe(0);
    for (const c of ['backends', 'bench', 'leaderboard', 'datasets']) expect(r.out).toContain(c);
  });

  it('backends --json says which backend is chosen', () => {
    const r = semix('backends', '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out);
    expect(info.chosen).toBe('wasm');
    expect(info.backends.map((b: { name: string }) => b.name)).toEqual(['tensorflow', 'wasm', 'cpu']);
  });

  it('bench --preset smoke writes records and a leaderboard; leaderboard rebuilds it', () => {
    const out = join(dir, 'smoke');
    const r = semix('bench', '--preset', 'smoke', '--out', out, '--backend', 'wasm');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/rank\s+method/);
    expect(readFileSync(join(out, 'leaderboard.md'), 'utf8')).toContain('semix bench --preset smoke');
    const again = semix('leaderboard', '--out', out, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).rows).toHaveLength(2);
  }, 120_000);

  it('bad arguments: unknown command (2), unknown preset (1, lists valid), bad backend (2)', () => {
    const unknown = semix('fly');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command 'fly'/);
    const preset = semix('bench', '--preset', 'huge', '--out', join(dir, 'x'));
    expect(preset.code).toBe(1);
    expect(preset.err).toMatch(/preset: 'huge' is not a preset; allowed: quick, smoke/);
    const backend = semix('bench', '--backend', 'gpu');
    expect(backend.code).toBe(2);
    expect(backend.err).toMatch(/--backend: 'gpu' is not valid; allowed: auto, tensorflow, wasm, cpu/);
    const dataset = semix('datasets', 'preview', '../../etc');
    expect(dataset.code).toBe(1);
    expect(dataset.err).toMatch(/dataset: '..\/..\/etc' is not available; allowed: mnist-mini/);
  });
});
