import { isAbsolute } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MethodSpec, TrainMethod } from '../step';

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
