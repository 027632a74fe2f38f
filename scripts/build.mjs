// Bundles the plugin into one CommonJS file (dist/kubectl-mesh.cjs): fast startup, and the
// input for single-executable builds.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const started = Date.now();
await build({
  entryPoints: ['src/main.ts'],
  outfile: 'dist/kubectl-mesh.cjs',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  define: { __MESH_VERSION__: JSON.stringify(process.env.MESH_VERSION ?? pkg.version) },
  logLevel: 'warning',
});
console.error(`built dist/kubectl-mesh.cjs in ${Date.now() - started} ms`);
