// `@semix/core/names`: the names core accepts, declared once. This module imports nothing (not even TensorFlow.js),
// so a command line can list them in its `--help` without loading a backend; the main entry re-exports them.

/** Architectures `createModel` builds. */
export const ARCHITECTURES = ['mlp', 'cnn-small', 'preact-resnet18'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

/** The backends semix knows, fastest first. `tensorflow` is tfjs-node(-gpu), an optional peer dependency. */
export const BACKEND_NAMES = ['tensorflow', 'wasm', 'cpu'] as const;
export type BackendName = (typeof BACKEND_NAMES)[number];
