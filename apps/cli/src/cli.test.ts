import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLI_BIN as bin, type CliResult, runCli } from './run_cli.test_helper';

// The built binary runs as a subprocess (vitest.global-build.ts builds it first), as users run it.
const SMOKE = resolve(import.meta.dirname, '../../../packages/bench/src/plan/presets/smoke.json');
const dir = mkdtempSync(join(tmpdir(), 'semix-cli-'));
const env = { ...process.env, SEMIX_CACHE: join(dir, 'cache') };
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the CLI without blocking this thread. */
function semix(...args: string[]): Promise<CliResult> {
  return semixWith({}, ...args);
}

/** semix with more environment variables. */
function semixWith(extraEnv: Record<string, string>, ...args: string[]): Promise<CliResult> {
  return runCli(dir, { ...env, ...extraEnv }, args);
}

describe('semix CLI', () => {
  it('--help lists the commands; every command has help with an example', async () => {
    const r = await semix('--help');
    expect(r.code).toBe(0);
    for (const c of ['train', 'eval', 'backends', 'bench', 'leaderboard', 'speed', 'datasets'])
      expect(r.out).toContain(c);
    for (const c of [['train'], ['eval'], ['bench'], ['speed'], ['datasets', 'fetch'], ['datasets', 'verify']]) {
      const h = await semix(...c, '--help');
      expect(h.code).toBe(0);
      expect(h.out).toMatch(/Examples?:\n {2}semix /);
    }
  });

  it('backends --json says which backend is chosen', async () => {
    const r = await semix('backends', '--json');
    expect(r.code).toBe(0);
    const info = JSON.parse(r.out);
    expect(info.chosen).toBe('wasm');
    expect(info.backends.map((b: { name: string }) => b.name)).toEqual(['tensorflow', 'wasm', 'cpu']);
  });

  it('train on the smoke preset writes a checkpoint and a record; eval of the checkpoint reproduces it', async () => {
    const out = join(dir, 'run');
    const t = await semix(
      'train',
      '--preset',
      'smoke',
      '--method',
      'cutmix+sem',
      '--seed',
      '3',
      '--out',
      out,
      '--json',
    );
    expect(t.err).toBe('');
    expect(t.code).toBe(0);
    const record = JSON.parse(t.out);
    expect([record.method.policy, record.method.label]).toEqual(['cutmix', 'cutmix+sem']);
    expect(record.seed).toBe(3);
    expect(JSON.parse(readFileSync(join(out, 'record.json'), 'utf8'))).toEqual(record);
    const e = await semix('eval', '--checkpoint', join(out, 'checkpoint'), '--json');
    expect(e.code).toBe(0);
    const ev = JSON.parse(e.out);
    expect(ev.clean_acc).toBe(record.clean_acc);
    expect(ev.suites).toEqual(record.suites);
    expect(ev.job_id).toBe(record.job_id);
    expect(ev.equivariance_gap).toBeCloseTo(record.equivariance_gap, 6);
    expect(ev.equivariance_gap_l2).toBeCloseTo(record.equivariance_gap_l2, 6);
    const none = await semix('eval', '--checkpoint', join(out, 'checkpoint'), '--corruptions', 'none', '--json');
    expect(JSON.parse(none.out).suites).toEqual({});
  }, 120_000);

  it('method flags land in the record; a run directory refuses another configuration unless --force', async () => {
    const out = join(dir, 'flags');
    const args = ['train', '--preset', 'smoke', '--method', 'mixup+sem', '--alpha', '0.4', '--sem-weight', '3'];
    const flagged = [...args, '--sem-distance', 'cosine', '--no-sem-stop-grad', '--out', out, '--json'];
    const t = await semix(...flagged);
    expect(t.err).toBe('');
    expect(t.code).toBe(0);
    const record = JSON.parse(t.out);
    expect(record.method).toEqual({
      policy: 'mixup',
      label: 'mixup+sem β=3 cosine no-stop-grad α=0.4',
      mix: { alpha: 0.4, prob: 1, mode: 'batch', pairing: 'permutation', labelSmoothing: 0 },
      sem: { distance: 'cosine', weight: 3, stopGradTarget: false, normalize: true, temperature: 0.1 },
    });
    const before = readFileSync(join(out, 'record.json'), 'utf8');
    const configBefore = readFileSync(join(out, 'config.json'), 'utf8');
    // Another configuration onto the same directory: exit 2, the differing fields named, nothing overwritten.
    const other = await semix('train', '--preset', 'smoke', '--method', 'erm', '--lr', '0.01', '--out', out);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(
      /--out .*flags: holds a run of another configuration \(differs at method\.mix\.alpha, .*method\.policy, .*train\.lr\)/,
    );
    expect(readFileSync(join(out, 'record.json'), 'utf8')).toBe(before);
    expect(readFileSync(join(out, 'config.json'), 'utf8')).toBe(configBefore);
    // The same configuration resumes (its checkpoint is of the last epoch: nothing left to train).
    const same = await semix(...flagged);
    expect(same.code).toBe(0);
    expect(JSON.parse(same.out).clean_acc).toBe(record.clean_acc);
    const resumed = readFileSync(join(out, 'record.json'), 'utf8');
    // --force moves the old run aside and starts fresh.
    const forced = await semix('train', '--preset', 'smoke', '--method', 'erm', '--out', out, '--force');
    expect(forced.code).toBe(0);
    expect(forced.out).toMatch(/--force: moved the previous run \(differs at .*\) to .*flags\.replaced-/);
    const aside = readdirSync(dir).find((f) => f.startsWith('flags.replaced-')) as string;
    expect(readFileSync(join(dir, aside, 'record.json'), 'utf8')).toBe(resumed);
    expect(JSON.parse(readFileSync(join(out, 'record.json'), 'utf8')).method.policy).toBe('erm');
    // A flag a method does not take, or a bad value, is a usage error naming the flag.
    const erm = await semix('train', '--preset', 'smoke', '--method', 'erm', '--sem-weight', '2');
    expect(erm.code).toBe(2);
    expect(erm.err).toMatch(/--sem-weight: sem does not apply to erm: it has no mixed batch/);
    const ermAlpha = await semix('train', '--preset', 'smoke', '--method', 'erm', '--alpha', '2');
    expect(ermAlpha.code).toBe(2);
    expect(ermAlpha.err).toMatch(/--alpha: does not apply to erm; erm takes: labelSmoothing/);
    const negative = await semix('train', '--preset', 'smoke', '--sem-weight', '-1');
    expect(negative.code).toBe(2);
    expect(negative.err).toMatch(/--sem-weight: -1 is not valid; allowed: a number >= 0/);
    const distance = await semix('bench', '--preset', 'smoke', '--sem-distance', 'kl');
    expect(distance.code).toBe(2);
    expect(distance.err).toMatch(/--sem-distance: "kl" is not valid; allowed: mse, cosine, l1, infonce/);
    const smoke = JSON.parse(readFileSync(SMOKE, 'utf8'));
    writeFileSync(join(dir, 'erm-only.json'), JSON.stringify({ ...smoke, name: 'erm-only', methods: ['erm'] }));
    const alpha = await semix('bench', '--preset', join(dir, 'erm-only.json'), '--alpha', '2');
    expect(alpha.code).toBe(2);
    expect(alpha.err).toMatch(/--alpha: no method of preset erm-only takes it \(methods: erm\)/);
  }, 240_000);

  it('train --threads 2 trains data-parallel from the published build, reproducibly, and records it; --shards 2 on one thread gives the same numbers; --workers still works, deprecated', async () => {
    const run = async (name: string, flags: string[], err = '') => {
      const t = await semix('train', '--preset', 'smoke', '--method', 'mixup+sem', ...flags, '--out', join(dir, name));
      expect(t.err).toBe(err);
      expect(t.code).toBe(0);
      return JSON.parse(readFileSync(join(dir, name, 'record.json'), 'utf8'));
    };
    const a = await run('dp-a', ['--threads', '2']);
    // The old name, for one release: the same run, and a warning.
    const b = await run(
      'dp-b',
      ['--workers', '2'],
      'semix: warning: --workers is deprecated and will be removed in the next release; use --threads (the same count of threads)\n',
    );
    expect([a.train.shards, a.threads]).toEqual([2, 2]);
    expect([b.job_id, b.threads]).toEqual([a.job_id, 2]);
    expect(b.clean_acc).toBe(a.clean_acc);
    expect(b.equivariance_gap).toBe(a.equivariance_gap);
    // Two shards computed by one thread: the same job, the same numbers; only the threads differ.
    const c = await run('dp-c', ['--shards', '2', '--threads', '1']);
    expect([c.job_id, c.train.shards, c.threads]).toEqual([a.job_id, 2, 1]);
    expect(c.clean_acc).toBe(a.clean_acc);
    expect(c.history).toEqual(a.history);
    const zero = await semix('train', '--threads', '0');
    expect(zero.code).toBe(2);
    expect(zero.err).toMatch(/--threads: '0' is not valid; expected an integer >= 1/);
    const more = await semix('train', '--shards', '2', '--threads', '3');
    expect(more.code).toBe(2);
    expect(more.err).toMatch(/train\.threads: 3 is more than shards \(2\); each thread computes one shard or more/);
    const both = await semix('train', '--threads', '2', '--workers', '3');
    expect(both.code).toBe(2);
    expect(both.err).toMatch(
      /--workers: 3 differs from --threads \(2\); --workers is the deprecated name of --threads/,
    );
  }, 240_000);

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
    const again = await semix(...args.slice(1));
    expect(again.code).toBe(0);
    const resumedAt = Number(/resuming from the checkpoint of epoch ([2-5])/.exec(again.out)?.[1]);
    expect(resumedAt).toBeGreaterThanOrEqual(2);
    const record = JSON.parse(readFileSync(join(out, 'record.json'), 'utf8'));
    expect([record.method.policy, record.method.sem]).toEqual(['mixup', null]);
    // The record's history holds the epochs this run trained: those after the checkpoint it resumed from.
    expect(record.history).toHaveLength(6 - resumedAt);
  }, 120_000);

  it('bench --preset smoke writes records and a leaderboard; leaderboard rebuilds it', async () => {
    const out = join(dir, 'smoke');
    const r = await semix('bench', '--preset', 'smoke', '--out', out, '--backend', 'wasm', '--jobs', '1');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/rank\s+method/);
    expect(readFileSync(join(out, 'leaderboard.md'), 'utf8')).toContain('semix bench --preset smoke');
    const again = await semix('leaderboard', '--out', out, '--json');
    expect(again.code).toBe(0);
    expect(JSON.parse(again.out).rows).toHaveLength(2);
    // --jobs 2 (one worker thread per job, from the build) gives the same table.
    const threaded = await semix('bench', '--preset', 'smoke', '--out', join(dir, 'smoke-jobs'), '--jobs', '2');
    expect(threaded.err).toBe('');
    expect(threaded.code).toBe(0);
    const rows = (file: string) =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((l) => /^\| \d/.test(l));
    expect(rows(join(dir, 'smoke-jobs', 'leaderboard.md'))).toEqual(rows(join(out, 'leaderboard.md')));
    expect(rows(join(out, 'leaderboard.md'))).toHaveLength(2);
    const bad = await semix('bench', '--preset', 'smoke', '--jobs', 'many');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--jobs: 'many' is not valid; expected auto or an integer >= 1/);
    // An edited metric (clean_acc 0.59 → 0.99 or so): leaderboard exits 1 naming the file and never shows the
    // number; bench moves the record aside and runs its job again.
    const grid = JSON.parse(readFileSync(join(out, 'grid.json'), 'utf8'));
    const file = join(out, 'records', `${grid.jobs[0].id}.json`);
    const original = readFileSync(file, 'utf8');
    const edited = original.replace(/"clean_acc": [0-9.e-]+/, '"clean_acc": 0.9999');
    expect(edited).not.toBe(original);
    writeFileSync(file, edited);
    const shown = await semix('leaderboard', '--out', out);
    expect(shown.code).toBe(1);
    expect(shown.out).not.toContain('99.99');
    // Said as what happened (the record was read; its content is not what was sealed), with the file's name.
    expect(shown.err).toContain(
      `semix: record ${file}: its content does not match its digest (edited or damaged); not shown; \`semix bench\` re-runs its job`,
    );
    expect(shown.err).not.toContain('unreadable');
    expect(readFileSync(join(out, 'leaderboard.md'), 'utf8')).toContain(
      `- erm: \`${file}\` (not shown; \`semix bench\` re-runs its job)`,
    );
    const rerun = await semix('bench', '--preset', 'smoke', '--out', out, '--jobs', '1');
    expect(rerun.code).toBe(0);
    expect(rerun.err).toContain(`semix: record ${file}: its content does not match its digest (edited or damaged)`);
    expect(rerun.out).toMatch(/job 1\/2: erm seed 0/);
    expect(readFileSync(`${file}.rejected`, 'utf8')).toBe(edited);
    expect(JSON.parse(readFileSync(file, 'utf8')).clean_acc).toBe(JSON.parse(original).clean_acc);
  }, 120_000);

  it('usage errors exit 2 and name the option, the value and what is allowed', async () => {
    const unknown = await semix('fly');
    expect(unknown.code).toBe(2);
    expect(unknown.err).toMatch(/unknown command 'fly'/);
    const method = await semix('train', '--method', 'mixdown');
    expect(method.code).toBe(2);
    expect(method.err).toMatch(/--method: "mixdown" is not a method; allowed: erm, mixup, mixup\+sem/);
    const preset = await semix('bench', '--preset', 'huge', '--out', join(dir, 'x'));
    expect(preset.code).toBe(2);
    expect(preset.err).toMatch(/preset: 'huge' is not a preset; allowed: quick, smoke/);
    const backend = await semix('bench', '--backend', 'gpu');
    expect(backend.code).toBe(2);
    expect(backend.err).toMatch(/--backend: 'gpu' is not valid; allowed: auto, tensorflow, wasm, cpu/);
    const rounds = await semix('speed', '--rounds', '-1');
    expect(rounds.code).toBe(2);
    expect(rounds.err).toMatch(/--rounds: '-1' is not valid; allowed: an integer from 0 to 20/);
    const config = join(dir, 'bad.json');
    writeFileSync(config, JSON.stringify({ train: { optimizer: 'rmsprop' }, modle: {} }));
    const bad = await semix('train', '--config', config);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/train\.optimizer: Invalid enum value\. Expected 'adam' \| 'sgd', received 'rmsprop'/);
    expect(bad.err).toMatch(/unknown key\(s\) 'modle'; allowed: preset, dataset, method, mix, sem, model/);
    // The same typo three levels deep gives the same exit code in --config and in a preset file.
    const deep = join(dir, 'deep.json');
    writeFileSync(deep, JSON.stringify({ train: { schedule: { type: 'step', gama: 0.5 } } }));
    const inConfig = await semix('train', '--config', deep);
    expect(inConfig.code).toBe(2);
    expect(inConfig.err).toMatch(
      /train\.schedule: unknown key\(s\) 'gama'; allowed: type, milestones, gamma, warmupEpochs/,
    );
    const smoke = JSON.parse(readFileSync(SMOKE, 'utf8'));
    const presetFile = join(dir, 'typo-preset.json');
    writeFileSync(
      presetFile,
      JSON.stringify({ ...smoke, train: { ...smoke.train, schedule: { type: 'cosine', gama: 1 } } }),
    );
    for (const command of ['bench', 'train']) {
      const inPreset = await semix(command, '--preset', presetFile);
      expect(inPreset.code).toBe(2);
      expect(inPreset.err).toMatch(
        /train\.schedule: unknown key\(s\) 'gama'; allowed: type, milestones, gamma, warmupEpochs/,
      );
    }
    const methodTypo = join(dir, 'method-typo.json');
    writeFileSync(methodTypo, JSON.stringify({ method: { name: 'mixup+sem', sem: { wieght: 3 } } }));
    const m = await semix('train', '--config', methodTypo);
    expect(m.code).toBe(2);
    expect(m.err).toMatch(/method\.sem\.wieght: unknown key; allowed: distance, weight/);
  });

  it('empty and out-of-range values exit 2 naming the flag, before a byte is written', async () => {
    const before = readdirSync(dir).sort();
    const out = join(dir, 'never');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'mine');
    const cases: Array<[string[], string | RegExp]> = [
      [['train', '--out', ''], "--out: '' is empty; give a value or leave the flag out"],
      [['train', '--method', '', '--out', out], "--method: '' is empty"],
      [['train', '--seed', '', '--out', out], "--seed: '' is empty"],
      [['train', '--seed', ' ', '--out', out], "--seed: ' ' is empty"],
      [['bench', '--out', ''], "--out: '' is empty"],
      [['bench', '--preset', ''], "--preset: '' is empty"],
      [['datasets', 'preview', ''], "argument name: '' is empty"],
      [
        ['train', '--seed', '4294967296', '--out', out],
        "--seed: '4294967296' is not valid; expected an integer from 0 to 4294967295",
      ],
      [
        ['datasets', 'corrupt', 'mnist-mini', '--seed', '-1'],
        "--seed: '-1' is not valid; expected an integer from 0 to 4294967295",
      ],
      [
        ['train', '--preset', 'smoke', '--width', '1e300', '--out', out],
        "--width: '1e300' is not valid; expected a number > 0 and <= 4",
      ],
      [
        ['train', '--preset', 'smoke', '--batch-size', '1e12', '--out', out],
        '--batch-size: 1000000000000 is more than the 2048 training images; allowed: 1 to 2048',
      ],
      [
        ['train', '--preset', 'smoke', '--train-images', '1e9', '--out', out],
        '--train-images: 1000000000 is more than the mnist-mini training split has (7000); allowed: 1 to 7000',
      ],
      [['train', '--preset', 'smoke', '--out', file], `--out: '${file}' is a file, not a directory`],
      [['train', '--preset', 'smoke', '--out', join(file, 'run')], `--out: '${file}' is a file, not a directory`],
      [
        ['train', '--preset', 'smoke', '--out', join(dir, 'x'.repeat(256))],
        /--out: '.*' has a name of 256 bytes; allowed: at most 255/,
      ],
      [
        ['bench', '--preset', 'smoke', '--out', join(dir, ...Array(20).fill('y'.repeat(250)))],
        /--out: '.*' is \d+ bytes long; allowed: at most 4095/,
      ],
      [['train', '--preset', 'constructor'], "preset: 'constructor' is not a preset; allowed: quick, smoke"],
    ];
    for (const [args, message] of cases) {
      const r = await semix(...args);
      expect(r.code, args.join(' ')).toBe(2);
      if (typeof message === 'string') expect(r.err, args.join(' ')).toContain(`semix: ${message}`);
      else expect(r.err, args.join(' ')).toMatch(message);
    }
    const config = join(dir, 'seed-config.json');
    writeFileSync(config, JSON.stringify({ seed: 4294967296 }));
    const seed = await semix('train', '--config', config, '--out', out);
    expect(seed.code).toBe(2);
    expect(seed.err).toContain('seed: 4294967296 is not valid; expected an integer from 0 to 4294967295');
    const preset = join(dir, 'twice.json');
    writeFileSync(preset, JSON.stringify({ ...JSON.parse(readFileSync(SMOKE, 'utf8')), seeds: [0, 0] }));
    const twice = await semix('bench', '--preset', preset, '--out', out);
    expect(twice.code).toBe(2);
    expect(twice.err).toContain('seeds[1]: 0 is also seeds[0]; each seed is run once');
    // Nothing written: no run directory, no config.json in the working directory, the file untouched.
    expect(readdirSync(dir).sort()).toEqual([...before, 'a-file', 'seed-config.json', 'twice.json'].sort());
    expect(readFileSync(file, 'utf8')).toBe('mine');
  }, 120_000);

  it('bench with a preset beyond its data exits 2 before a byte is written, in process and queued', async () => {
    const presetFile = join(dir, 'beyond.json');
    const smoke = JSON.parse(readFileSync(SMOKE, 'utf8'));
    writeFileSync(presetFile, JSON.stringify({ ...smoke, train: { ...smoke.train, trainImages: 100_000 } }));
    const fresh = join(dir, 'beyond-out');
    const earlier = join(dir, 'beyond-earlier');
    mkdirSync(earlier);
    writeFileSync(join(earlier, 'grid.json'), 'an earlier grid');
    const message =
      'train.trainImages: 100000 is more than the mnist-mini training split has (7000); allowed: 1 to 7000';
    for (const out of [fresh, earlier])
      for (const queue of [[], ['--queue', 'redis://127.0.0.1:1']]) {
        const r = await semix('bench', '--preset', presetFile, '--out', out, ...queue);
        const what = `${out} ${queue.join(' ')}`;
        expect(r.code, what).toBe(2);
        expect(r.err, what).toContain(`semix: ${message}`);
      }
    expect(existsSync(fresh)).toBe(false);
    expect(readdirSync(earlier)).toEqual(['grid.json']);
    expect(readFileSync(join(earlier, 'grid.json'), 'utf8')).toBe('an earlier grid');
    rmSync(presetFile);
  }, 120_000);

  it('a bad --queue URL or SEMIX_QUEUE exits 2 naming it, its password redacted, before a byte is written', async () => {
    const out = join(dir, 'bad-queue');
    const cases: Array<[string[], Record<string, string>, string]> = [
      [['--queue', 'http://user:hunter2@host:6379'], {}, "--queue: protocol 'http:' is not allowed"],
      [['--queue', 'redis://:hunter2@host:99999'], {}, "--queue: 'redis://:***@host:99999' is not a URL"],
      [['--queue', 'redis:///0'], {}, "--queue: 'redis:///0' names no host"],
      [[], { SEMIX_QUEUE: 'redis://:hunter2@host:6379/db' }, "SEMIX_QUEUE: 'redis://:***@host:6379/db' has database"],
    ];
    for (const [flags, extraEnv, message] of cases) {
      const r = await semixWith(extraEnv, 'bench', '--preset', 'smoke', '--out', out, ...flags);
      const what = `${flags.join(' ')} ${JSON.stringify(extraEnv)}`;
      expect(r.code, what).toBe(2);
      expect(r.err, what).toContain(`semix: ${message}`);
      expect(r.err + r.out, what).not.toContain('hunter2');
      expect(existsSync(out), what).toBe(false);
    }
  }, 120_000);

  it('--out of eval, speed, leaderboard and datasets preview is checked before anything runs (exit 2, nothing written)', async () => {
    const file = join(dir, 'out-file');
    writeFileSync(file, 'mine');
    const folder = join(dir, 'out-folder');
    mkdirSync(folder);
    const before = readdirSync(dir).sort();
    const long = join(dir, ...Array(20).fill('y'.repeat(250)));
    const cases: Array<[string[], string | RegExp]> = [
      [['leaderboard', '--out', file], `--out: '${file}' is a file, not a directory`],
      [['leaderboard', '--out', join(file, 'results')], `--out: '${file}' is a file, not a directory`],
      [['leaderboard', '--out', long], /--out: '.*' is \d+ bytes long; allowed: at most 4095/],
      [
        ['eval', '--checkpoint', join(dir, 'nowhere'), '--out', join(file, 'eval.json')],
        `--out: '${file}' is a file, not a directory`,
      ],
      [
        ['eval', '--checkpoint', join(dir, 'nowhere'), '--out', folder],
        `--out: '${folder}' is a directory, not a file`,
      ],
      // writeAtomic writes <name>.<12 hex>.tmp beside it first: 17 bytes more than the name.
      [
        ['eval', '--checkpoint', join(dir, 'nowhere'), '--out', join(dir, 'e'.repeat(240))],
        /--out: '.*' has a name of 240 bytes; allowed: at most 238 bytes/,
      ],
      [
        ['datasets', 'preview', 'mnist-mini', '--out', join(file, 'p.png')],
        `--out: '${file}' is a file, not a directory`,
      ],
      [['datasets', 'preview', 'mnist-mini', '--out', folder], `--out: '${folder}' is a directory, not a file`],
      [
        ['speed', '--models', 'mlp', '--no-pytorch', '--out', join(file, 'speed.json')],
        `--out: '${file}' is a file, not a directory`,
      ],
      [
        ['speed', '--models', 'mlp', '--no-pytorch', '--out', long],
        /--out: '.*' is \d+ bytes long; allowed: at most 4078/,
      ],
    ];
    for (const [args, message] of cases) {
      const r = await semix(...args);
      expect(r.code, `${args.join(' ')}: ${r.err}`).toBe(2);
      if (typeof message === 'string') expect(r.err, args.join(' ')).toContain(`semix: ${message}`);
      else expect(r.err, args.join(' ')).toMatch(message);
    }
    expect(readdirSync(dir).sort()).toEqual(before);
    expect(readdirSync(folder)).toEqual([]);
    expect(readFileSync(file, 'utf8')).toBe('mine');
  }, 120_000);

  it('run-time failures exit 1 with a sentence', async () => {
    const dataset = await semix('datasets', 'preview', '../../etc');
    expect(dataset.code).toBe(1);
    expect(dataset.err).toMatch(/dataset: '..\/..\/etc' is not available; allowed: mnist-mini/);
    const missing = await semix('eval', '--checkpoint', join(dir, 'nowhere'));
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/no checkpoint in .*nowhere/);
  });

  it('datasets corrupt and preview take --suite mnist-c | cifar10-c, validated', async () => {
    const mnistC = await semix('datasets', 'corrupt', 'mnist-mini', '--suite', 'mnist-c', '--images', '40', '--json');
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
      (await semix('datasets', 'corrupt', 'mnist-mini', '--suite', 'cifar10-c', '--images', '4', '--json')).out,
    );
    expect(cifar).toMatchObject({ name: 'mnist-mini-c', suite: 'cifar10-c', severities: [1, 2, 3, 4, 5] });
    expect(cifar.corruptions).toHaveLength(15);
    const bad = await semix('datasets', 'corrupt', 'mnist-mini', '--suite', 'imagenet-c');
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--suite: 'imagenet-c' is not valid; allowed: cifar10-c, mnist-c/);
    // Width = label column (longest row label: 'impulse_noise' / 'elastic_transform', 4 pixels a glyph less the
    // last gap, × 2, plus 12 of margin) + columns (clean and the levels) × (28 × 2 + 2) + 2.
    for (const [suite, longest, columns] of [
      ['mnist-c', 13, 2],
      ['cifar10-c', 17, 6],
    ] as const) {
      const out = join(dir, `preview-${suite}.png`);
      const r = await semix('datasets', 'preview', 'mnist-mini', '--suite', suite, '--images', '1', '--out', out);
      expect(r.code).toBe(0);
      const png = readFileSync(out);
      expect(png.subarray(1, 4).toString()).toBe('PNG');
      expect(png.readUInt32BE(16)).toBe((longest * 4 - 1) * 2 + 12 + columns * 58 + 2);
    }
  });

  it('datasets list and verify report the cache without downloading', async () => {
    const list = JSON.parse((await semix('datasets', 'list', '--json')).out);
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
    const verify = await semix('datasets', 'verify', 'cifar10', '--json');
    expect(verify.code).toBe(0);
    expect(JSON.parse(verify.out)[0]).toMatchObject({
      dataset: 'cifar10',
      status: 'missing',
      md5: 'c32a1d4ab5d03f1284b67883e8d87530',
    });
  });
});
