// Startup time of kubectl-mesh in each way it is shipped, against `kubectl version --client`.
//   node scripts/bench-startup.mjs [--runs 15] [--warmup 3]
// Needs: dist/ (npm run build) and release/<version>/kubectl-mesh_<host>.tar.gz (npm run release).
// Uses hyperfine when it is installed (median, and mean user/system CPU), else a Node timing loop
// (median wall time only). Machines are shared and noisy: compare the rows of one run, as ratios.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const argv = process.argv.slice(2);
const opt = (name, def) => {
  const i = argv.indexOf(`--${name}`);
  return i === -1 ? def : Number(argv[i + 1]);
};
const runs = opt('runs', 15);
const warmup = opt('warmup', 3);
const version = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).version;
const host = `${process.platform}_${{ x64: 'amd64', arm64: 'arm64' }[process.arch]}`;
const archive = path.join(repo, 'release', version, `kubectl-mesh_${host}.tar.gz`);
for (const need of [path.join(repo, 'dist', 'kubectl-mesh.cjs'), archive]) {
  if (!existsSync(need)) {
    console.error(`missing ${path.relative(repo, need)}: run npm run build && npm run release`);
    process.exit(2);
  }
}

// The single executable, out of the archive krew installs from, in a directory of its own.
const tmp = mkdtempSync(path.join(os.tmpdir(), 'mesh-bench-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));
const seaDir = path.join(tmp, 'sea');
const launcherDir = path.join(tmp, 'launcher');
mkdirSync(seaDir);
mkdirSync(launcherDir);
const sea = path.join(seaDir, 'kubectl-mesh');
writeFileSync(sea, untar(gunzipSync(readFileSync(archive)), 'kubectl-mesh'), { mode: 0o755 });
symlinkSync(path.join(repo, 'plugin', 'kubectl-mesh'), path.join(launcherDir, 'kubectl-mesh'));
const kubectl = execFileSync('sh', ['-c', 'command -v kubectl'], { encoding: 'utf8' }).trim();
const pathWith = (dir) => [dir, ...(process.env.PATH ?? '').split(path.delimiter)].join(path.delimiter);

const cases = [
  ['kubectl version --client', kubectl, ['version', '--client'], {}],
  ['floor: node -e 0 (Node starting, nothing loaded)', process.execPath, ['-e', '0'], {}],
  ...[['--help'], ['version', '--client']].flatMap((args) => [
    [`SEA binary          kubectl-mesh ${args.join(' ')}`, sea, args, {}],
    [
      `bundle under node   node dist/kubectl-mesh.cjs ${args.join(' ')}`,
      process.execPath,
      [path.join(repo, 'dist', 'kubectl-mesh.cjs'), ...args],
      {},
    ],
    [`launcher            plugin/kubectl-mesh ${args.join(' ')}`, path.join(repo, 'plugin', 'kubectl-mesh'), args, {}],
    [`kubectl → SEA       kubectl mesh ${args.join(' ')}`, kubectl, ['mesh', ...args], { PATH: pathWith(seaDir) }],
    [`kubectl → launcher  kubectl mesh ${args.join(' ')}`, kubectl, ['mesh', ...args], { PATH: pathWith(launcherDir) }],
  ]),
];

const hyperfine = spawnSync('hyperfine', ['--version']).status === 0;
console.log(
  `startup, median of ${runs} runs after ${warmup} warm-up runs (${hyperfine ? 'hyperfine' : 'Node timing loop'}); node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(1)}`,
);
const results = [];
for (const [label, cmd, args, env] of cases) {
  const r = hyperfine ? viaHyperfine(cmd, args, env) : viaLoop(cmd, args, env);
  results.push({ label, ...r });
  const cpu = r.user === undefined ? '' : `   cpu ${(r.user + r.system).toFixed(0).padStart(4)} ms`;
  console.log(`${label.padEnd(62)} ${r.median.toFixed(0).padStart(5)} ms${cpu}`);
}
const base = results[0].median;
console.log(`\nrelative to kubectl version --client (${base.toFixed(0)} ms):`);
for (const r of results.slice(1)) console.log(`  ×${(r.median / base).toFixed(2)}  ${r.label.replace(/\s{2,}/g, ': ')}`);

function viaHyperfine(cmd, args, env) {
  const json = path.join(tmp, 'h.json');
  const quoted = [cmd, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
  execFileSync('hyperfine', ['-N', '--runs', String(runs), '--warmup', String(warmup), '--export-json', json, '--style', 'none', quoted], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  }); // its outlier warnings are noise here
  const r = JSON.parse(readFileSync(json, 'utf8')).results[0];
  if (r.exit_codes?.some((c) => c !== 0)) throw new Error(`${quoted} exited ${r.exit_codes.join(',')}`);
  return { median: r.median * 1000, user: r.user * 1000, system: r.system * 1000 };
}

function viaLoop(cmd, args, env) {
  const times = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = process.hrtime.bigint();
    const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, stdio: 'ignore' });
    const ms = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}`);
    if (i >= warmup) times.push(ms);
  }
  times.sort((a, b) => a - b);
  const mid = times.length >> 1;
  return { median: times.length % 2 ? times[mid] : (times[mid - 1] + times[mid]) / 2 };
}

function untar(tar, name) {
  for (let off = 0; off + 512 <= tar.length;) {
    const entry = tar.toString('utf8', off, off + 100).replace(/\0.*$/s, '');
    if (!entry) break;
    const size = parseInt(tar.toString('ascii', off + 124, off + 136), 8);
    if (entry === name) return tar.subarray(off + 512, off + 512 + size);
    off += 512 + Math.ceil(size / 512) * 512;
  }
  throw new Error(`${name} not in the archive`);
}
