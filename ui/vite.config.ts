// Vite serves the UI to Tauri (dev) and builds it into ui/dist (bundled into the app); Vitest shares this config.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  plugins: [react()],
  // Relative asset URLs: the app loads dist/ through Tauri's custom protocol, not from a web root.
  base: './',
  resolve: {
    // Radix dialogs and menus lock scrolling with a run-time <style> tag, which the CSP (style-src 'self')
    // refuses; this CSP-safe drop-in uses a constructed stylesheet instead.
    alias: [{ find: /^react-style-singleton$/, replacement: fileURLToPath(new URL('./src/lib/styleSingleton.ts', import.meta.url)) }],
  },
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    watch: { ignored: ['**/src-tauri/**'] },
  },
  build: {
    outDir: 'dist',
    target: 'safari15',
    // The strict CSP forbids inline scripts: never inline assets as data: scripts.
    assetsInlineLimit: 0,
    sourcemap: false,
    rolldownOptions: {
      output: {
        // Libraries in their own chunks (all loaded locally from the app bundle; splitting keeps each one readable).
        codeSplitting: {
          groups: [
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler)[\\/]/ },
            { name: 'radix', test: /node_modules[\\/]@radix-ui[\\/]/ },
            { name: 'tanstack', test: /node_modules[\\/]@tanstack[\\/]/ },
            { name: 'vendor', test: /node_modules/ },
          ],
        },
      },
    },
  },
  test: {
    environment: 'jsdom',
    setupFiles: ['./src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    restoreMocks: true,
    // Times in tests read the same on every machine.
    env: { TZ: 'UTC' },
  },
});
