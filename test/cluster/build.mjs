// Builds the test cluster's binaries (etcd, kube-apiserver, istioctl + pilot-discovery, and our own
// xds-probe) from their Go modules at the versions pinned in versions.json, with real version strings,
// and caches them per version:
//   ${KUBECTL_MESH_CACHE:-${XDG_CACHE_HOME:-~/.cache}}/kubectl-mesh/bin/<name>-<version>/<binary>
// A cached binary is reused as is, so a second run takes no time.
//
// `go install pkg@version` refuses modules with replace directives (etcd and kubernetes have them),
// so each binary is built in a small generated wrapper module that requires the target module.
// Kubernetes points its staging modules (k8s.io/api, ...) at ./staging; the wrapper replaces each
// with its published v0.Y.Z release, listed from that version's own go.mod.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const here = path.dirname(new URL(import.meta.url).pathname);

export const versions = JSON.parse(readFileSync(path.join(here, 'versions.json'), 'utf8'));

export function cacheRoot() {
  const base = process.env.KUBECTL_MESH_CACHE || process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'kubectl-mesh');
}

/**
 * Where `binary` (default: the pin's main binary; or one of its extraPackages) of pin `name` is cached.
 * Extra packages name the directory too, so branches with and without them never rebuild each other's.
 */
export function binaryPath(name, binary = versions[name].binary) {
  const v = versions[name];
  const extras = Object.keys(v.extraPackages ?? {})
    .map((b) => `+${b}`)
    .join('');
  return path.join(cacheRoot(), 'bin', `${name}-${v.version ?? probeHash()}${extras}`, binary);
}

/** The xds-probe's cache key: a hash of its sources (it has no published version). */
function probeHash() {
  const dir = path.join(here, '..', '..', versions['xds-probe'].dir);
  const h = createHash('sha256');
  for (const f of readdirSync(dir)
    .filter((n) => /^(go\.mod|go\.sum|.*\.go)$/.test(n))
    .sort())
    h.update(f).update(readFileSync(path.join(dir, f)));
  return h.digest('hex').slice(0, 12);
}

function goEnv() {
  return {
    ...process.env,
    GOTOOLCHAIN: process.env.GOTOOLCHAIN || versions.go.toolchain,
    GOFLAGS: '-mod=mod',
    CGO_ENABLED: '0',
  };
}

async function go(args, cwd) {
  const { stdout } = await run('go', args, { cwd, env: goEnv(), maxBuffer: 64 << 20 });
  return stdout;
}

export async function hasGo() {
  try {
    await run('go', ['version'], { env: goEnv() });
    return true;
  } catch {
    return false;
  }
}

/** Downloads module@version into the module cache; returns { Dir, GoMod, Time, ... }. */
export async function moduleInfo(module, version) {
  const info = JSON.parse(await go(['mod', 'download', '-json', `${module}@${version}`], os.tmpdir()));
  return { ...info, Time: JSON.parse(readFileSync(info.Info, 'utf8')).Time };
}

/** replace lines for the wrapper: every `k8s.io/X => ./staging/...` becomes `k8s.io/X => k8s.io/X <staging version>`. */
function stagingReplaces(goModText, stagingVersion) {
  if (!stagingVersion) return [];
  const lines = [];
  for (const m of goModText.matchAll(/^\s*(?:replace\s+)?(\S+)\s+=>\s+\.\/staging\/\S+\s*$/gm)) {
    lines.push(`\t${m[1]} => ${m[1]} ${stagingVersion}`);
  }
  return lines;
}

function ldflags(name, info) {
  const v = versions[name];
  const date = info.Time; // the module's commit time: reproducible
  const x = (pkg, vars) => Object.entries(vars).map(([k, val]) => `-X '${pkg}.${k}=${val}'`);
  if (name === 'kubernetes') {
    const [, major, minor] = v.version.match(/^v(\d+)\.(\d+)\./);
    const vars = { gitVersion: v.version, gitMajor: major, gitMinor: minor, gitCommit: '', gitTreeState: 'clean', buildDate: date };
    return ['-s', '-w', ...x('k8s.io/component-base/version', vars), ...x('k8s.io/client-go/pkg/version', vars)].join(' ');
  }
  if (name === 'etcd') {
    // etcd's version number is a constant in go.etcd.io/etcd/api/v3/version; only the git SHA is a variable.
    return ['-s', '-w', ...x('go.etcd.io/etcd/api/v3/version', { GitSHA: v.version })].join(' ');
  }
  if (name === 'istio') {
    return [
      '-s',
      '-w',
      ...x('istio.io/istio/pkg/version', {
        buildVersion: v.release,
        buildGitRevision: v.commit,
        buildStatus: 'Clean',
        buildTag: v.release,
        buildHub: 'docker.io/istio',
        buildOS: process.platform,
        buildArch: process.arch === 'x64' ? 'amd64' : process.arch,
      }),
    ].join(' ');
  }
  throw new Error(`unknown binary ${name}`);
}

/** Builds test/xds-probe (its own go.mod) unless a build of these exact sources is cached. */
async function buildProbe() {
  const v = versions['xds-probe'];
  const out = binaryPath('xds-probe');
  if (existsSync(out)) return { name: 'xds-probe', version: probeHash(), path: out, cached: true, seconds: 0 };
  const started = Date.now();
  const tmp = `${out}.tmp-${process.pid}`;
  mkdirSync(path.dirname(out), { recursive: true });
  await go(['build', '-trimpath', '-buildvcs=false', '-ldflags', '-s -w', '-o', tmp, '.'], path.join(here, '..', '..', v.dir));
  renameSync(tmp, out);
  return { name: 'xds-probe', version: probeHash(), path: out, cached: false, seconds: Math.round((Date.now() - started) / 100) / 10 };
}

/** Builds one binary (with its extraPackages, in the same `go build`) unless cached. Returns { name, version, path, paths, cached, seconds }. */
export async function build(name) {
  if (name === 'xds-probe') return buildProbe();
  const v = versions[name];
  const out = binaryPath(name);
  const extras = Object.keys(v.extraPackages ?? {});
  const paths = Object.fromEntries([v.binary, ...extras].map((b) => [b, binaryPath(name, b)]));
  const record = path.join(path.dirname(out), 'build.json');
  // Cached if built from this exact pin (a changed release label or package means a rebuild).
  if (
    Object.values(paths).every(existsSync) &&
    existsSync(record) &&
    JSON.stringify(JSON.parse(readFileSync(record, 'utf8')).pin) === JSON.stringify(v)
  ) {
    return { name, version: v.version, path: out, paths, cached: true, seconds: 0 };
  }

  const started = Date.now();
  const info = await moduleInfo(v.module, v.version);
  const targetMod = readFileSync(info.GoMod, 'utf8');
  const goLine = targetMod.match(/^go\s+(\S+)/m)[1];
  const work = path.join(cacheRoot(), 'src', `${name}-${v.version}`);
  mkdirSync(work, { recursive: true });
  const replaces = stagingReplaces(targetMod, v.stagingVersion);
  writeFileSync(
    path.join(work, 'go.mod'),
    [
      `module kubectl-mesh.test/build/${name}`,
      '',
      `go ${goLine}`,
      '',
      `require ${v.module} ${v.version}`,
      '',
      ...(replaces.length ? ['replace (', ...replaces, ')', ''] : []),
    ].join('\n'),
  );

  // Several packages in one `go build -o DIR/`: each binary lands in DIR under its package's last element.
  const tmp = path.join(path.dirname(out), `.tmp-${process.pid}`);
  mkdirSync(tmp, { recursive: true });
  await go(
    ['build', '-trimpath', '-ldflags', ldflags(name, info), '-o', `${tmp}/`, v.package, ...Object.values(v.extraPackages ?? {})],
    work,
  );
  for (const [binary, pkg] of [[v.binary, v.package], ...Object.entries(v.extraPackages ?? {})]) {
    renameSync(path.join(tmp, path.basename(pkg)), paths[binary]);
  }
  rmSync(tmp, { recursive: true, force: true });
  const seconds = Math.round((Date.now() - started) / 100) / 10;
  writeFileSync(
    record,
    JSON.stringify(
      {
        pin: v,
        seconds,
        go: (await go(['env', 'GOVERSION'], work)).trim(),
        builtAt: new Date().toISOString(),
      },
      null,
      2,
    ) + '\n',
  );
  return { name, version: v.version, path: out, paths, cached: false, seconds };
}

/** Builds all in parallel (memory allows it; Go spreads each build over both cores anyway). */
export async function buildAll(log = console.log) {
  const names = ['etcd', 'kubernetes', 'istio', 'xds-probe'];
  const results = await Promise.all(
    names.map(async (n) => {
      const r = await build(n);
      log(`  ${n.padEnd(10)} ${versions[n].release ?? r.version}  ${r.cached ? 'cached' : `built in ${r.seconds}s`}  ${r.path}`);
      return r;
    }),
  );
  return Object.fromEntries(results.map((r) => [r.name, r]));
}

/** Where Istio's CRDs live: inside the same Istio module the istioctl was built from. */
export async function istioCrdFile() {
  const info = await moduleInfo(versions.istio.module, versions.istio.version);
  return path.join(info.Dir, versions.istio.crds);
}

/**
 * The Gateway API CRDs (standard channel kustomization) of the sigs.k8s.io/gateway-api version the
 * pinned Istio requires (from its go.mod), so the test bed serves HTTPRoutes as that Istio expects.
 */
export async function gatewayApiCrdDir() {
  const istio = await moduleInfo(versions.istio.module, versions.istio.version);
  const version = /^\s*sigs\.k8s\.io\/gateway-api\s+(v\S+)/m.exec(readFileSync(istio.GoMod, 'utf8'))?.[1];
  if (!version) throw new Error(`${istio.GoMod}: no sigs.k8s.io/gateway-api requirement`);
  const info = await moduleInfo('sigs.k8s.io/gateway-api', version);
  return path.join(info.Dir, 'config', 'crd');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const t = Date.now();
  await buildAll();
  console.log(`build: ${((Date.now() - t) / 1000).toFixed(1)}s`);
}
