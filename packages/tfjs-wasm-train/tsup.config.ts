import { defineConfig } from 'tsup';

export default defineConfig({
  // `register` is the one-import entry: it loads tfjs-backend-wasm and registers the pack over its kernels.
  entry: ['src/index.ts', 'src/register.ts'],
  format: ['esm'],
  target: 'es2022',
  dts: true,
  sourcemap: true,
  clean: true,
  tsconfig: 'tsconfig.build.json',
});
