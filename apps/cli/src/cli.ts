import { Command, CommanderError } from 'commander';

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
  .showHelpAfterError();

program
  .command('backends')
  .description('Which TensorFlow.js backends are installed, which one is chosen and why')
  .option('--json', 'machine-readable output')
  .addHelpText('after', '\nExample:\n  semix backends --json')
  .action(async (opts) => (await import('./commands/backends')).backends(opts));

program
  .command('bench')
  .description('Run a leaderboard preset in process (records, then tables and charts)')
  .option('--preset <name>', 'quick, smoke, mnist-full, fashion, cifar10, cifar100, or a .json file', 'quick')
  .option('--out <dir>', 'results directory (default results/<preset>)')
  .option('--backend <name>', 'auto, tensorflow, wasm, cpu', 'auto')
  .option('--json', 'print the leaderboard as JSON')
  .addHelpText('after', '\nExample:\n  semix bench --preset smoke --out results/smoke')
  .action(async (opts) => (await import('./commands/bench')).bench(opts));

program
  .command('leaderboard')
  .description('Rebuild tables and charts from the records of a results directory')
  .requiredOption('--out <dir>', 'results directory holding records/')
  .option('--json', 'print the leaderboard as JSON')
  .addHelpText('after', '\nExample:\n  semix leaderboard --out results/quick')
  .action(async (opts) => (await import('./commands/leaderboard')).leaderboard(opts));

const datasets = program.command('datasets').description('Data sets and corruption suites');
datasets
  .command('list')
  .description('List data sets and corruptions')
  .option('--json', 'machine-readable output')
  .action(async (opts) => (await import('./commands/datasets')).list(opts));
datasets
  .command('preview <name>')
  .description('Write a PNG grid (corruption × severity) of a few images of a data set')
  .option('--out <file>', 'PNG path', 'preview.png')
  .option('--images <n>', 'images per corruption', '2')
  .option('--seed <n>', 'corruption seed', '0')
  .addHelpText('after', '\nExample:\n  semix datasets preview mnist-mini --out mnist-mini-c.png')
  .action(async (name, opts) => (await import('./commands/datasets')).preview(name, opts));
datasets
  .command('corrupt <name>')
  .description('Generate and cache the corruption suite (15 × 5) of a data set’s test split')
  .option('--seed <n>', 'corruption seed', '0')
  .action(async (name, opts) => (await import('./commands/datasets')).corrupt(name, opts));

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : 2;
  } else {
    console.error(`semix: ${(error as Error).message}`);
    process.exitCode = 1;
  }
}
