// Bundles the plugin into CommonJS files under dist/:
//   kubectl-mesh.cjs             what plugin/kubectl-mesh loads: our code and yaml (every kubeconfig is
//                                YAML), with a V8 code cache (see the launcher). The packages below are
//                                loaded on demand from files of their own, so a command parses only
//                                what it uses (start-up time is a feature):
//   client-node.cjs              @kubernetes/client-node (exec/auth-provider credentials, proxies)
//   vendor-inquirer.cjs          prompts (with iconv-lite, half a megabyte: only at a terminal)
//   vendor-execa.cjs             running istioctl
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

// package → the file it is split into, and what that file exports.
const VENDORS = {
  '@kubernetes/client-node': { file: 'client-node.cjs', contents: "export { KubeConfig } from '@kubernetes/client-node';" },
  // `import('inquirer')` from our ESM sources takes module.exports as the default export (Node's rule,
  // which esbuild follows): so module.exports is inquirer's default export itself.
  inquirer: { file: 'vendor-inquirer.cjs', contents: "module.exports = require('inquirer').default;" },
  execa: { file: 'vendor-execa.cjs', contents: "export * from 'execa';" },
};

const splitVendors = {
  name: 'split-vendors',
  setup(b) {
    for (const [name, v] of Object.entries(VENDORS)) {
      b.onResolve({ filter: new RegExp(`^${name.replace(/[/.]/g, '\\$&')}$`) }, () => ({ path: `./${v.file}`, external: true }));
    }
  },
};

const built = await Promise.all([
  // plugin/kubectl-mesh runs this file through vm.Script (for V8's code cache), where import() is not
  // available: lazy loads become require().
  build({ ...common, entryPoints: ['src/main.ts'], outfile: path.join(outdir, 'kubectl-mesh.cjs'), plugins: [splitVendors], supported: { 'dynamic-import': false } }),
  ...Object.values(VENDORS).map((v) => build({ ...common, stdin: { contents: v.contents, resolveDir: '.', loader: 'js' }, outfile: path.join(outdir, v.file) })),
  build({ ...common, entryPoints: ['src/main.ts'], outfile: path.join(outdir, 'kubectl-mesh.standalone.cjs') }),
]);
mkdirSync(outdir, { recursive: true });
for (const file of built.flatMap((b) => b.outputFiles)) {
  const tmp = `${file.path}.${process.pid}.tmp`;
  writeFileSync(tmp, file.contents);
  renameSync(tmp, file.path);
}
console.error(`built ${built.flatMap((b) => b.outputFiles).map((f) => path.relative(process.cwd(), f.path)).join(', ')} in ${Date.now() - started} ms`);
