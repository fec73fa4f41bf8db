import { Command, CommanderError, Option } from 'commander';
import { BACKENDS, refuseEmpty, UsageError } from './options';

// Refuse old Node.js with a sentence, not a stack trace.
const major = Number(process.versions.node.split('.')[0]);
if (major < 20) {
  console.error(`semix needs Node.js 20 or newer; this is Node.js ${process.versions.node}.`);
  process.exit(1);
}

/** Usage errors exit 2, run-time failures 1. Heavy modules load inside each action, so --help is instant. */
const program = new Command('semix')
  .description('Train mixup + SEM image classifiers and measure their robustness (TensorFlow.js).')
  .version('0.0.0')
  .exitOverride()
  .showHelpAfterError()
  // Every flag and argument: an empty string is a mistake (`--out ''` would be the working directory, `--seed ''`
  // seed 0), refused before the command runs. Commands load lazily, so this stays in the light entry point.
  .hook('preAction', (_program, command) => {
    for (const option of command.options) {
      const value = command.getOptionValue(option.attributeName());
      refuseEmpty(option.long ?? option.flags, value);
    }
    command.registeredArguments.forEach((argument, i) => {
      refuseEmpty(`argument ${argument.name()}`, command.processedArgs[i]);
    });
  });

const backendOption = () => new Option('--backend <name>', 'TensorFlow.js backend').choices(BACKENDS);

/** The common method options: the same names nest in a method object (`mix.alpha`, `sem.weight`, …). */
function methodOptions(command: Command, scope: string): Command {
  return command
    .option('--alpha <x>', `mixing: λ ~ Beta(α, α) (${scope}; mixup-cutmix: mixup's α)`)
    .option('--cutmix-alpha <x>', `mixup-cutmix: CutMix's α (${scope})`)
    .option('--switch-prob <x>', `mixup-cutmix: the chance that a draw is CutMix's, not mixup's (${scope})`)
    .option('--mix-mode <mode>', `mixing: one λ per batch, pair or elem (${scope})`)
    .option('--label-smoothing <x>', `mixing: label smoothing ε in [0, 1) (${scope})`)
    .option('--sem-weight <x>', `SEM: the weight β of L_sem (${scope})`)
    .option('--sem-distance <name>', `SEM: mse, cosine, l1 or infonce (${scope})`)
    .option('--sem-stop-grad', `SEM: no gradient through the target λf(xᵢ) + (1 − λ)f(xⱼ) (${scope}; default on)`)
    .option('--no-sem-stop-grad', 'SEM: let the gradient flow through the target too')
    .option('--sem-normalize', `SEM: L2-normalise representations first (${scope}; default on)`)
    .option('--no-sem-normalize', 'SEM: compare raw representations')
    .option('--sem-temperature <x>', `SEM: τ of infonce (${scope})`);
}

methodOptions(program.command('train'), 'this method')
  .description('Train one method on one data set; writes a checkpoint (resumable) and a result record')
  .option('--preset <name>', 'start from a preset’s data, model and schedule (default quick)')
  .option('--config <file>', 'settings file (JSON, validated); flags win over it')
  .option('--dataset <name>', 'mnist-mini, mnist, fashion-mnist, cifar10, cifar100')
  .option(
    '--method <name>',
    'a policy (erm, mixup, cutmix, mixup-cutmix, manifold, …), or X+sem: policy X with SEM (default mixup+sem)',
  )
  .option('--sem', 'add the SEM term to the method (as naming X+sem does)')
  .option('--no-sem', 'train the method without the SEM term')
  .option('--model <arch>', 'mlp, cnn-small, preact-resnet18')
  .option('--width <x>', 'model width multiplier')
  .option('--epochs <n>', 'epochs')
  .option('--batch-size <n>', 'batch size')
  .option('--optimizer <name>', 'adam or sgd')
  .option('--lr <x>', 'learning rate')
  .option('--weight-decay <x>', 'decoupled weight decay')
  .option('--train-images <n>', 'use the first n training images')
  .option(
    '--shards <n>',
    'data-parallel shards of each batch, each mixed and batch-normalised within itself (default: --threads, else 1; results depend on n)',
  )
  .option(
    '--threads <n>',
    'threads computing the shards, 1 to --shards (default 1; wasm uses one core per thread; results do not depend on it)',
  )
  .addOption(new Option('--workers <n>', 'deprecated: --threads (read for one release, with a warning)').hideHelp())
  .option('--seed <n>', 'seed of weights, shuffling and mixing')
  .addOption(backendOption())
  .option('--out <dir>', 'run directory (default runs/<preset>-<dataset>-<method>-seed<seed>)')
  .option(
    '--force',
    'the run directory holds another configuration: move it aside (<dir>.replaced-<time>) and start fresh',
  )
  .option('--json', 'print the result record as JSON')
  .addHelpText(
    'after',
    "\nExamples:\n  semix train --method cutmix+sem --epochs 2 --seed 1 --out runs/cutmix-sem\n  semix train --method mixup-cutmix --sem --switch-prob 0.5 --label-smoothing 0.1   # timm's DeiT recipe, with SEM\n  semix train --preset smoke --method mixup+sem --alpha 0.4 --sem-weight 3 --sem-distance cosine --no-sem-stop-grad\n  semix train --threads 2          # two threads on a 2-core machine (two shards)\n  semix train --shards 4 --threads 2   # four shards on two threads: the numbers of --shards 4 on any threads\n  semix train --config semix.config.json\n\nCtrl-C stops after the current step; running the same command again resumes from the last finished epoch.\nA run directory belongs to one configuration: another one onto it is refused (exit 2) unless --force.",
  )
  .action(async (opts) => (await import('./commands/train')).train(opts));

program
  .command('eval')
  .description('Evaluate a checkpoint on clean and corrupted test data')
  .requiredOption('--checkpoint <dir>', 'checkpoint directory (runs/<run>/checkpoint)')
  .option('--corruptions <source>', 'generated, official (cifar10/100-C) or none (default: as trained)')
  .addOption(backendOption())
  .option('--out <file>', 'also write the result as JSON')
  .option('--json', 'print the result as JSON')
  .addHelpText('after', '\nExample:\n  semix eval --checkpoint runs/cutmix-sem/checkpoint --json')
  .action(async (opts) => (await import('./commands/eval')).evaluateCheckpoint(opts));

program
  .command('backends')
  .description('Which TensorFlow.js backends are installed, which one is chosen and why')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExample:\n  semix backends --json')
  .action(async (opts) => (await import('./commands/backends')).backends(opts));

methodOptions(program.command('bench'), 'every method of the preset that takes it')
  .description('Run a leaderboard preset in process (records, then tables and charts)')
  .option(
    '--preset <name>',
    'quick, smoke, sem-ablation, mnist-full, fashion, cifar10, cifar100, or a .json file',
    'quick',
  )
  .option('--out <dir>', 'results directory (default results/<preset>)')
  .option('--backend <name>', 'auto, tensorflow, wasm, cpu', 'auto')
  .option('--json', 'print the leaderboard as JSON')
  .option(
    '--queue <url>',
    'enqueue the grid on BullMQ/Redis (redis:// or rediss://) for `semix worker`s and follow it (or SEMIX_QUEUE)',
  )
  .option('--attempts <n>', 'with --queue: tries per job before it is recorded as failed', '3')
  .option(
    '--connect-timeout <s>',
    'with --queue: seconds Redis may stay unreachable before giving up (exit 1; a refused password exits at once)',
    '30',
  )
  .option(
    '--jobs <n>',
    'jobs run at once, one job thread each: auto (one per core, the default) or n; when fewer jobs remain, a preset with train.shards > 1 gives them the idle threads; records are the same for any n',
    'auto',
  )
  .addHelpText(
    'after',
    "\nExamples:\n  semix bench --preset smoke --out results/smoke\n  semix bench --preset sem-ablation         # SEM's options one at a time, with the ablation tables\n  semix bench --sem-weight 3                # β = 3 for every +sem method of the preset\n  semix bench --jobs 1                      # one job at a time, in this thread\n  SEMIX_QUEUE=redis://:secret@queue-host:6379 semix bench --preset mnist-full",
  )
  .action(async (opts) => (await import('./commands/bench')).bench(opts));

program
  .command('worker')
  .description(
    'Take leaderboard jobs from a BullMQ/Redis queue until stopped (Ctrl-C puts the current job back in the queue)',
  )
  .option('--queue <url>', 'redis://[:password@]host:port[/db] or rediss:// (TLS); or set SEMIX_QUEUE')
  .option('--concurrency <n>', 'queue worker processes on this machine', '1')
  .option('--backend <name>', 'auto, tensorflow, wasm, cpu', 'auto')
  .option('--lock-ms <n>', "job lock duration: a killed queue worker's job is taken over after it (default 30000)")
  .option('--stalled-ms <n>', 'how often stalled jobs are looked for (default 15000)')
  .option(
    '--connect-timeout <s>',
    'seconds Redis may stay unreachable (at the start, or after losing it) before giving up (exit 1)',
    '30',
  )
  .addHelpText('after', '\nExample:\n  SEMIX_QUEUE=redis://queue-host:6379 semix worker --concurrency 2')
  .action(async (opts) => (await import('./commands/worker')).worker(opts));

program
  .command('leaderboard')
  .description('Rebuild tables and charts from the records of a results directory')
  .requiredOption('--out <dir>', 'results directory holding records/')
  .option('--json', 'print the leaderboard as JSON')
  .addHelpText('after', '\nExample:\n  semix leaderboard --out results/quick')
  .action(async (opts) => (await import('./commands/leaderboard')).leaderboard(opts));

program
  .command('speed')
  .description('The speed suite: train and eval steps per model and backend, mixing and SEM costs, PyTorch ratio')
  .option('--backends <list>', 'comma-separated: tensorflow, wasm, cpu (default: every available one)')
  .option('--models <list>', 'comma-separated: mlp, cnn-small, preact-resnet18 (default all)')
  .option('--no-pytorch', 'skip the PyTorch comparison')
  .option(
    '--rounds <n>',
    'rounds of the interleaved comparison with PyTorch: each model on wasm, one thread and data-parallel threads (0: none)',
    '3',
  )
  .option(
    '--cost <presets>',
    "comma-separated presets: time each one's train step and eval batch on one thread and project its grid's cost on 1, 8 and 64 cores (with --out and --json only)",
  )
  .option('--out <file>', 'JSON output (default results/speed.json; with --cost results/cost.json)')
  .option('--json', 'print the result as JSON')
  .addHelpText(
    'after',
    '\nExamples:\n  semix speed --backends wasm --models cnn-small\n  semix speed --cost cifar10,cifar100',
  )
  .action(async (opts) => (await import('./commands/speed')).speed(opts));

const datasets = program.command('datasets').description('Data sets and corruption suites');
datasets
  .command('list')
  .description('List data sets (embedded, downloadable, cached) and corruptions')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExample:\n  semix datasets list --json')
  .action(async (opts) => (await import('./commands/datasets')).list(opts));
datasets
  .command('fetch <name>')
  .description('Download a data set into SEMIX_CACHE and verify its checksums')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExample:\n  semix datasets fetch fashion-mnist')
  .action(async (name, opts) => (await import('./commands/datasets')).fetch(name, opts));
datasets
  .command('verify [name]')
  .description('Check cached files against their published checksums (all data sets by default)')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExample:\n  semix datasets verify cifar10')
  .action(async (name, opts) => (await import('./commands/datasets')).verify(name, opts));
datasets
  .command('preview <name>')
  .description('Write a labelled PNG grid (corruption × severity) of a few images of a data set')
  .option('--suite <suite>', 'cifar10-c (severities 1–5) or mnist-c (one level, 28×28 gray)', 'cifar10-c')
  .option('--out <file>', 'PNG path', 'preview.png')
  .option('--images <n>', 'images per corruption', '2')
  .option('--seed <n>', 'corruption seed', '0')
  .addHelpText(
    'after',
    '\nExamples:\n  semix datasets preview mnist-mini --out mnist-mini-c.png\n  semix datasets preview mnist-mini --suite mnist-c --out mnist-c.png',
  )
  .action(async (name, opts) => (await import('./commands/datasets')).preview(name, opts));
datasets
  .command('corrupt <name>')
  .description('Generate and cache a corruption suite of a data set’s test split (cifar10-c: 15 × 5, mnist-c: 15 × 1)')
  .option('--suite <suite>', 'cifar10-c or mnist-c', 'cifar10-c')
  .option('--seed <n>', 'corruption seed', '0')
  .option('--images <n>', 'only the first n test images')
  .option('--json', 'machine-readable output')
  .addHelpText(
    'after',
    '\nExamples:\n  semix datasets corrupt mnist-mini --images 500\n  semix datasets corrupt mnist-mini --suite mnist-c --json',
  )
  .action(async (name, opts) => (await import('./commands/datasets')).corrupt(name, opts));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else if (error instanceof UsageError || (error as Error).name === 'PresetError') {
    // A preset that does not fit its data (@semix/bench's PresetError, known by name: bench loads lazily).
    console.error(`semix: ${(error as Error).message}`);
    process.exitCode = 2;
  } else {
    console.error(`semix: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
