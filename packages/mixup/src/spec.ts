/**
 * Method configurations as data: a policy, its mixing options, and the SEM term's options or none
 * (`{ policy, label?, mix?, sem?, layers?, eta? }`), validated strictly (every key, every value) and resolved over
 * the documented defaults. Users may name a method instead (`mixup+sem`: `parseMethodName` reads it, the one place
 * the `+sem` suffix is read). A resolved method is what records store and what job ids hash; `createMethod` builds
 * the training step from the same options.
 */
import { DEFAULT_METHOD_MIX_OPTIONS, DEFAULT_SEM_OPTIONS } from './constants';
import { type MixKey, POLICY_NAMES, type Policy, type PolicyName, policyOf } from './policies';
import type { MethodMixOptions, SemOptions } from './types';
import { MIX_FIELD_CHECKS, SEM_FIELD_CHECKS } from './validate';

/**
 * A method as a preset, a config file, a queue payload or a caller writes it. `policy` (or `name`) is required;
 * every other field is optional and merged over the defaults.
 */
export interface MethodConfig {
  policy?: PolicyName;
  /** A method's name as users type it: a policy, or `X+sem` for policy X with SEM's defaults (`parseMethodName`). */
  name?: string;
  /** The leaderboard row; default: the method's name followed by the options that differ from the defaults. */
  label?: string;
  mix?: Partial<MethodMixOptions> | null;
  /** SEM's options over `DEFAULT_SEM_OPTIONS` (`true` or `{}`: the defaults); absent or null: no SEM term. */
  sem?: Partial<SemOptions> | true | null;
  /** Manifold Mixup: the mixable layers (0 = input). */
  layers?: number[];
  /** RegMixup: the weight η of the mixup term. */
  eta?: number;
}

/** A method with every option it takes resolved; options it does not take are absent (`null` for mix/sem). */
export interface ResolvedMethod {
  policy: PolicyName;
  label: string;
  mix: Partial<MethodMixOptions> | null;
  sem: SemOptions | null;
  layers?: number[];
  eta?: number;
}

/**
 * A resolved method as records and grids written before policies stored it: `name` is the policy, followed by
 * `+sem` where the SEM term is on. `resolveMethod` reads it as the current shape, with the same label.
 */
export interface LegacyResolvedMethod extends Omit<ResolvedMethod, 'policy'> {
  name: string;
}

const CONFIG_KEYS = ['policy', 'name', 'label', 'mix', 'sem', 'layers', 'eta'] as const;

/** A configuration error: `field` is the dotted path (e.g. `methods[2].sem.weight`). */
export class MethodConfigError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`${field}: ${detail}`);
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const SEM_SUFFIX = '+sem';

/** The policies SEM applies to (those whose step has a mixed batch). */
const semPolicies = () => POLICY_NAMES.filter((p) => !policyOf(p).noSem);

/** Every name `parseMethodName` takes: each policy, and `X+sem` for each policy X that SEM applies to. */
export const methodNames = (): string[] =>
  POLICY_NAMES.flatMap((p) => (policyOf(p).noSem ? [p] : [p, `${p}${SEM_SUFFIX}`]));

/**
 * A method's name as users type it → its policy, and `sem: {}` (SEM with its defaults) for an `X+sem` name:
 * `mixup` → `{ policy: 'mixup' }`, `mixup+sem` → `{ policy: 'mixup', sem: {} }`. Errors name `field`.
 */
export function parseMethodName(name: unknown, field = 'method'): { policy: PolicyName; sem?: Partial<SemOptions> } {
  const policy = typeof name === 'string' && name.endsWith(SEM_SUFFIX) ? name.slice(0, -SEM_SUFFIX.length) : name;
  if (typeof policy !== 'string' || !(POLICY_NAMES as readonly string[]).includes(policy))
    throw new MethodConfigError(field, `${JSON.stringify(name)} is not a method; allowed: ${methodNames().join(', ')}`);
  return policy === name ? { policy: policy as PolicyName } : { policy: policy as PolicyName, sem: {} };
}

/**
 * The method's name as tables show it: its policy, with `+sem` when the SEM term is on (a resolved method's or a
 * config's `sem`). Default labels start with it.
 */
export const methodName = (m: { policy: PolicyName; sem?: MethodConfig['sem'] }): string =>
  m.sem ? `${m.policy}${SEM_SUFFIX}` : m.policy;

/**
 * Validates a method configuration (a name, a `MethodConfig`, a resolved method, or one stored before policies:
 * `LegacyResolvedMethod`) and resolves it over the policy's defaults. Errors name the field (prefixed by `field`),
 * the value and what is allowed.
 */
export function resolveMethod(value: unknown, field = 'method'): ResolvedMethod {
  const { resolved, label } = resolveOptions(value, field);
  return { ...resolved, label: label ?? defaultLabel(resolved) };
}

/** The policies that take an option (`layers`, `eta`), for messages. */
const takers = (option: 'layers' | 'eta') => POLICY_NAMES.filter((p) => policyOf(p)[option] !== undefined).join(', ');

function resolveOptions(
  value: unknown,
  field: string,
): { resolved: Omit<ResolvedMethod, 'label'>; label: string | undefined } {
  const config = typeof value === 'string' ? { name: value } : value;
  if (!isObject(config)) {
    throw new MethodConfigError(field, `${JSON.stringify(value)} is not valid; allowed: a method name or an object`);
  }
  for (const key of Object.keys(config)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key))
      throw new MethodConfigError(`${field}.${key}`, `unknown key; allowed: ${CONFIG_KEYS.join(', ')}`);
  }

  // The policy: `policy`, or the one `name` names (a bare string is a name).
  const nameField = typeof value === 'string' ? field : `${field}.name`;
  const named = config.name !== undefined ? parseMethodName(config.name, nameField) : undefined;
  if (config.policy !== undefined && !(POLICY_NAMES as readonly unknown[]).includes(config.policy))
    throw new MethodConfigError(
      `${field}.policy`,
      `${JSON.stringify(config.policy)} is not a policy; allowed: ${POLICY_NAMES.join(', ')}`,
    );
  if (named && config.policy !== undefined && config.policy !== named.policy)
    throw new MethodConfigError(
      `${field}.policy`,
      `${JSON.stringify(config.policy)} disagrees with ${nameField} ${JSON.stringify(config.name)} (policy ${named.policy}); give one of them`,
    );
  const policy = (config.policy ?? named?.policy) as PolicyName | undefined;
  if (policy === undefined)
    throw new MethodConfigError(
      `${field}.policy`,
      `missing; allowed: ${POLICY_NAMES.join(', ')} (or name: a method name such as mixup+sem)`,
    );
  const entry: Policy = policyOf(policy);

  if (config.mix !== undefined && config.mix !== null && !isObject(config.mix))
    throw new MethodConfigError(`${field}.mix`, `${JSON.stringify(config.mix)} is not valid; allowed: an object`);
  const mixIn = (config.mix ?? {}) as Record<string, unknown>;
  const mix: Record<string, unknown> = {};
  for (const key of entry.mixKeys) {
    mix[key] =
      key === 'alpha' && entry.alpha !== undefined
        ? entry.alpha
        : entry.mixDefaults && key in entry.mixDefaults
          ? entry.mixDefaults[key]
          : DEFAULT_METHOD_MIX_OPTIONS[key];
  }
  for (const [key, v] of Object.entries(mixIn)) {
    if (!(entry.mixKeys as readonly string[]).includes(key)) {
      const known = key in DEFAULT_METHOD_MIX_OPTIONS;
      throw new MethodConfigError(
        `${field}.mix.${key}`,
        known
          ? `does not apply to ${policy}; ${policy} takes: ${entry.mixKeys.join(', ')}`
          : `unknown key; allowed for ${policy}: ${entry.mixKeys.join(', ')}`,
      );
    }
    const problem = MIX_FIELD_CHECKS[key as MixKey](v);
    if (problem)
      throw new MethodConfigError(`${field}.mix.${key}`, `${JSON.stringify(v)} is not valid; allowed: ${problem}`);
    mix[key] = v;
  }

  // SEM: on when `sem` is an object or true, or the name asks for it (`X+sem`); off when absent or null.
  const semIn = config.sem;
  const semFromName = named?.sem !== undefined;
  if (semIn !== undefined && semIn !== null && semIn !== true && !isObject(semIn))
    throw new MethodConfigError(
      `${field}.sem`,
      `${JSON.stringify(semIn)} is not valid; allowed: an object of SEM options, true (SEM's defaults) or null (no SEM)`,
    );
  if (semIn === null && semFromName)
    throw new MethodConfigError(
      `${field}.sem`,
      `null (no SEM) disagrees with ${nameField} ${JSON.stringify(config.name)}, which asks for SEM; give one of them`,
    );
  let sem: SemOptions | null = null;
  if (semFromName || (semIn !== undefined && semIn !== null)) {
    if (entry.noSem)
      throw new MethodConfigError(
        semIn === undefined ? nameField : `${field}.sem`,
        `sem does not apply to ${policy}: ${entry.noSem}; allowed with: ${semPolicies().join(', ')}`,
      );
    sem = { ...DEFAULT_SEM_OPTIONS };
    for (const [key, v] of Object.entries(isObject(semIn) ? semIn : {})) {
      if (!(key in SEM_FIELD_CHECKS))
        throw new MethodConfigError(
          `${field}.sem.${key}`,
          `unknown key; allowed: ${Object.keys(SEM_FIELD_CHECKS).join(', ')}`,
        );
      const problem = SEM_FIELD_CHECKS[key as keyof SemOptions](v);
      if (problem)
        throw new MethodConfigError(`${field}.sem.${key}`, `${JSON.stringify(v)} is not valid; allowed: ${problem}`);
      (sem as unknown as Record<string, unknown>)[key] = v;
    }
  }

  const resolved: Omit<ResolvedMethod, 'label'> = {
    policy,
    mix: entry.mixKeys.length > 0 ? (mix as Partial<MethodMixOptions>) : null,
    sem,
  };
  if (entry.layers !== undefined) {
    const layers = config.layers ?? entry.layers;
    if (!Array.isArray(layers) || layers.length === 0 || !layers.every((k) => Number.isInteger(k) && k >= 0))
      throw new MethodConfigError(
        `${field}.layers`,
        `${JSON.stringify(layers)} is not valid; allowed: a non-empty list of integers >= 0`,
      );
    resolved.layers = [...layers];
  } else if (config.layers !== undefined) {
    throw new MethodConfigError(`${field}.layers`, `does not apply to ${policy}; only to ${takers('layers')}`);
  }
  if (entry.eta !== undefined) {
    const eta = config.eta ?? entry.eta;
    if (!(typeof eta === 'number' && eta >= 0 && Number.isFinite(eta)))
      throw new MethodConfigError(`${field}.eta`, `${JSON.stringify(eta)} is not valid; allowed: a number >= 0`);
    resolved.eta = eta;
  } else if (config.eta !== undefined) {
    throw new MethodConfigError(`${field}.eta`, `does not apply to ${policy}; only to ${takers('eta')}`);
  }
  if (config.label !== undefined && !(typeof config.label === 'string' && config.label.trim().length > 0))
    throw new MethodConfigError(
      `${field}.label`,
      `${JSON.stringify(config.label)} is not valid; allowed: a non-empty string`,
    );
  return { resolved, label: config.label as string | undefined };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const fmt = (v: unknown) => (Array.isArray(v) ? `[${v.join(',')}]` : String(v));

/** How each option reads in a label when it differs from its default (the field's own symbols). */
const SEM_LABEL: Record<keyof SemOptions, (v: never) => string> = {
  weight: (v: number) => `β=${fmt(v)}`,
  distance: (v: string) => v,
  stopGradTarget: (v: boolean) => (v ? 'stop-grad' : 'no-stop-grad'),
  normalize: (v: boolean) => (v ? 'normalize' : 'no-normalize'),
  temperature: (v: number) => `τ=${fmt(v)}`,
};
const MIX_LABEL: Record<MixKey, (v: never) => string> = {
  alpha: (v: number) => `α=${fmt(v)}`,
  cutmixAlpha: (v: number) => `cutmix-α=${fmt(v)}`,
  switchProb: (v: number) => `switch=${fmt(v)}`,
  mode: (v: string) => `mode=${v}`,
  pairing: (v: string) => `pairing=${v}`,
  labelSmoothing: (v: number) => `ε=${fmt(v)}`,
  prob: (v: number) => `p=${fmt(v)}`,
  correctLam: (v: boolean) => (v ? 'correct-lam' : 'no-correct-lam'),
  cutmixMinMax: (v: [number, number] | null) => `box=${v === null ? 'lam' : fmt(v)}`,
  decayPower: (v: number) => `δ=${fmt(v)}`,
  scale: (v: [number, number]) => `scale=${fmt(v)}`,
  saliency: (v: string) => v,
  width: (v: number) => `width=${fmt(v)}`,
  depth: (v: number) => `depth=${fmt(v)}`,
  severity: (v: number) => `severity=${fmt(v)}`,
  ops: (v: string[]) => `ops=${fmt(v)}`,
  jsd: (v: boolean) => (v ? 'jsd' : 'no-jsd'),
  jsdWeight: (v: number) => `jsd-λ=${fmt(v)}`,
  sigma: (v: number) => `σ=${fmt(v)}`,
};

/** The non-default options of a resolved method, as `path → value` (e.g. `sem.weight → 10`). */
export function methodOverrides(m: Omit<ResolvedMethod, 'label'>): Array<[string, unknown]> {
  const reference = resolveOptions({ policy: m.policy, sem: m.sem ? true : null }, 'method').resolved;
  const out: Array<[string, unknown]> = [];
  for (const key of Object.keys(SEM_LABEL) as Array<keyof SemOptions>) {
    if (m.sem && reference.sem && !same(m.sem[key], reference.sem[key])) out.push([`sem.${key}`, m.sem[key]]);
  }
  for (const key of Object.keys(MIX_LABEL) as MixKey[]) {
    if (m.mix && reference.mix && key in m.mix && !same(m.mix[key], reference.mix[key]))
      out.push([`mix.${key}`, m.mix[key]]);
  }
  if (m.layers && !same(m.layers, reference.layers)) out.push(['layers', m.layers]);
  if (m.eta !== undefined && m.eta !== reference.eta) out.push(['eta', m.eta]);
  return out;
}

/** `mixup+sem β=10 cosine`: the method's name, then each option that differs from the default, in a fixed order. */
export function defaultLabel(m: Omit<ResolvedMethod, 'label'>): string {
  const parts = methodOverrides(m).map(([path, v]) => {
    const [group, key] = path.split('.');
    if (group === 'sem') return SEM_LABEL[key as keyof SemOptions](v as never);
    if (group === 'mix') return MIX_LABEL[key as MixKey](v as never);
    if (path === 'layers') return `layers=${fmt(v)}`;
    return `η=${fmt(v)}`;
  });
  return [methodName(m), ...parts].join(' ');
}

/** Sets `path` (e.g. `sem.weight`) in a method configuration, returning a new one. */
export function withOption(config: MethodConfig, path: string, value: unknown): MethodConfig {
  const [group, key, ...rest] = path.split('.');
  if (
    rest.length > 0 ||
    ((group === 'mix' || group === 'sem') && !key) ||
    (group !== 'mix' && group !== 'sem' && key)
  ) {
    throw new MethodConfigError(path, 'is not an option path; allowed: mix.<key>, sem.<key>, layers, eta, label');
  }
  if (group === 'mix') return { ...config, mix: { ...config.mix, [key]: value } };
  if (group === 'sem') {
    // A SEM option needs the SEM term on (sem set, or an X+sem name): setting one does not turn it on.
    const named = config.name !== undefined ? parseMethodName(config.name, 'name') : undefined;
    if (!(isObject(config.sem) || config.sem === true || named?.sem)) {
      const policy = config.policy ?? named?.policy;
      throw new MethodConfigError(
        path,
        `${policy ?? 'the method'} has no SEM term to set it on; give sem (true or its options)${policy ? ` or name ${policy}+sem` : ''}`,
      );
    }
    return { ...config, sem: { ...(isObject(config.sem) ? config.sem : {}), [key]: value } };
  }
  if (group === 'layers' || group === 'eta' || group === 'label') return { ...config, [group]: value };
  throw new MethodConfigError(path, 'is not an option path; allowed: mix.<key>, sem.<key>, layers, eta, label');
}
