// npm run release [-- --force] [--only linux-amd64,...] [--no-darwin]
// Bundle → single-executable builds for each platform → release/<version>/ with
// kubectl-mesh_<os>_<arch>.tar.gz (kubectl-mesh + LICENSE), sha256sums.txt and krew.yaml.
// Skips all work when release/<version>/ was built from the same inputs (content hash).
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tarGz } from './archive.mjs';
import { renderKrew } from './krew.mjs';
import { adhocSign, machoSigner } from './macho-sign.mjs';
import { buildSea } from './sea.mjs';
import { archiveName, TARGETS, targetName } from './targets.mjs';

const root = fileURLToPath(new URL('../..', import.meta.url));
process.chdir(root);
const argv = process.argv.slice(2);
const force = argv.includes('--force');
const onlyArg = argv.find((a, i) => argv[i - 1] === '--only' || a.startsWith('--only='));
const only = onlyArg ? onlyArg.replace(/^--only=/, '').split(',') : undefined;
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const version = (process.env.MESH_VERSION ?? pkg.version).replace(/^v/, '');
if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`release version must be MAJOR.MINOR.PATCH (krew needs vX.Y.Z), got "${version}"`);
// --no-darwin: publish no macOS builds (e.g. until they have been run on a Mac); the manifest says so.
const noDarwin = argv.includes('--no-darwin');
const targets = TARGETS.filter((t) => (!only || only.includes(targetName(t))) && !(noDarwin && t.os === 'darwin'));
if (!targets.length) throw new Error(`--only matches no target; targets: ${TARGETS.map(targetName).join(', ')}`);

const outDir = join('release', version);
const MACOS_NOTE =
  'macOS: no krew build is published for this release; install with "npm install -g kubectl-mesh" (Node.js 20.17+) instead.';
const stampFile = join(outDir, '.inputs');
const log = (line) => console.error(line);
const ms = (start) => `${((Date.now() - start) / 1000).toFixed(1)} s`;
const mib = (bytes) => `${(bytes / 1048576).toFixed(1)} MiB`;

// Test runs may start releases at the same time: one builds, the others wait and then reuse it.
await lock(join('release', '.lock'));
const inputs = inputsHash();
if (!force && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === inputs) {
  log(`release/${version} is up to date (inputs unchanged; --force rebuilds)`);
  process.exit(0);
}

const started = Date.now();
const work = join('release', '.work', version);
// Everything is written to a staging directory and moved into place at the end.
const stage = join(work, 'out');
rmSync(work, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });

let t0 = Date.now();
execFileSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit', env: { ...process.env, MESH_VERSION: version } });
const bundle = 'dist/kubectl-mesh.standalone.cjs'; // one file: SEA embeds a single script
log(`bundle  ${bundle} ${mib(statSync(bundle).size)} in ${ms(t0)}`);

const mtime = sourceDateEpoch();
const license = readFileSync('LICENSE');
const sums = new Map();
const notes = noDarwin ? [MACOS_NOTE] : [];
let signer;
const rows = [];
for (const t of targets) {
  t0 = Date.now();
  const exe = join(work, targetName(t), 'kubectl-mesh');
  const { codeCache, runner } = await buildSea(t, bundle, exe, work, log);
  let extra = codeCache
    ? `code cache${runner.length ? ` (made under ${runner[0]})` : ''}`
    : 'no code cache (cannot run this platform here)';
  if (t.os === 'darwin') {
    try {
      signer ??= machoSigner(log);
      extra += `; ${adhocSign(signer, exe)}`;
    } catch (err) {
      log(`  ${targetName(t)}: left out: ${err.message}`);
      notes.push(MACOS_NOTE);
      continue;
    }
  }
  if (runner) {
    const out = execFileSync(runner[0] ?? exe, [...runner.slice(1), ...(runner.length ? [exe] : []), 'version', '--client', '-o', 'json'], {
      encoding: 'utf8',
    });
    if (JSON.parse(out).clientVersion !== version) throw new Error(`smoke test: ${exe} reports ${out}`);
    extra += '; ran it';
  }
  const archive = tarGz(
    [
      { name: 'kubectl-mesh', data: readFileSync(exe), mode: 0o755 },
      { name: 'LICENSE', data: license, mode: 0o644 },
    ],
    mtime,
  );
  writeFileSync(join(stage, archiveName(t)), archive);
  sums.set(`${t.os}/${t.arch}`, sha256(archive));
  rows.push([targetName(t), `node ${t.nodeVersion}`, mib(statSync(exe).size), mib(archive.length), ms(t0), extra]);
  log(`${targetName(t).padEnd(13)} ${rows.at(-1).slice(1).join('  ')}`);
}

writeFileSync(
  join(stage, 'sha256sums.txt'),
  targets
    .filter((t) => sums.has(`${t.os}/${t.arch}`))
    .map((t) => `${sums.get(`${t.os}/${t.arch}`)}  ${archiveName(t)}\n`)
    .join(''),
);
writeFileSync(join(stage, 'krew.yaml'), renderKrew(readFileSync('krew.yaml', 'utf8'), version, sums, [...new Set(notes)]));
writeFileSync(join(stage, '.inputs'), inputs);
rmSync(outDir, { recursive: true, force: true });
renameSync(stage, outDir);
rmSync(work, { recursive: true, force: true });

console.log(`\nrelease/${version}/ in ${ms(started)}`);
console.log(formatTable([['platform', 'base', 'binary', 'archive', 'time', 'notes'], ...rows]));
console.log(
  `files: ${readdirSync(outDir)
    .filter((f) => !f.startsWith('.'))
    .join(', ')}`,
);

/** A lock file holding our pid; waits for a live holder, takes over from a dead one. Released at exit. */
async function lock(file) {
  mkdirSync('release', { recursive: true });
  const deadline = Date.now() + 15 * 60_000;
  let said = false;
  for (;;) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      process.on('exit', () => {
        try {
          if (readFileSync(file, 'utf8') === String(process.pid)) rmSync(file);
        } catch {
          /* gone */
        }
      });
      return;
    } catch (err) {
      if (err.code !== 'EEXIST') throw err;
    }
    const holder = Number(readFileSync(file, 'utf8')) || 0;
    let alive = false;
    try {
      process.kill(holder, 0);
      alive = holder > 0;
    } catch {
      alive = false;
    }
    if (!alive) {
      rmSync(file, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`release: ${file} still held by pid ${holder}`);
    if (!said) {
      log(`waiting for the release build of pid ${holder}…`);
      said = true;
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

function sha256(data) {
  return createHash('sha256').update(data).digest('hex');
}

function formatTable(table) {
  const widths = table[0].map((_, i) => Math.max(...table.map((r) => r[i].length)));
  return table.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ')).join('\n');
}

/** Archive timestamps: SOURCE_DATE_EPOCH, else the last commit's time, so archives are reproducible. */
function sourceDateEpoch() {
  if (process.env.SOURCE_DATE_EPOCH) return Number(process.env.SOURCE_DATE_EPOCH);
  try {
    return Number(execFileSync('git', ['log', '-1', '--format=%ct'], { encoding: 'utf8' }).trim());
  } catch {
    return 0;
  }
}

/** Everything the release is made from; equal hashes mean the outputs would be the same. */
function inputsHash() {
  const h = createHash('sha256');
  h.update(JSON.stringify({ version, targets: targets.map(targetName), noDarwin, node: process.version }));
  const files = [
    'package.json',
    'package-lock.json',
    'LICENSE',
    'krew.yaml',
    'scripts/build.mjs',
    ...walk('src'),
    ...walk('scripts/release'),
  ];
  for (const f of files.sort()) if (existsSync(f)) h.update(`${f}\0`).update(readFileSync(f));
  return h.digest('hex');
}

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [relative(root, join(dir, e.name))],
  );
}
