// The console is built to dist/ and served by the gateway at /console/ (same origin as the
// API, so no CORS and no token in URLs). While developing, Vite's server proxies the API
// paths to the gateway, or to the services directly when CONSOLE_API=services.
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

const root = fileURLToPath(new URL('../..', import.meta.url));

function proxies(): Record<string, ProxyOptions> {
  if (process.env['CONSOLE_API'] !== 'services') {
    const gateway = process.env['GATEWAY_URL'] ?? 'http://127.0.0.1:8080';
    return { '/v1': { target: gateway } };
  }
  // Before the gateway routes exist: each admin path straight to its owning service.
  const to = (port: number): ProxyOptions => ({ target: `http://127.0.0.1:${port}` });
  return {
    '/v1/acl': to(3002),
    '/v1/keys': to(3001),
    '/v1/auth': to(3001),
    '/v1/service-accounts': to(3001),
    '/v1/audit': to(3004),
    '/v1/decisions': to(3003),
  };
}

export default defineConfig({
  base: '/console/',
  plugins: [react()],
  resolve: {
    alias: { '@modelgate/acl': `${root}libs/acl/src/index.ts` },
  },
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true, chunkSizeWarningLimit: 1500 },
  server: { host: '127.0.0.1', port: 5173, strictPort: true, proxy: proxies() },
  preview: { host: '127.0.0.1', port: 4173, strictPort: true, proxy: proxies() },
});
