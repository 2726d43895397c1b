// The web app (player, studio, console), built with Vite into dist/web and served by the API under /app/
// (plugins/web.ts). `npm run dev` runs Vite's dev server with hot reload in front of the API.
import { defineConfig } from 'vite'
import react from '@vitejs/plugin-react'
import { fileURLToPath } from 'node:url'

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/app/',
  plugins: [react()],
  build: {
    outDir: fileURLToPath(new URL('../dist/web', import.meta.url)),
    emptyOutDir: true,
    // No inline scripts or styles (the app's CSP allows 'self' only): every asset is a file with a content hash.
    assetsInlineLimit: 0,
    sourcemap: true,
    // hls.js (about 180 kB gzipped) is its own chunk, loaded when a video plays.
    chunkSizeWarningLimit: 600
  },
  server: {
    // The API, for the dev server: same-origin requests, as in production.
    proxy: Object.fromEntries(['/auth', '/billing', '/content', '/covers', '/creator', '/me', '/stream', '/uploads', '/video', '/admin', '/health']
      .map((path) => [path, process.env.API_URL ?? 'http://127.0.0.1:3000']))
  }
})
