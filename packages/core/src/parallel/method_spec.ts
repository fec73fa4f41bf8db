import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TrainMethod } from '../trainer';

/**
 * A training method named by where it comes from rather than passed as a function, so that worker threads can
 * build their own copy: `(await import(module))[export](...args)` must return a `TrainMethod`.
 *
 *   { module: import.meta.resolve('@semix/mixup'), export: 'createMethod', args: ['mixup+sem', { alpha: 1 }] }
 *
 * `module` is a `file:` URL or an absolute path (resolve package names where they are installed, e.g. with
 * `import.meta.resolve`: a worker inside `@semix/core` cannot see the caller's dependencies). `args` must be
 * structured-cloneable (plain data).
 */
export interface MethodSpec {
  module: string;
  /** The factory's export name (default 'createMethod'). */
  export?: string;
  args?: unknown[];
}

export function isMethodSpec(value: unknown): value is MethodSpec {
  return typeof value === 'object' && value !== null && typeof (value as MethodSpec).module === 'string';
}

/** The spec's module as a URL; errors name the field and what is allowed. */
export function methodModuleUrl(spec: MethodSpec, field = 'method.module'): string {
  const { module } = spec;
  if (module.startsWith('file:')) return module;
  if (isAbsolute(module)) return pathToFileURL(module).href;
  throw new Error(
    `${field}: '${module}' is not valid; expected a file: URL or an absolute path (resolve a package name first, e.g. import.meta.resolve('${module}'))`,
  );
}

/** Imports the spec's module and calls its factory. */
export async function loadMethod(spec: MethodSpec, field = 'method'): Promise<TrainMethod> {
  const url = methodModuleUrl(spec, `${field}.module`);
  const name = spec.export ?? 'createMethod';
  const args = spec.args ?? [];
  if (!Array.isArray(args)) throw new Error(`${field}.args: expected an array, got ${typeof args}`);
  const mod = (await import(url)) as Record<string, unknown>;
  const factory = mod[name];
  if (typeof factory !== 'function') {
    throw new Error(`${field}.export: '${name}' is not a function exported by ${url}`);
  }
  const method = (factory as (...a: unknown[]) => unknown)(...args);
  if (typeof method !== 'function') {
    throw new Error(`${field}: ${name}(...args) from ${url} returned ${typeof method}, not a training method`);
  }
  return method as TrainMethod;
}
