// Bundles the plugin into CommonJS files under dist/:
//   kubectl-mesh.cjs             what plugin/kubectl-mesh loads: our code and yaml (every kubeconfig is
//                                YAML), with a V8 code cache (see the launcher). The packages below are
//                                loaded on demand from files of their own, so a command parses only
//                                what it uses (start-up time is a feature):
//   client-node.cjs              @kubernetes/client-node (exec/auth-provider credentials, proxies)
//   vendor-inquirer.cjs          prompts (with iconv-lite, half a megabyte: only at a terminal)
//   vendor-execa.cjs             running istioctl
//   kubectl-mesh.standalone.cjs  everything in one file: the input of single-executable builds;
//   static-output.json           what `--help` and `version --client` print: it depends on nothing but
//                                the build, so it is captured here from the bundle itself and the
//                                launcher prints it without loading the bundle; and the verbs' names.
// Files are replaced atomically (write, then rename): tests running dist/ meanwhile (the release tier
// rebuilds next to the e2e tier) see the old file or the new one, never half of one.
//   node scripts/build.mjs [--outdir DIR]   (default dist; the launcher unit test builds into a scratch dir)
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
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
  build({
    ...common,
    entryPoints: ['src/main.ts'],
    outfile: path.join(outdir, 'kubectl-mesh.cjs'),
    plugins: [splitVendors],
    supported: { 'dynamic-import': false },
  }),
  ...Object.values(VENDORS).map((v) =>
    build({ ...common, stdin: { contents: v.contents, resolveDir: '.', loader: 'js' }, outfile: path.join(outdir, v.file) }),
  ),
  build({ ...common, entryPoints: ['src/main.ts'], outfile: path.join(outdir, 'kubectl-mesh.standalone.cjs') }),
]);
mkdirSync(outdir, { recursive: true });
const written = built.flatMap((b) => b.outputFiles).map((f) => ({ path: f.path, contents: f.contents }));
const replace = (file, contents) => {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, contents);
  renameSync(tmp, file);
};
// The launcher reads the bundle as Latin-1, which is faster than UTF-8 and the same for ASCII: keep it ASCII
// (esbuild escapes strings, but not every regular expression literal).
const bundleFile = written.find((f) => f.path.endsWith(`${path.sep}kubectl-mesh.cjs`));
const nonAscii = bundleFile.contents.findIndex((b) => b > 0x7f);
if (nonAscii !== -1) {
  const at = Buffer.from(bundleFile.contents.subarray(Math.max(0, nonAscii - 40), nonAscii + 20)).toString('utf8');
  throw new Error(`${bundleFile.path} has a non-ASCII byte at ${nonAscii}, in: ${at} (write it as a \\u escape in the source)`);
}
// The bundle first: static-output.json is captured by running it.
for (const f of written) replace(f.path, f.contents);
replace(path.join(outdir, 'static-output.json'), JSON.stringify(captureStaticOutput(path.join(outdir, 'kubectl-mesh.cjs'))));
console.error(
  `built ${[...written.map((f) => f.path), 'static-output.json'].map((f) => path.relative(process.cwd(), path.resolve(outdir, f))).join(', ')} in ${Date.now() - started} ms`,
);

/**
 * argv (joined with NUL) → stdout, for the commands whose output is fixed at build time: root help and
 * the client version. Run without a terminal and with an empty environment, as the launcher would be
 * for them; anything else (a stderr line, a non-zero exit) fails the build.
 */
function captureStaticOutput(bundle) {
  const run = (argv) => {
    const r = spawnSync(process.execPath, [bundle, ...argv], { env: {}, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    if (r.status !== 0 || r.stderr) throw new Error(`kubectl-mesh ${argv.join(' ')} exited ${r.status}: ${r.stderr}`);
    return r.stdout;
  };
  const output = {};
  for (const argv of [['--help'], ['-h'], ['help'], ['version', '--client'], []]) output[argv.join('\0')] = run(argv);
  // The verbs, as shell completion lists them (`name<TAB>summary` lines, then `:directive`): the launcher
  // keys its code cache's coverage by verb.
  const verbs = run(['__complete', ''])
    .split('\n')
    .filter((l) => l && !l.startsWith(':'))
    .map((l) => l.split('\t')[0]);
  if (!verbs.includes('status')) throw new Error(`kubectl-mesh __complete listed no verbs: ${verbs.join(' ')}`);
  return { output, verbs };
}
