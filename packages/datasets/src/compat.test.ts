import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import * as compat from './compat';
import * as main from './index';
import * as node from './node';

// What `@semix/datasets` exported before `/node` existed (the main entry was then the Node entry): values, then
// types. In Node, "." must keep giving all of them for one release.
const OLD_VALUES = [
  'cacheDir', 'writeAtomic', 'checksumOf', 'ALL_CORRUPTIONS', 'CORRUPTION_FUNCTIONS', 'CORRUPTIONS',
  'EXTRA_CORRUPTIONS', 'SEVERITIES', 'MNIST_C_CORRUPTIONS', 'MNIST_C_FUNCTIONS', 'MNIST_C_SEVERITY', 'previewGrid',
  'checkCorruption', 'checkMnistCCorruption', 'checkSeverity', 'checkSuite', 'corruptedDataset', 'corruptImages',
  'corruptionSuite', 'corruptMnistC', 'GENERATOR_VERSION', 'generateSuite', 'MNIST_C_LEVEL', 'SUITE_NAMES',
  'parseCifarRecords', 'parseIdx', 'parseNpyHeader', 'readNpyHeader', 'readNpyRows', 'extractTar',
  'DirectoryLockedError', 'LOCK_FILE', 'lockDirectory', 'removeStaleTemps', 'loadMnistMini',
  'MNIST_MINI_TEST_PER_CLASS', 'MNIST_MINI_TRAIN_PER_CLASS', 'MNIST_NORMALIZATION', 'take', 'batchIndices',
  'cifarAugment', 'checkCachedFile', 'DownloadError', 'downloadFile', 'isVerified', 'md5File',
  'CORRUPTION_DATASET_NAMES', 'DATASET_NAMES', 'fetchDataset', 'loadCorrupted', 'loadDataset', 'remoteDataset',
  'verifyDataset', 'checkReleasedCorruption', 'MNIST_C_RELEASED', 'REMOTE_DATASET_NAMES', 'REMOTE_DATASETS',
  'DataRng', 'checkSafeName',
]; // biome-ignore format: a list
const OLD_TYPES = [
  'Img', 'Dataset', 'DatasetSplits', 'Corruption', 'CorruptionName', 'MnistCCorruption', 'MnistCCorruptionName',
  'CorruptionSuite', 'CorruptionSuiteFunction', 'SuiteCorruptionName', 'SuiteName', 'SuiteOptions', 'SuiteProgress',
  'SuiteStore', 'IdxArray', 'NpyHeader', 'ExtractOptions', 'DirectoryLock', 'LockOptions', 'LockOwner',
  'BatchIteratorOptions', 'UniformSource', 'CachedFileState', 'DownloadOptions', 'DownloadProgress', 'FetchOptions',
  'FileStatus', 'MnistCReleasedName', 'RemoteDataset', 'RemoteFile', 'RemoteFormat',
]; // biome-ignore format: a list

const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** compat.ts's exports as TypeScript sees them (values and types), each with whether it is marked @deprecated. */
function declaredExports(): Map<string, boolean> {
  const file = here('./compat.ts');
  const program = ts.createProgram([file], {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(file);
  const moduleSymbol = source && checker.getSymbolAtLocation(source);
  if (!moduleSymbol) throw new Error('compat.ts: no module symbol');
  const out = new Map<string, boolean>();
  for (const symbol of checker.getExportsOfModule(moduleSymbol)) {
    // Only compat.ts's own declarations carry the marker; what `export *` brings keeps its own JSDoc.
    const own = (symbol.declarations ?? []).filter((d) => d.getSourceFile() === source);
    out.set(symbol.name, own.length > 0 && own.every((d) => ts.getJSDocDeprecatedTag(d) !== undefined));
  }
  return out;
}

describe('the deprecated Node view of @semix/datasets (compat.ts, the "node" condition of ".")', () => {
  it('still exports every value the old entry did: the main entry’s, or the same object as /node’s', () => {
    const c = compat as Record<string, unknown>;
    const m = main as Record<string, unknown>;
    const n = node as Record<string, unknown>;
    for (const name of OLD_VALUES) {
      expect(c[name], name).toBeDefined();
      expect(c[name], name).toBe(name in n ? n[name] : m[name]);
    }
    // corruptionSuite keeps its Node behaviour (the cache) in Node: it is /node's, not the main entry's.
    expect(compat.corruptionSuite).toBe(node.corruptionSuite);
    expect(compat.corruptionSuite).not.toBe(main.corruptionSuite);
    // One class, whichever entry it came from.
    expect(new compat.DownloadError('x', ['u'], 'md5', [])).toBeInstanceOf(node.DownloadError);
  });

  it('declares every old name, values and types, and marks each one that moved to /node @deprecated', () => {
    const declared = declaredExports();
    for (const name of [...OLD_VALUES, ...OLD_TYPES]) expect(declared.has(name), name).toBe(true);
    const movedToNode = Object.keys(node).filter((name) => OLD_VALUES.includes(name));
    expect(movedToNode.length).toBeGreaterThan(20);
    for (const name of movedToNode) expect(declared.get(name), name).toBe(true);
    for (const name of ['ExtractOptions', 'DirectoryLock', 'LockOptions', 'DownloadOptions', 'FetchOptions']) {
      expect(declared.get(name), name).toBe(true);
    }
    // What stays in the main entry is not deprecated.
    for (const name of ['corruptImages', 'DataRng', 'Dataset', 'parseIdx'])
      expect(declared.get(name), name).toBe(false);
    // Nothing new goes through the deprecated view.
    expect(declared.has('validationSplit')).toBe(false);
  }, 60_000);

  it('package.json: "." gives compat under "node", the main entry elsewhere; /browser is the main entry', () => {
    const pkg = JSON.parse(readFileSync(here('../package.json'), 'utf8'));
    const dot = pkg.exports['.'];
    // Conditions match in key order: "node" must come before the unconditional "import".
    expect(Object.keys(dot)).toEqual(['node', 'types', 'import']);
    expect(dot.node).toEqual({ types: './dist/compat.d.ts', import: './dist/compat.js' });
    expect(dot.import).toBe('./dist/index.js');
    expect(pkg.exports['./browser']).toEqual({ types: dot.types, import: dot.import });
    expect(pkg.exports['./node']).toEqual({ types: './dist/node.d.ts', import: './dist/node.js' });
  });
});
