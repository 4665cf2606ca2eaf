import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The screens, built to dist/renderer and served by the headless face or loaded
// through the desktop window's app:// scheme; both serve it at the root.
export default defineConfig({
  root: 'renderer',
  base: '/',
  plugins: [react()],
  build: {
    outDir: '../dist/renderer',
    emptyOutDir: true,
    sourcemap: true,
    target: 'es2022',
  },
});
