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
  },
});
