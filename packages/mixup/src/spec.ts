/**
 * Method configurations as data: `{ name, label?, mix?, sem?, layers?, eta? }`, validated strictly (every key,
 * every value) and resolved over each method's documented defaults. A resolved configuration is what records
 * store and what job ids hash; `createMethod` builds the training function from the same options.
 */
import {
  DEFAULT_FMIX_DECAY_POWER,
  DEFAULT_MANIFOLD_LAYERS,
  DEFAULT_MIX_OPTIONS,
  DEFAULT_RESIZEMIX_SCALE,
  DEFAULT_SALIENCY_DETECTOR,
  DEFAULT_SEM_OPTIONS,
  METHOD_DEFAULTS,
  METHOD_NAMES,
  type MethodName,
} from './constants';
import type { MethodMixOptions, SemOptions } from './types';
import { MIX_FIELD_CHECKS, SEM_FIELD_CHECKS } from './validate';

/** A method as a preset, a config file or a queue payload names it. Every field but `name` is optional. */
export interface MethodConfig {
  name: string;
  /** The leaderboard row; default: the name followed by the options that differ from the defaults. */
  label?: string;
  mix?: Partial<MethodMixOptions>;
  sem?: Partial<SemOptions>;
  /** Manifold Mixup: the mixable layers (0 = input). */
  layers?: number[];
  /** RegMixup: the weight η of the mixup term. */
  eta?: number;
}

/** A method with every option it takes resolved; options it does not take are absent (`null` for mix/sem). */
export interface ResolvedMethod {
  name: MethodName;
  label: string;
  mix: Partial<MethodMixOptions> | null;
  sem: SemOptions | null;
  layers?: number[];
  eta?: number;
}

const COMMON_MIX = ['alpha', 'prob', 'mode', 'pairing', 'labelSmoothing'] as const;
type MixKey = keyof MethodMixOptions;

/** Which mixing options each base method reads; any other is refused rather than silently ignored. */
export const MIX_KEYS: Record<string, readonly MixKey[]> = {
  erm: ['labelSmoothing'],
  mixup: COMMON_MIX,
  cutmix: [...COMMON_MIX, 'correctLam', 'cutmixMinMax'],
  manifold: COMMON_MIX,
  fmix: [...COMMON_MIX, 'decayPower'],
  resizemix: ['prob', 'pairing', 'labelSmoothing', 'scale'],
  saliencymix: [...COMMON_MIX, 'correctLam', 'saliency'],
  regmixup: COMMON_MIX,
};

const MIX_DEFAULTS: MethodMixOptions = {
  ...DEFAULT_MIX_OPTIONS,
  decayPower: DEFAULT_FMIX_DECAY_POWER,
  scale: DEFAULT_RESIZEMIX_SCALE,
  saliency: DEFAULT_SALIENCY_DETECTOR,
};

const CONFIG_KEYS = ['name', 'label', 'mix', 'sem', 'layers', 'eta'] as const;

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

export const baseOf = (name: MethodName): string => name.replace('+sem', '');

/**
 * Validates a method configuration (a name, or an object) and resolves it over the method's defaults. Errors
 * name the field (prefixed by `field`), the value and what is allowed.
 */
export function resolveMethod(value: unknown, field = 'method'): ResolvedMethod {
  const { resolved, label } = resolveOptions(value, field);
  return { ...resolved, label: label ?? defaultLabel(resolved) };
}

function resolveOptions(
  value: unknown,
  field: string,
): { resolved: Omit<ResolvedMethod, 'label'>; label: string | undefined } {
  let config: Record<string, unknown> = typeof value === 'string' ? { name: value } : (value as never);
  if (!isObject(config)) {
    throw new MethodConfigError(field, `${JSON.stringify(value)} is not valid; allowed: a method name or an object`);
  }
  // A resolved method (records, payloads) has `mix: null` / `sem: null` for what a method does not take.
  config = Object.fromEntries(Object.entries(config).filter(([k, v]) => !((k === 'mix' || k === 'sem') && v === null)));
  for (const key of Object.keys(config)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(key))
      throw new MethodConfigError(`${field}.${key}`, `unknown key; allowed: ${CONFIG_KEYS.join(', ')}`);
  }
  const name = config.name;
  if (typeof name !== 'string' || !(METHOD_NAMES as readonly string[]).includes(name)) {
    throw new MethodConfigError(
      typeof value === 'string' ? field : `${field}.name`,
      `${JSON.stringify(name)} is not a method; allowed: ${METHOD_NAMES.join(', ')}`,
    );
  }
  const method = name as MethodName;
  const defaults = METHOD_DEFAULTS[method];
  const base = baseOf(method);
  const mixKeys = MIX_KEYS[base];

  if (config.mix !== undefined && !isObject(config.mix))
    throw new MethodConfigError(`${field}.mix`, `${JSON.stringify(config.mix)} is not valid; allowed: an object`);
  const mixIn = (config.mix ?? {}) as Record<string, unknown>;
  const mix: Record<string, unknown> = {};
  for (const key of mixKeys) {
    mix[key] = key === 'alpha' ? (defaults.alpha ?? MIX_DEFAULTS.alpha) : MIX_DEFAULTS[key];
  }
  for (const [key, v] of Object.entries(mixIn)) {
    if (!(mixKeys as readonly string[]).includes(key)) {
      const known = key in MIX_DEFAULTS;
      throw new MethodConfigError(
        `${field}.mix.${key}`,
        known
          ? `does not apply to ${method}; ${method} takes: ${mixKeys.join(', ')}`
          : `unknown key; allowed for ${method}: ${mixKeys.join(', ')}`,
      );
    }
    const problem = MIX_FIELD_CHECKS[key as MixKey](v);
    if (problem)
      throw new MethodConfigError(`${field}.mix.${key}`, `${JSON.stringify(v)} is not valid; allowed: ${problem}`);
    mix[key] = v;
  }

  let sem: SemOptions | null = null;
  if (config.sem !== undefined && !defaults.sem) {
    const twin = `${base}+sem`;
    const where = (METHOD_NAMES as readonly string[]).includes(twin) ? twin : 'the +sem methods';
    throw new MethodConfigError(`${field}.sem`, `does not apply to ${method}; SEM options go with ${where}`);
  }
  if (defaults.sem) {
    if (config.sem !== undefined && !isObject(config.sem))
      throw new MethodConfigError(`${field}.sem`, `${JSON.stringify(config.sem)} is not valid; allowed: an object`);
    const semIn = (config.sem ?? {}) as Record<string, unknown>;
    sem = { ...DEFAULT_SEM_OPTIONS };
    for (const [key, v] of Object.entries(semIn)) {
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

  const resolved: Omit<ResolvedMethod, 'label'> = { name: method, mix, sem };
  if (base === 'manifold') {
    const layers = config.layers ?? DEFAULT_MANIFOLD_LAYERS;
    if (!Array.isArray(layers) || layers.length === 0 || !layers.every((k) => Number.isInteger(k) && k >= 0))
      throw new MethodConfigError(
        `${field}.layers`,
        `${JSON.stringify(layers)} is not valid; allowed: a non-empty list of integers >= 0`,
      );
    resolved.layers = [...layers];
  } else if (config.layers !== undefined) {
    throw new MethodConfigError(`${field}.layers`, `does not apply to ${method}; only to manifold, manifold+sem`);
  }
  if (base === 'regmixup') {
    const eta = config.eta ?? 1;
    if (!(typeof eta === 'number' && eta >= 0 && Number.isFinite(eta)))
      throw new MethodConfigError(`${field}.eta`, `${JSON.stringify(eta)} is not valid; allowed: a number >= 0`);
    resolved.eta = eta;
  } else if (config.eta !== undefined) {
    throw new MethodConfigError(`${field}.eta`, `does not apply to ${method}; only to regmixup`);
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
  mode: (v: string) => `mode=${v}`,
  pairing: (v: string) => `pairing=${v}`,
  labelSmoothing: (v: number) => `ε=${fmt(v)}`,
  prob: (v: number) => `p=${fmt(v)}`,
  correctLam: (v: boolean) => (v ? 'correct-lam' : 'no-correct-lam'),
  cutmixMinMax: (v: [number, number] | null) => `box=${v === null ? 'lam' : fmt(v)}`,
  decayPower: (v: number) => `δ=${fmt(v)}`,
  scale: (v: [number, number]) => `scale=${fmt(v)}`,
  saliency: (v: string) => v,
};

/** The non-default options of a resolved method, as `path → value` (e.g. `sem.weight → 10`). */
export function methodOverrides(m: Omit<ResolvedMethod, 'label'>): Array<[string, unknown]> {
  const reference = resolveOptions(m.name, 'method').resolved;
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

/** `mixup+sem β=10 cosine`: the name, then each option that differs from the default, in a fixed order. */
export function defaultLabel(m: Omit<ResolvedMethod, 'label'>): string {
  const parts = methodOverrides(m).map(([path, v]) => {
    const [group, key] = path.split('.');
    if (group === 'sem') return SEM_LABEL[key as keyof SemOptions](v as never);
    if (group === 'mix') return MIX_LABEL[key as MixKey](v as never);
    if (path === 'layers') return `layers=${fmt(v)}`;
    return `η=${fmt(v)}`;
  });
  return [m.name, ...parts].join(' ');
}

/** The options `createMethod` takes, from a resolved method. */
export function methodOptions(m: ResolvedMethod): {
  mix?: Partial<MethodMixOptions>;
  sem?: Partial<SemOptions>;
  layers?: number[];
  eta?: number;
} {
  return {
    ...(m.mix ? { mix: m.mix } : {}),
    ...(m.sem ? { sem: m.sem } : {}),
    ...(m.layers ? { layers: m.layers } : {}),
    ...(m.eta !== undefined ? { eta: m.eta } : {}),
  };
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
  if (group === 'mix' || group === 'sem') {
    return { ...config, [group]: { ...(config[group] ?? {}), [key]: value } };
  }
  if (group === 'layers' || group === 'eta' || group === 'label') return { ...config, [group]: value };
  throw new MethodConfigError(path, 'is not an option path; allowed: mix.<key>, sem.<key>, layers, eta, label');
}
