// Bundles the Electron main process (ESM) and the sandboxed preload (CommonJS) into dist/main.
import { build } from 'esbuild';

import fs from 'node:fs';

// Dependencies stay in node_modules (electron-builder ships them): native addons and
// packages with optional requires must not be bundled.
const pkg = JSON.parse(fs.readFileSync('package.json', 'utf8'));
const external = ['electron', ...Object.keys(pkg.dependencies ?? {})];
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
// The inference thread and the frame workers are loaded by URL next to main.mjs (their image
// code bundled in).
await build({
  ...common,
  entryPoints: {
    'inference-worker': 'src-main/detect/inference-worker.mjs',
    'frame-worker': 'src-main/detect/frame-worker.mjs',
  },
  format: 'esm',
  outExtension: { '.js': '.mjs' },
  outdir: 'dist/main',
});
console.log('built dist/main/main.mjs, preload.cjs, inference-worker.mjs and frame-worker.mjs');
