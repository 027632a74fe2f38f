// npm test: runs every test tier and ends with ONE plain line `N passed, N failed` summing all tiers
// (CI recognises that line; tap's own summary it does not).
//
//   npm test                          everything (what CI runs)
//   npm test -- --skip release        leave tiers out (comma-separated; or MESH_TEST_SKIP=release)
//   npm test -- --only unit,e2e       run just these (plus the setup they need)
//
// The tiers are the table below. A tier starts as soon as the tiers in its `after` have finished, so
// tiers that share no state run side by side: unit while the cluster starts, release next to e2e.
// Their output is streamed line by line with a `[tier]` prefix. Adding a tier is one entry.
//
// Tiers that need the test cluster (`cluster: true`) need Go to build it: without Go they are skipped
// with a loud notice, except under CI=true, where they count as failed. Counting: every test (t.test)
// or top-level assertion inside a test file is one; a test file that fails without a failing test
// inside (a crash, a timeout) counts as one failure; a failed setup step (build, cluster) counts as one.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { summaryTable } from './reliability-summary.mjs';

const repo = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const CI = process.env.CI === 'true';
const tapBin = path.join(repo, 'node_modules', '.bin', 'tap');
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kubectl-mesh-test-'));
const stateDir = path.join(tmp, 'cluster');
const clusterEnv = { ...process.env, MESH_CLUSTER_STATE_DIR: stateDir };
/** What the cluster tiers get (see test/cluster/README.md); set by the `cluster` step. */
let env = clusterEnv;

// ---- the tiers ----
// name      what it is called in the output and in --skip/--only
// after     tiers that must have finished first (a failed setup step skips the tiers after it)
// cluster   needs the test cluster (and so Go)
// run       () => counts, for steps that are not a tap directory
// tap       test directory run by tap, with tapArgs
// oneProcess  a file that imports every test of the directory: tap runs it instead, in one process
const TIERS = [
  // Types, lint rules, formatting (scripts/lint.mjs): one test point.
  { name: 'lint', run: async () => ((await step('lint', 'lint')).failed ? { ...none(), failed: 1 } : { ...none(), passed: 1 }) },
  { name: 'build', setup: true, run: () => step('build', 'build') },
  // All unit files in one process (test/unit/one-process.ts): tap's per-file start-up was most of the tier.
  // No coverage here: it is a report, not a gate (allow-incomplete-coverage), and tap fails a run whose one
  // process left none (seen once in CI with every test passed). `npx tap test/unit` reports it.
  { name: 'unit', tap: 'test/unit', oneProcess: 'test/unit/one-process.ts', tapArgs: ['--timeout=600', '--disable-coverage'] },
  { name: 'cluster', setup: true, cluster: true, run: clusterUp },
  {
    name: 'e2e',
    after: ['build', 'cluster'],
    cluster: true,
    tap: 'test/e2e',
    tapArgs: ['--jobs=2', '--disable-coverage', '--timeout=300'],
  },
  // Interactive tests wait for what a person would see: they run alone, after the busy e2e tier.
  {
    name: 'pty',
    after: ['build', 'cluster', 'e2e'],
    cluster: true,
    tap: 'test/pty',
    tapArgs: ['--jobs=1', '--disable-coverage', '--timeout=300'],
  },
  // The release as users install it (krew archives, npm pack): slow on a new machine, skippable locally.
  // Faults and bad input (test/reliability/, own namespaces); ends with its table of cases (report, after tap).
  {
    name: 'reliability',
    after: ['build', 'cluster'],
    cluster: true,
    tap: 'test/reliability',
    tapArgs: ['--jobs=1', '--disable-coverage', '--timeout=600'],
    report: reliabilityTable,
  },
  {
    name: 'release',
    after: ['build', 'cluster'],
    cluster: true,
    tap: 'test/release',
    tapArgs: ['--jobs=1', '--disable-coverage', '--timeout=900'],
  },
];

const argv = process.argv.slice(2);
const listArg = (name) => {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i === -1) return undefined;
  return (argv[i].includes('=') ? argv[i].split('=')[1] : (argv[i + 1] ?? '')).split(',').filter(Boolean);
};
const skip = new Set([...(listArg('skip') ?? []), ...(process.env.MESH_TEST_SKIP ?? '').split(',').filter(Boolean)]);
const only = listArg('only');
for (const name of [...skip, ...(only ?? [])]) {
  if (!TIERS.some((t) => t.name === name)) {
    console.error(`[test] unknown tier "${name}"; tiers: ${TIERS.map((t) => t.name).join(', ')}`);
    process.exit(2);
  }
}
// Setup steps (build, cluster) run when a tier that runs needs them.
const wanted = new Set(TIERS.filter((t) => !t.setup && !skip.has(t.name) && (!only || only.includes(t.name))).map((t) => t.name));
for (const t of TIERS.filter((x) => wanted.has(x.name))) {
  for (const a of [...(t.after ?? []), ...(t.cluster ? ['cluster'] : [])]) if (!skip.has(a)) wanted.add(a);
}

// ---- running ----
const results = new Map(); // name → { passed, failed, skipped, seconds, note }
const running = new Set(); // child processes, stopped on Ctrl-C
const started = Date.now();

function log(msg) {
  console.log(`[test] ${msg}`);
}

function banner(lines) {
  const bar = '!'.repeat(78);
  console.log(`\n${bar}\n${lines.map((l) => `!!! ${l}`).join('\n')}\n${bar}\n`);
}

const none = () => ({ passed: 0, failed: 0, skipped: 0 });

/** Counts results in raw TAP from a tap run: depth-1 test points, plus files that failed with none. */
function countTap(text) {
  const counts = none();
  let fileFailures = 0;
  for (const line of text.split('\n')) {
    let m = line.match(/^ {4}(not )?ok \d+\b(.*)$/);
    if (m) {
      if (/#\s*(SKIP|TODO)\b/i.test(m[2])) counts.skipped++;
      else if (m[1]) {
        counts.failed++;
        fileFailures++;
      } else counts.passed++;
      continue;
    }
    m = line.match(/^(not )?ok \d+\b/);
    if (m) {
      // end of one test file
      if (m[1] && fileFailures === 0) counts.failed++;
      fileFailures = 0;
    }
  }
  return counts;
}

/** Test files under dir (relative to the repo), sorted: *.test.ts and friends, not helpers like harness.ts. */
function testFiles(dir) {
  const abs = path.join(repo, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true })
    .map(String)
    .filter(
      (f) =>
        /\.(test|spec)\.(ts|mts|cts|js|mjs|cjs)$/.test(f) &&
        !f.split(path.sep).includes('node_modules') &&
        statSync(path.join(abs, f)).isFile(),
    )
    .map((f) => path.join(dir, f))
    .sort();
}

/** Runs cmd, printing its output line by line as `[name] line`; resolves { code, stdout }. */
function exec(name, cmd, args, childEnv) {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: repo, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    let stdout = '';
    const prefix = (stream, keep) => {
      let rest = '';
      stream.on('data', (d) => {
        if (keep) stdout += d;
        const lines = (rest + d).split('\n');
        rest = lines.pop();
        for (const l of lines) process.stdout.write(`[${name}] ${l}\n`);
      });
      stream.on('end', () => {
        if (rest) process.stdout.write(`[${name}] ${rest}\n`);
      });
    };
    prefix(child.stdout, true);
    prefix(child.stderr, false);
    child.on('close', (code) => {
      running.delete(child);
      resolve({ code, stdout });
    });
  });
}

async function runTap(t) {
  const files = t.oneProcess ? [t.oneProcess] : testFiles(t.tap);
  log(
    `tap ${t.tap} (${t.oneProcess ? `${testFiles(t.tap).length} files in one process` : `${files.length} files`}) ${(t.tapArgs ?? []).join(' ')}`,
  );
  const { code, stdout } = await exec(
    t.name,
    tapBin,
    [...files, '--reporter=tap', '--no-color', ...(t.tapArgs ?? [])],
    t.cluster ? env : process.env,
  );
  const counts = countTap(stdout);
  if (code !== 0 && counts.failed === 0) counts.failed = 1; // tap failed without a failing test: count it
  t.report?.(stdout);
  return counts;
}

function reliabilityTable(tap) {
  for (const line of summaryTable(tap).trimEnd().split('\n')) process.stdout.write(`[reliability] ${line}\n`);
}

/** A setup step: an npm script that must succeed. */
async function step(name, script, childEnv = process.env) {
  const r = await exec(name, 'npm', ['run', '--silent', script], childEnv);
  if (r.code === 0) return { ...none(), stdout: r.stdout };
  log(`npm run ${script} FAILED (counted as one failure)`);
  return { passed: 0, failed: 1, skipped: 0, stdout: r.stdout };
}

async function clusterUp() {
  ensureDebianTools(['openssl', 'tmux']);
  const up = await step('cluster', 'cluster:up', clusterEnv);
  const kubeconfig = up.stdout
    .trim()
    .split('\n')
    .pop()
    ?.match(/^KUBECONFIG=(.+)$/)?.[1];
  if (up.failed || !kubeconfig) return { ...none(), failed: 1 };
  const state = JSON.parse(readFileSync(path.join(stateDir, 'state.json'), 'utf8'));
  const binDirs = [...new Set(Object.values(state.binaries).map((b) => path.dirname(b)))];
  env = {
    ...clusterEnv,
    KUBECONFIG: kubeconfig,
    MESH_TEST_STATE_DIR: stateDir,
    MESH_TEST_SERVER: state.server,
    MESH_TEST_NAMESPACE: 'shop',
    MESH_TEST_K8S_VERSION: state.versions.kubernetes,
    MESH_TEST_ISTIO_VERSION: state.versions.istio,
    ISTIOCTL: state.binaries.istioctl,
    PROMETHEUS_URL: state.prometheusUrl,
    ISTIOD_ADDRESS: up.stdout.match(/^ISTIOD_ADDRESS=(.+)$/m)?.[1] ?? '',
    XDS_PROBE: state.binaries['xds-probe'] ?? '',
    PATH: [path.join(repo, 'plugin'), ...binDirs, process.env.PATH].join(path.delimiter),
  };
  for (const k of [
    'KUBECONFIG',
    'MESH_TEST_STATE_DIR',
    'MESH_TEST_SERVER',
    'MESH_TEST_NAMESPACE',
    'MESH_TEST_K8S_VERSION',
    'MESH_TEST_ISTIO_VERSION',
    'ISTIOCTL',
    'PROMETHEUS_URL',
    'ISTIOD_ADDRESS',
    'XDS_PROBE',
  ])
    log(`  ${k}=${env[k]}`);
  log(`  PATH=<repo>/plugin:${binDirs.join(':')}:$PATH`);
  return none();
}

function goAvailable() {
  return spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;
}

/** Debian packages the cluster tiers use (certificates, the pty terminal): installed when missing and we may. */
function ensureDebianTools(tools) {
  const missing = tools.filter((t) => spawnSync('sh', ['-c', `command -v ${t}`], { stdio: 'ignore' }).status !== 0);
  if (!missing.length) return;
  if (process.getuid?.() !== 0 || spawnSync('sh', ['-c', 'command -v apt-get'], { stdio: 'ignore' }).status !== 0) {
    log(`missing ${missing.join(', ')}: install ${missing.length > 1 ? 'them' : 'it'} (e.g. apt-get install ${missing.join(' ')})`);
    return;
  }
  log(`installing ${missing.join(', ')} (apt-get)`);
  spawnSync('apt-get', ['update', '-qq'], { stdio: 'inherit' });
  spawnSync('apt-get', ['install', '-y', '-qq', ...missing], { stdio: 'inherit' });
}

/** Why tier t does not run (a result to record), or undefined when it runs. */
function reasonNotToRun(t) {
  if (!wanted.has(t.name))
    return { ...none(), skipped: t.setup ? 0 : 1, note: t.setup ? 'not needed' : 'skipped (--skip/--only/MESH_TEST_SKIP)' };
  if (t.tap && testFiles(t.tap).length === 0) return { ...none(), note: 'no test files' };
  if (t.cluster && !goAvailable()) return { ...none(), ...(t.setup ? {} : CI ? { failed: 1 } : { skipped: 1 }), note: 'no Go' };
  const failedBefore = (t.after ?? []).filter((a) => TIERS.find((x) => x.name === a).setup && results.get(a)?.failed);
  if (failedBefore.length) return { ...none(), skipped: 1, note: `not run: ${failedBefore.join(', ')} failed (counted there)` };
  return undefined;
}

async function runTier(t) {
  const t0 = Date.now();
  let counts = reasonNotToRun(t);
  if (!counts) {
    log(`=== ${t.name} started ===`);
    counts = await (t.run ? t.run() : runTap(t));
  }
  const r = { passed: counts.passed, failed: counts.failed, skipped: counts.skipped, seconds: (Date.now() - t0) / 1000, note: counts.note };
  results.set(t.name, r);
  if (!counts.note) log(`=== ${t.name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped in ${r.seconds.toFixed(1)}s ===`);
}

// Interrupted (Ctrl-C, CI timeout): stop what runs, and the cluster.
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    for (const child of running) child.kill('SIGTERM');
    spawnSync(process.execPath, [path.join(repo, 'test/cluster/down.mjs')], { env: clusterEnv, stdio: 'inherit' });
    rmSync(tmp, { recursive: true, force: true });
    process.exit(130);
  });
}

if (TIERS.some((t) => t.cluster && wanted.has(t.name)) && !goAvailable()) {
  banner([
    'Go is not installed: the cluster tiers need a real test cluster, built from Go modules',
    '(etcd, kube-apiserver, istioctl). Install Go >= 1.26 to run them.',
    CI
      ? 'CI=true: these tiers count as FAILED.'
      : `Skipping tiers: ${TIERS.filter((t) => t.cluster && !t.setup && wanted.has(t.name))
          .map((t) => t.name)
          .join(', ')}.`,
  ]);
}

// Each tier waits for the tiers in its `after`, then runs; all start at once.
const done = new Map();
for (const t of TIERS)
  done.set(
    t.name,
    Promise.all((t.after ?? []).map((a) => done.get(a))).then(() => runTier(t)),
  );
try {
  await Promise.all(done.values());
} finally {
  if (results.has('cluster') && wanted.has('cluster') && existsSync(stateDir)) {
    const t0 = Date.now();
    const down = await exec('cluster', 'npm', ['run', '--silent', 'cluster:down'], clusterEnv);
    results.set('cluster:down', { ...none(), failed: down.code === 0 ? 0 : 1, seconds: (Date.now() - t0) / 1000 });
    if (down.code !== 0) log('cluster:down FAILED');
  }
}

rmSync(tmp, { recursive: true, force: true });
const totals = none();
console.log(`\n[test] timings (tiers ran side by side where they could; ${((Date.now() - started) / 1000).toFixed(1)}s in all):`);
const order = (name) => (name === 'cluster:down' ? TIERS.length : TIERS.findIndex((t) => t.name === name));
for (const [name, r] of [...results].sort(([a], [b]) => order(a) - order(b))) {
  totals.passed += r.passed;
  totals.failed += r.failed;
  totals.skipped += r.skipped;
  console.log(
    `[test]   ${name.padEnd(14)} ${r.seconds.toFixed(1).padStart(7)}s  ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped${r.note ? `  (${r.note})` : ''}`,
  );
}
console.log(`${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
process.exit(totals.failed > 0 ? 1 : 0);
