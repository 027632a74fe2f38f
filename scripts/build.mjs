// Bundles the plugin into CommonJS files under dist/:
//   kubectl-mesh.cjs             what plugin/kubectl-mesh loads; @kubernetes/client-node (4.7 MB, only
//                                needed for exec/auth-provider credentials and proxies) is split out into
//   client-node.cjs              and loaded on demand, so ordinary commands don't parse it at startup;
//   kubectl-mesh.standalone.cjs  everything in one file: the input of single-executable builds.
// Files are replaced atomically (write, then rename): tests running dist/ meanwhile (the release tier
// rebuilds next to the e2e tier) see the old file or the new one, never half of one.
//   node scripts/build.mjs [--outdir DIR]   (default dist; the launcher unit test builds into a scratch dir)
import { build } from 'esbuild';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const outArg = process.argv.indexOf('--outdir');
const outdir = outArg === -1 ? 'dist' : process.argv[outArg + 1];
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
  write: false,
};

const splitClientNode = {
  name: 'split-client-node',
  setup(b) {
    b.onResolve({ filter: /^@kubernetes\/client-node$/ }, () => ({ path: './client-node.cjs', external: true }));
  },
};

const built = await Promise.all([
  // plugin/kubectl-mesh runs this file through vm.Script (for V8's code cache), where import() is not
  // available: lazy loads become require().
  build({ ...common, entryPoints: ['src/main.ts'], outfile: path.join(outdir, 'kubectl-mesh.cjs'), plugins: [splitClientNode], supported: { 'dynamic-import': false } }),
  build({ ...common, stdin: { contents: "export { KubeConfig } from '@kubernetes/client-node';", resolveDir: '.', loader: 'js' }, outfile: path.join(outdir, 'client-node.cjs') }),
  build({ ...common, entryPoints: ['src/main.ts'], outfile: path.join(outdir, 'kubectl-mesh.standalone.cjs') }),
]);
mkdirSync(outdir, { recursive: true });
for (const file of built.flatMap((b) => b.outputFiles)) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}
console.error(`built ${built.flatMap((b) => b.outputFiles).map((f) => path.relative(process.cwd(), f.path)).join(', ')} in ${Date.now() - started} ms`);
