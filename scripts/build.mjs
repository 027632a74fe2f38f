// Bundles the plugin into CommonJS files under dist/:
//   kubectl-mesh.cjs             what plugin/kubectl-mesh loads; @kubernetes/client-node (4.7 MB, only
//                                needed for exec/auth-provider credentials and proxies) is split out into
//   client-node.cjs              and loaded on demand, so ordinary commands don't parse it at startup;
//   kubectl-mesh.standalone.cjs  everything in one file: the input of single-executable builds.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const started = Date.now();
const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  define: { __MESH_VERSION__: JSON.stringify(process.env.MESH_VERSION ?? pkg.version) },
  logLevel: 'warning',
};

const splitClientNode = {
  name: 'split-client-node',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: './client-node.cjs', external: true }));
  },
};

await Promise.all([
  // plugin/kubectl-mesh runs this file through vm.Script (for V8's code cache), where import() is not
  // available: lazy loads become require().
  build({ ...common, entryPoints: ['src/main.ts'], outfile: 'dist/kubectl-mesh.cjs', plugins: [splitClientNode], supported: { 'dynamic-import': false } }),
  build({ ...common, stdin: { contents: "export { KubeConfig } from '@kubernetes/client-node';", resolveDir: '.', loader: 'js' }, outfile: 'dist/client-node.cjs' }),
  build({ ...common, entryPoints: ['src/main.ts'], outfile: 'dist/kubectl-mesh.standalone.cjs' }),
]);
console.error(`built dist/kubectl-mesh.cjs, dist/client-node.cjs, dist/kubectl-mesh.standalone.cjs in ${Date.now() - started} ms`);
