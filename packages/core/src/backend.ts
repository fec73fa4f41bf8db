import { env, LOG_LEVELS } from '@semix/env';
import {
  enableRelaxedSimd,
  type KernelArithmetic,
  type KernelFlags,
  kernelArithmetic,
  registerAll,
  relaxedSimd,
  setKernelArithmetic,
  setKernelFlags,
  WASM_KERNEL_PACK,
} from '@semix/tfjs-wasm-train';
import * as tf from '@tensorflow/tfjs-core';
// tfjs-core ships its gradients separately from the ops; training needs them registered once per process.
// `#gradients` (package.json `imports`) is `@tensorflow/tfjs` in Node, whose bundle registers the gradients of the
// tfjs-core it pins (tfjs-core's own module is ESM that Node cannot load), and tfjs-core's `register_all_gradients`
// in a bundler. Imported after tfjs-core itself, so that tfjs-core's entry creates the (global) engine.
import * as gradients from '#gradients';
import { BACKEND_NAMES, type BackendName } from './names';

export type { KernelArithmetic };

export { BACKEND_NAMES, type BackendName } from './names';

export interface BackendProbe {
  name: BackendName;
  /** The package that provides it. */
  module: string;
  available: boolean;
  /** Why it is or is not available, in words. */
  reason: string;
}

export interface BackendSelection {
  /** The backend now active in tfjs. */
  name: BackendName;
  /** What was tried, in order, and why each was or was not taken. */
  probes: BackendProbe[];
  /** Kernels semix registered for this backend (the wasm kernel pack), if any. */
  kernelPack: string[];
  /**
   * Whether the kernel pack multiplies-adds through relaxed SIMD (a fused multiply-add where the hardware has one);
   * false on every backend but wasm with the pack.
   */
  relaxedSimd: boolean;
  /**
   * On tensorflow (tfjs-node or tfjs-node-gpu): the package, its version and the libtensorflow it runs (the C API's
   * `TF_Version`); absent on the other backends.
   */
  native?: NativeVersions;
  /** What selectBackend warned about (also passed to `options.warn`): a second copy of tfjs-core loaded. */
  warnings: string[];
}

/** tfjs-node(-gpu) and the libtensorflow under it (see {@link BackendSelection.native}). */
export interface NativeVersions {
  module: string;
  version: string;
  libtensorflow: string;
}

export interface SelectBackendOptions {
  /** Receives one line per decision; default: console.info when env.logLevel is 'info' or 'debug', else silence. */
  log?: (line: string) => void;
  /** Receives what may make results wrong though a backend was chosen (two tfjs-core copies); default console.warn. */
  warn?: (line: string) => void;
  /**
   * wasm with the kernel pack: switches of the pack's one flags object (`kernelFlags` of @semix/tfjs-wasm-train,
   * which `computeIdentity` reads) to set when it is selected; those not given keep their values, except
   * `relaxedSimd`, whose default is `env.relaxedSimd` (`SEMIX_RELAXED_SIMD`). With `relaxedSimd`, the multiply-adds
   * go through relaxed SIMD where the engine has it (switching Node 20's flag on, see `enableRelaxedSimd`).
   * Data-parallel replicas and bench's job threads are started with their parent's choice.
   */
  kernelFlags?: Partial<KernelFlags>;
  /** @deprecated `kernelFlags: { relaxedSimd }`: the pack's switches are one object. */
  relaxedSimd?: boolean;
}

/**
 * What computes results now: the active backend and, on wasm with semix's kernel pack, the pack's arithmetic (fused
 * or separate multiply-add, the Winograd tile). The same job under another compute identity gives other numbers
 * (each within tolerance of the others, rounded differently), so it is part of a result's identity.
 */
export interface ComputeIdentity {
  backend: string;
  /** Absent unless the kernel pack computes (wasm with the pack registered). */
  kernels?: KernelArithmetic;
  /**
   * On tensorflow: the libtensorflow version (`TF_Version`), since its oneDNN kernels may round differently from one
   * version to the next (oneDNN says so when it starts), and the device it computes on (tfjs-node-gpu on a GPU, or
   * the CPU). Absent on the other backends.
   */
  libtensorflow?: string;
  device?: 'cpu' | 'gpu';
}

/** What tfjs-node's backend object exposes of its native binding (tfjs-node's `NodeJSKernelBackend`). */
interface NodeBackendLike {
  binding?: { TF_Version?: unknown };
  isUsingGpuDevice?: unknown;
}

/** The libtensorflow version under a tfjs-node backend object ('unknown' where its binding does not say). */
export function libtensorflowVersion(backend: unknown): string {
  const version = (backend as NodeBackendLike | null)?.binding?.TF_Version;
  return typeof version === 'string' && version !== '' ? version : 'unknown';
}

/**
 * The compute identity of the active backend (see {@link ComputeIdentity}). `active` is for tests: a backend's name
 * and its object, as tfjs-node's (`tf.backend()`) would be.
 */
export function computeIdentity(active?: { name: string; backend: unknown }): ComputeIdentity {
  const backend = active?.name ?? tf.getBackend();
  if (backend === 'tensorflow') {
    const instance = (active ? active.backend : tf.backend()) as NodeBackendLike | null;
    return {
      backend,
      libtensorflow: libtensorflowVersion(instance),
      device: instance?.isUsingGpuDevice === true ? 'gpu' : 'cpu',
    };
  }
  const pack = WASM_KERNEL_PACK[0];
  const withPack =
    backend === 'wasm' && pack !== undefined && tf.getKernel(pack.kernelName, 'wasm')?.kernelFunc === pack.kernelFunc;
  return withPack ? { backend, kernels: kernelArithmetic() } : { backend };
}

/** Whether two compute identities are the same (field by field, whatever their key order). */
export function sameCompute(a: ComputeIdentity, b: ComputeIdentity): boolean {
  return (
    a.backend === b.backend &&
    a.libtensorflow === b.libtensorflow &&
    a.device === b.device &&
    a.kernels?.multiplyAdd === b.kernels?.multiplyAdd &&
    a.kernels?.winograd === b.kernels?.winograd &&
    a.kernels?.winogradFilterGradient === b.kernels?.winogradFilterGradient &&
    (a.kernels === undefined) === (b.kernels === undefined)
  );
}

/**
 * Selects `identity.backend` computing with `identity.kernels` (a worker thread computing as its parent does), or
 * fails saying what this thread computes with instead (a backend not available here, fused multiply-add where the
 * engine has no relaxed SIMD).
 */
export async function selectCompute(identity: ComputeIdentity): Promise<BackendSelection> {
  const fused = identity.kernels?.multiplyAdd === 'fused';
  const selection = await selectBackend(identity.backend as BackendName, { kernelFlags: { relaxedSimd: fused } });
  if (identity.kernels) setKernelArithmetic(identity.kernels);
  const here = computeIdentity();
  if (!sameCompute(here, identity)) {
    throw new Error(
      `compute: this thread computes with ${JSON.stringify(here)}, not ${JSON.stringify(identity)} as asked`,
    );
  }
  return selection;
}

/** tfjs-node's own version (its `version['tfjs-node']`), or 'unknown'. */
function tensorflowPackageVersion(mod: unknown): string {
  const m = mod as { version?: Record<string, unknown>; default?: { version?: Record<string, unknown> } } | undefined;
  const version = m?.version ?? m?.default?.version;
  const found = version?.['tfjs-node'] ?? version?.['tfjs-node-gpu'];
  return typeof found === 'string' ? found : 'unknown';
}

type Loader = { module: string; load: () => Promise<unknown> };

// Dynamic imports through a variable name, so bundlers and the TypeScript compiler do not require the
// optional peers to be installed.
const importOptional = (name: string) => import(/* @vite-ignore */ name);

/** The module each backend's probe loaded (its namespace), for the check for a second tfjs-core. */
const loaded = new Map<string, unknown>();

/** What of tfjs-core the copy check reads: the Tensor class, a way to make a tensor through the engine, the platform. */
export interface TfjsCoreLike {
  Tensor: unknown;
  version_core: string;
  scalar: (value: number) => { dispose(): void };
  env: () => { platform: unknown };
}

/**
 * The platform (tfjs's `PlatformNode` or `PlatformBrowser`) once semix's tfjs-core and `#gradients` are loaded. Each
 * tfjs-core copy sets its own on the shared environment as it loads, so another one later means another copy loaded
 * (tfjs-node's kernels `require` tfjs-core directly: that copy is used by nothing else semix can see).
 */
const platformAtLoad: unknown = tf.env().platform;

/** The copy warnings already given (see selectBackend). */
const warned = new Set<string>();

/**
 * Warnings for each sign that more than one copy of tfjs-core is loaded, each naming the package. tfjs-core keeps
 * its engine and registries on the global object, so a second copy (tfjs-node `require`s tfjs-core without
 * declaring it, and a package manager may give it another one than the app's) mostly works, which is why it goes
 * unseen: it warns 'Platform node has already been set', and a second version would run its own ops and
 * gradients against the first one's kernels. Three signs: a package that re-exports tfjs-core (tfjs-node,
 * @tensorflow/tfjs) whose `Tensor` class is not ours; a tensor made by the global engine that is not of our `Tensor`
 * class (the engine belongs to the copy loaded first); the platform no longer the one set when ours loaded (each copy
 * sets one as it loads; an application's own `tf.setPlatform` would read the same). `platform` is for tests.
 */
export function tfjsCoreCopies(
  core: TfjsCoreLike,
  modules: Iterable<[string, unknown]>,
  platform: unknown = platformAtLoad,
): string[] {
  const warnings: string[] = [];
  const advice =
    'an app must resolve exactly one @tensorflow/tfjs-core, of the version tfjs-node wants (pnpm: overrides; npm: npm dedupe), see @semix/core README';
  for (const [name, mod] of modules) {
    const exported = mod as { Tensor?: unknown; version_core?: unknown; default?: { Tensor?: unknown } } | null;
    const tensor = exported?.Tensor ?? exported?.default?.Tensor;
    if (typeof tensor !== 'function' || tensor === core.Tensor) continue;
    const version = (exported?.version_core ?? (exported?.default as { version_core?: unknown })?.version_core) as
      | string
      | undefined;
    warnings.push(
      `backend: ${name} uses another copy of @tensorflow/tfjs-core (${version ?? 'version unknown'}) than semix (${core.version_core}): ${advice}`,
    );
  }
  if (core.env().platform !== platform) {
    warnings.push(
      `backend: a second @tensorflow/tfjs-core was loaded after semix's (${core.version_core}): it set tfjs's platform again (tfjs warns 'Platform node has already been set'); ${advice}`,
    );
  }
  const probe = core.scalar(0);
  const prototype = Object.getPrototypeOf(probe);
  probe.dispose();
  if (prototype !== (core.Tensor as { prototype: unknown }).prototype) {
    warnings.push(
      `backend: the tfjs engine was made by another copy of @tensorflow/tfjs-core than semix's (${core.version_core}), loaded first: ${advice}`,
    );
  }
  return warnings;
}

const LOADERS: Record<BackendName, Loader[]> = {
  tensorflow: [
    { module: '@tensorflow/tfjs-node-gpu', load: () => importOptional('@tensorflow/tfjs-node-gpu') },
    { module: '@tensorflow/tfjs-node', load: () => importOptional('@tensorflow/tfjs-node') },
  ],
  wasm: [{ module: '@tensorflow/tfjs-backend-wasm', load: () => importOptional('@tensorflow/tfjs-backend-wasm') }],
  cpu: [{ module: '@tensorflow/tfjs-backend-cpu', load: () => importOptional('@tensorflow/tfjs-backend-cpu') }],
};

function shortError(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(text)) return 'not installed';
  return text.split('\n')[0];
}

/** Loads a backend's package and checks that tfjs can initialise it, without switching to it. */
async function probe(name: BackendName): Promise<BackendProbe> {
  // A backend the application registered itself (a browser app imports its backend package: a bare specifier in a
  // dynamic import does not resolve in a page) is taken as it is.
  if (tf.findBackendFactory(name) != null) {
    const module = LOADERS[name].map((l) => l.module).join(' | ');
    return { name, module, available: true, reason: 'already registered with tfjs (its package was imported)' };
  }
  const failures: string[] = [];
  for (const loader of LOADERS[name]) {
    try {
      const mod = await loader.load();
      loaded.set(loader.module, mod);
      if (tf.findBackendFactory(name) == null) {
        failures.push(`${loader.module}: loaded but registered no '${name}' backend`);
        continue;
      }
      return { name, module: loader.module, available: true, reason: `${loader.module} loaded` };
    } catch (error) {
      failures.push(`${loader.module}: ${shortError(error)}`);
    }
  }
  return {
    name,
    module: LOADERS[name].map((l) => l.module).join(' | '),
    available: false,
    reason: failures.join('; '),
  };
}

/** Probes every backend (loads packages; switches nothing). What `semix backends` prints. */
export async function probeBackends(): Promise<BackendProbe[]> {
  const out: BackendProbe[] = [];
  for (const name of BACKEND_NAMES) out.push(await probe(name));
  return out;
}

/**
 * Picks and activates a backend. With no preference: tensorflow (tfjs-node-gpu, then tfjs-node), then wasm
 * (with semix's kernel pack, which makes it able to train convnets), then cpu. Asking for a backend that is
 * not available fails with the list of those that are.
 */
export async function selectBackend(
  preference: BackendName | 'auto' = 'auto',
  options: SelectBackendOptions = {},
): Promise<BackendSelection> {
  const log =
    options.log ??
    (LOG_LEVELS.indexOf(env.logLevel) >= LOG_LEVELS.indexOf('info') ? (line: string) => console.info(line) : () => {});
  const warn = options.warn ?? ((line: string) => console.warn(line));
  if (preference !== 'auto' && !BACKEND_NAMES.includes(preference)) {
    throw new Error(`backend: '${String(preference)}' is not a backend; allowed: auto, ${BACKEND_NAMES.join(', ')}`);
  }
  const order: BackendName[] = preference === 'auto' ? [...BACKEND_NAMES] : [preference];
  const probes: BackendProbe[] = [];
  for (const name of order) {
    const result = await probe(name);
    probes.push(result);
    if (!result.available) {
      log(`backend ${name}: skipped (${result.reason})`);
      continue;
    }
    // env.kernelPack (SEMIX_KERNEL_PACK) off: tfjs-backend-wasm's own kernels only (it cannot train convnets then).
    const withPack = name === 'wasm' && env.kernelPack;
    const kernelPack = withPack ? registerAll() : [];
    let relaxed = false;
    if (withPack) {
      const wanted = options.kernelFlags?.relaxedSimd ?? options.relaxedSimd ?? env.relaxedSimd;
      // enableRelaxedSimd only where wanted: it switches a V8 flag for the whole process.
      setKernelFlags({ ...options.kernelFlags, relaxedSimd: wanted && enableRelaxedSimd() });
      relaxed = relaxedSimd();
    }
    let failure: string | null = null;
    try {
      if (!(await tf.setBackend(name))) failure = 'failed to initialise';
    } catch (error) {
      failure = `failed to initialise: ${shortError(error)}`;
    }
    if (failure !== null) {
      result.available = false;
      result.reason = failure;
      log(`backend ${name}: skipped (${result.reason})`);
      continue;
    }
    await tf.ready();
    // Checked each time (cheap): a package loaded since the last selection may have brought its own copy.
    const warnings = tfjsCoreCopies(tf as unknown as TfjsCoreLike, [...loaded, ['@tensorflow/tfjs', gradients]]);
    for (const line of warnings) {
      // Once per process: the speed suite and the bench select a backend many times.
      if (!warned.has(line)) warn(line);
      warned.add(line);
    }
    const native =
      name === 'tensorflow'
        ? {
            module: result.module,
            version: tensorflowPackageVersion(loaded.get(result.module)),
            libtensorflow: libtensorflowVersion(tf.backend()),
          }
        : undefined;
    log(
      `backend ${name}: chosen (${result.reason}${kernelPack.length ? `; semix kernel pack: ${kernelPack.join(', ')}` : ''}${withPack ? `; ${relaxed ? 'relaxed SIMD (fused multiply-add)' : 'plain SIMD'}` : ''})`,
    );
    return {
      name,
      probes,
      kernelPack: withPack ? WASM_KERNEL_PACK.map((k) => k.kernelName) : [],
      relaxedSimd: relaxed,
      ...(native ? { native } : {}),
      warnings,
    };
  }
  if (preference !== 'auto') {
    const available = (await probeBackends()).filter((p) => p.available).map((p) => p.name);
    throw new Error(
      `backend: '${preference}' is not available (${probes[0]?.reason}); available: ${available.join(', ') || 'none'}`,
    );
  }
  throw new Error(
    `backend: no TensorFlow.js backend could be initialised (${probes.map((p) => `${p.name}: ${p.reason}`).join('; ')})`,
  );
}
