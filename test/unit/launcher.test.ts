// plugin/kubectl-mesh under real Node binaries from the npm registry (cached in
// ~/.cache/kubectl-mesh/node/): too old → one clear line and exit 2, at the 20.17 boundary it runs;
// and it works from a checkout and through an `npm i -g`-style bin symlink.
// The launcher runs next to a bundle built from the current sources into a scratch checkout, so the
// test needs no `npm run build` first (a fresh clone has no dist/) and never runs a stale dist/.
import { execFile, execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
// @ts-expect-error: a plain .mjs build script without type declarations
import { baseNode } from '../../scripts/release/base-node.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mesh-launcher-'));
t.teardown(() => {
  rmSync(scratch, { recursive: true, force: true });
});
const checkout = path.join(scratch, 'checkout');
cpSync(path.join(repo, 'plugin'), path.join(checkout, 'plugin'), { recursive: true });
execFileSync(process.execPath, [path.join(repo, 'scripts', 'build.mjs'), '--outdir', path.join(checkout, 'dist')], {
  cwd: repo,
  stdio: 'ignore',
});
const launcher = path.join(checkout, 'plugin', 'kubectl-mesh');

/** Runs without tap's NODE_OPTIONS (its process-info hook, injected into children, needs a newer Node). */
function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      'env',
      ['-u', 'NODE_OPTIONS', cmd, ...args],
      { env: { PATH: process.env.PATH, HOME: scratch }, timeout: 30_000 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 127) : 0, stdout, stderr });
      },
    );
  });
}

const nodeOf = (version: string): string => baseNode({ os: 'linux', nodeArch: 'x64', nodeVersion: version }, () => {}, { seaFuse: false });
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';

t.test(
  'a Node older than 20.17 gets one line saying what is needed, and exit 2',
  { skip: !linuxX64 && 'Node binaries for linux-x64 only' },
  async (t) => {
    t.setTimeout(120_000);
    for (const version of ['18.20.8', '20.16.0']) {
      const r = await run(nodeOf(version), [launcher, 'version', '--client']);
      t.equal(r.code, 2, `node ${version}`);
      t.equal(r.stdout, '');
      t.match(
        r.stderr,
        new RegExp(
          `^error: kubectl-mesh needs Node\\.js 20\\.17 or newer, found v${version.replace(/\./g, '\\.')} \\(.*krew install mesh.*\\)\\n$`,
        ),
      );
    }
  },
);

t.test('Node 20.17.0, the oldest supported, runs the bundle', { skip: !linuxX64 && 'Node binaries for linux-x64 only' }, async (t) => {
  t.setTimeout(120_000);
  const r = await run(nodeOf('20.17.0'), [launcher, 'version', '--client', '-o', 'json']);
  t.equal(r.code, 0, r.stderr);
  t.match(JSON.parse(r.stdout), { clientVersion: String });
});

t.test('from the checkout, and through a bin symlink as npm i -g makes it', async (t) => {
  const direct = await run(launcher, ['version', '--client']);
  t.equal(direct.code, 0, direct.stderr);
  t.match(direct.stdout, /^Client Version: v\d+\.\d+\.\d+/);

  const bin = path.join(scratch, 'prefix', 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(launcher, path.join(bin, 'kubectl-mesh'));
  const linked = await run(path.join(bin, 'kubectl-mesh'), ['version', '--client']);
  t.equal(linked.code, 0, linked.stderr);
  t.equal(linked.stdout, direct.stdout);
});

t.test('--help and version --client print what the bundle prints, without loading it', async (t) => {
  const bundle = path.join(checkout, 'dist', 'kubectl-mesh.cjs');
  for (const argv of [['--help'], ['-h'], ['help'], ['version', '--client'], []]) {
    const fast = await run(launcher, argv);
    const full = await run(process.execPath, [bundle, ...argv]);
    t.equal(fast.code, 0, fast.stderr);
    t.equal(fast.stdout, full.stdout, `kubectl-mesh ${argv.join(' ')}`);
    t.equal(fast.stderr, full.stderr);
  }
  t.match((await run(launcher, ['--help'])).stdout, /^kubectl mesh: /);
  // Not in static-output.json: the bundle answers.
  const json = await run(launcher, ['version', '--client', '-o', 'json']);
  t.match(JSON.parse(json.stdout), { clientVersion: String });
});

t.test('a checkout that was not built says how to build it', async (t) => {
  const copy = path.join(scratch, 'unbuilt');
  cpSync(path.join(repo, 'plugin'), path.join(copy, 'plugin'), { recursive: true });
  const r = await run(path.join(copy, 'plugin', 'kubectl-mesh'), ['version']);
  t.equal(r.code, 2);
  t.match(r.stderr, /dist\/kubectl-mesh\.cjs is missing \(run "npm run build"/);
});

t.test("V8's code cache: one file per build, and old builds' files do not pile up", async (t) => {
  const cacheDir = path.join(scratch, '.cache', 'kubectl-mesh');
  rmSync(cacheDir, { recursive: true, force: true }); // earlier tests cached this build already: start empty
  mkdirSync(cacheDir, { recursive: true });
  const stale = [1, 2, 3, 4, 5].map((i) => path.join(cacheDir, `code-v20.0.0-${i}-${i}.bin`));
  stale.forEach((f, i) => {
    writeFileSync(f, 'old');
    utimesSync(f, new Date(2020, 0, 1 + i), new Date(2020, 0, 1 + i));
  });
  writeFileSync(path.join(cacheDir, 'unrelated.txt'), 'not ours');
  const r = await run(launcher, ['version', '--client', '-o', 'json']); // loads the bundle: writes its cache on exit
  t.equal(r.code, 0, r.stderr);
  const left = readdirSync(cacheDir)
    .filter((f) => f.startsWith('code-') && f.endsWith('.bin'))
    .sort();
  t.equal(left.length, 3, `the newest three are kept: ${left.join(', ')}`);
  t.notOk(
    left.some((f) => stale.slice(0, 3).includes(path.join(cacheDir, f))),
    'the oldest are gone',
  );
  t.ok(
    left.some((f) => !stale.includes(path.join(cacheDir, f))),
    "this build's cache was written",
  );
  t.ok(existsSync(path.join(cacheDir, 'unrelated.txt')), 'other files are left alone');
});

t.test("V8's code cache is written again the first time each verb runs, and then left alone", async (t) => {
  const cacheDir = path.join(scratch, '.cache', 'kubectl-mesh');
  rmSync(cacheDir, { recursive: true, force: true });
  const files = () => readdirSync(cacheDir).filter((f) => f.startsWith('code-'));
  const cache = () =>
    path.join(
      cacheDir,
      files().find((f) => f.endsWith('.bin'))!,
    );
  const verbs = () => readFileSync(`${cache()}.verbs`, 'utf8').split('\n');
  const run1 = await run(launcher, ['version', '--client', '-o', 'json']);
  t.equal(run1.code, 0, run1.stderr);
  t.same(verbs(), ['version'], 'the first run writes the cache, and which verb it holds');
  const first = statSync(cache());
  t.equal((await run(launcher, ['version', '--client', '-o', 'json'])).code, 0);
  t.equal(statSync(cache()).mtimeMs, first.mtimeMs, 'the same verb again: the cache is not rewritten');
  const offline = await run(launcher, ['canary', '20', 'reviews', '-f', path.join(repo, 'manifests', 'demo')]);
  t.equal(offline.code, 0, offline.stderr);
  t.same(verbs(), ['version', 'canary'], 'a new verb is added');
  t.ok(statSync(cache()).size > first.size, "the cache grew: it holds the new verb's functions as well as the old ones");
  t.equal((await run(launcher, ['canary', '--help'])).code, 0);
  t.same(verbs(), ['version', 'canary', ''], '--help counts as no verb');
});
