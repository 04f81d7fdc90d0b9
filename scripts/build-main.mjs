// Bundles the Electron main process (ESM) and the sandboxed preload (CommonJS) into dist/main.
import { build } from 'esbuild';

const external = ['electron', 'better-sqlite3', 'onnxruntime-node', 'sharp', 'pino', 'ws'];
const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: true, external };

await build({
  ...common,
  entryPoints: { main: 'src-main/electron/main.ts' },
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  outdir: 'dist/main',
});
await build({
  ...common,
  entryPoints: { preload: 'src-main/electron/preload.ts' },
  format: 'cjs',
  outExtension: { '.js': '.cjs' },
  outdir: 'dist/main',
  external: ['electron'],
});
console.log('built dist/main/main.mjs and dist/main/preload.cjs');
