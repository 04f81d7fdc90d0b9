import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The renderer bundle: built into dist/renderer, loaded by Electron (app://) and served by
// `hsi serve` at `/`. Relative asset URLs so both work.
export default defineConfig({
  root: 'src-renderer',
  base: './',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    // One bundle read from the local disk (or loopback), never over a network: splitting it
    // would only add requests. The default 500 kB warning is meant for websites.
    chunkSizeWarningLimit: 1000,
  },
});
