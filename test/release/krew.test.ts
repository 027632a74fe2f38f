// The release as krew users get it: `npm run release` output, checked by krew-index's own
// validator, installed by a real krew (built from sigs.k8s.io/krew) from the archive, and run
// as `kubectl mesh` from krew's bin directory against the test cluster.
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import t from 'tap';
import YAML from 'yaml';
import { ensureKrew, KREW_VERSION } from '../krew/build-krew.mjs';
import { repo, run } from '../e2e/harness.js';

// On a new machine this file first downloads four Node base binaries, builds every platform and krew:
// more than the tier's 5 minutes per file.
t.setTimeout(15 * 60_000);

const pkg = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8'));
const version: string = pkg.version;
const releaseDir = path.join(repo, 'release', version);
const scratch = mkdtempSync(path.join(os.tmpdir(), 'mesh-krew-'));
t.teardown(() => {
  rmSync(scratch, { recursive: true, force: true });
});

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const systemPath = (process.env.PATH ?? '').split(path.delimiter).filter((d) => d && path.resolve(d) !== path.join(repo, 'plugin'));

/** tar entries (name, mode, size) of a .tar.gz, read with no tar tool in between. */
function tarEntries(file: string): { name: string; mode: number; size: number }[] {
  const data = gunzipSync(readFileSync(file));
  const out = [];
  for (let off = 0; off + 512 <= data.length;) {
    const name = data.toString('utf8', off, off + 100).replace(/\0.*$/s, '');
    if (!name) break;
    const size = parseInt(data.toString('ascii', off + 124, off + 136), 8);
    out.push({ name, mode: parseInt(data.toString('ascii', off + 100, off + 108), 8), size });
    off += 512 + Math.ceil(size / 512) * 512;
  }
  return out;
}

// krew is run as `kubectl krew`: its binary, renamed kubectl-krew, on PATH.
const krewBin = path.join(scratch, 'krew-bin');
let validateBin = '';
t.before(async () => {
  const built = await run(process.execPath, ['scripts/release/release.mjs'], { timeoutMs: 12 * 60_000 });
  if (built.code !== 0) throw new Error(`npm run release failed:\n${built.stderr}`);
  const bins = ensureKrew(KREW_VERSION, () => {});
  mkdirSync(krewBin);
  copyFileSync(bins.krew, path.join(krewBin, 'kubectl-krew'));
  validateBin = bins.validate;
});

function krewEnv(root: string, extra: Record<string, string> = {}): Record<string, string> {
  return { KREW_ROOT: root, PATH: [path.join(root, 'bin'), krewBin, ...systemPath].join(path.delimiter), ...extra };
}

t.test('release/<version>/ has four archives with kubectl-mesh and LICENSE, and matching sha256sums.txt', async (t) => {
  const sums = readFileSync(path.join(releaseDir, 'sha256sums.txt'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => l.split(/\s+/));
  t.same(
    sums.map(([, f]) => f).sort(),
    ['darwin_amd64', 'darwin_arm64', 'linux_amd64', 'linux_arm64'].map((p) => `kubectl-mesh_${p}.tar.gz`),
  );
  for (const [sum, file] of sums) {
    t.equal(sha256(path.join(releaseDir, file)), sum, `${file} checksum`);
    const entries = tarEntries(path.join(releaseDir, file));
    t.same(entries.map((e) => e.name).sort(), ['LICENSE', 'kubectl-mesh'], `${file} entries`);
    t.equal(entries.find((e) => e.name === 'kubectl-mesh')!.mode, 0o755, `${file}: executable`);
    t.ok(entries.find((e) => e.name === 'kubectl-mesh')!.size > 50 << 20, `${file}: a whole Node executable`);
  }
  t.match(readFileSync(path.join(repo, 'LICENSE'), 'utf8'), /Apache License\s+Version 2\.0, January 2004/);
});

t.test('krew.yaml follows krew-index conventions and names the archives by checksum', async (t) => {
  const m = YAML.parse(readFileSync(path.join(releaseDir, 'krew.yaml'), 'utf8'));
  t.equal(m.apiVersion, 'krew.googlecontainertools.github.com/v1alpha2');
  t.equal(m.kind, 'Plugin');
  t.equal(m.metadata.name, 'mesh');
  t.equal(m.spec.version, `v${version}`);
  t.ok(m.spec.shortDescription.length <= 50 && !m.spec.shortDescription.includes('\n'), 'shortDescription: one line, ≤ 50 chars');
  t.match(m.spec.caveats, /kubectl mesh completion --kubectl-plugin/);
  for (const p of m.spec.platforms) {
    const { os: o, arch } = p.selector.matchLabels;
    const file = `kubectl-mesh_${o}_${arch}.tar.gz`;
    t.same(Object.keys(p.selector.matchLabels).sort(), ['arch', 'os'], `${o}/${arch}: selector on os/arch only`);
    t.equal(p.uri, `https://github.com/kubectl-mesh/kubectl-mesh/releases/download/v${version}/${file}`);
    t.equal(p.sha256, sha256(path.join(releaseDir, file)), `${o}/${arch} sha256`);
    t.equal(p.bin, 'kubectl-mesh');
  }
});

t.test("krew-index's validate-krew-manifest accepts the manifest", async (t) => {
  // krew-index keeps plugins/<name>.yaml, and the validator insists on that file name.
  const dir = path.join(scratch, 'index');
  mkdirSync(dir);
  copyFileSync(path.join(releaseDir, 'krew.yaml'), path.join(dir, 'mesh.yaml'));
  // -skip-install: its install step downloads each uri; the archives are installed below instead.
  const r = await run(validateBin, ['-manifest', path.join(dir, 'mesh.yaml'), '-skip-install']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /structural validation OK/);
  t.match(r.stderr, /no overlapping spec\.platform\[\]\.selector/);

  copyFileSync(path.join(releaseDir, 'krew.yaml'), path.join(dir, 'other.yaml'));
  const misnamed = await run(validateBin, ['-manifest', path.join(dir, 'other.yaml'), '-skip-install']);
  t.not(misnamed.code, 0, 'the validator does reject (here: a file not named after the plugin)');
});

t.test('krew installs every platform from its archive (checksum, LICENSE, bin link)', async (t) => {
  const m = YAML.parse(readFileSync(path.join(releaseDir, 'krew.yaml'), 'utf8'));
  for (const p of m.spec.platforms) {
    const { os: o, arch } = p.selector.matchLabels;
    const root = path.join(scratch, `root-${o}-${arch}`);
    const r = await run(
      'kubectl',
      [
        'krew',
        'install',
        `--manifest=${path.join(releaseDir, 'krew.yaml')}`,
        `--archive=${path.join(releaseDir, `kubectl-mesh_${o}_${arch}.tar.gz`)}`,
      ],
      { env: krewEnv(root, { KREW_OS: o, KREW_ARCH: arch }), timeoutMs: 120_000 },
    );
    t.equal(r.code, 0, `${o}/${arch}: ${r.stderr}`);
    const store = path.join(root, 'store', 'mesh', `v${version}`);
    t.ok(existsSync(path.join(store, 'LICENSE')), `${o}/${arch}: LICENSE installed`);
    t.ok(lstatSync(path.join(root, 'bin', 'kubectl-mesh')).isSymbolicLink(), `${o}/${arch}: bin link`);
    t.equal(readlinkSync(path.join(root, 'bin', 'kubectl-mesh')), path.join(store, 'kubectl-mesh'));
  }
});

t.test('krew refuses an archive whose checksum does not match the manifest', async (t) => {
  const bad = path.join(scratch, 'kubectl-mesh_linux_amd64.tar.gz');
  writeFileSync(bad, Buffer.concat([readFileSync(path.join(releaseDir, 'kubectl-mesh_linux_amd64.tar.gz')), Buffer.from([0])]));
  const r = await run('kubectl', ['krew', 'install', `--manifest=${path.join(releaseDir, 'krew.yaml')}`, `--archive=${bad}`], {
    env: krewEnv(path.join(scratch, 'root-bad'), { KREW_OS: 'linux', KREW_ARCH: 'amd64' }),
    timeoutMs: 120_000,
  });
  t.not(r.code, 0);
  t.match(r.stderr, /checksum/i);
});

const hostArchive = `kubectl-mesh_${process.platform}_${({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[process.arch]}.tar.gz`;

t.test('the krew-installed binary runs as `kubectl mesh` (no Node on PATH needed)', async (t) => {
  const root = path.join(scratch, 'root-host');
  const install = await run(
    'kubectl',
    ['krew', 'install', `--manifest=${path.join(releaseDir, 'krew.yaml')}`, `--archive=${path.join(releaseDir, hostArchive)}`],
    { env: krewEnv(root), timeoutMs: 120_000 },
  );
  t.equal(install.code, 0, install.stderr);
  // PATH with kubectl and krew's bin directory only, no Node: the single executable carries its own.
  const kubectlOnly = path.join(scratch, 'kubectl-only');
  mkdirSync(kubectlOnly);
  const kubectlPath = systemPath.map((d) => path.join(d, 'kubectl')).find((f) => existsSync(f));
  symlinkSync(kubectlPath!, path.join(kubectlOnly, 'kubectl'));
  const env = krewEnv(root, { PATH: [path.join(root, 'bin'), kubectlOnly].join(path.delimiter) });

  const list = await run('kubectl', ['plugin', 'list'], { env });
  t.match(list.stdout, path.join(root, 'bin', 'kubectl-mesh'), 'kubectl plugin list shows the krew-installed plugin');
  t.notMatch(list.stdout, path.join(repo, 'plugin'), 'and not the checkout');

  t.equal((await run('node', ['--version'], { env })).code, 127, 'no node on this PATH');
  const client = await run('kubectl', ['mesh', 'version', '--client'], { env });
  t.equal(client.code, 0, client.stderr);
  t.equal(client.stdout, `Client Version: v${version}\n`);

  const full = await run('kubectl', ['mesh', 'version', '-o', 'json'], { env });
  t.equal(full.code, 0, full.stderr);
  const info = JSON.parse(full.stdout);
  t.equal(info.clientVersion, version);
  if (process.env.MESH_TEST_K8S_VERSION) t.equal(info.kubernetesVersion, process.env.MESH_TEST_K8S_VERSION);
  t.match(info.istioApiVersion, /^networking\.istio\.io\/v1/);

  const usage = await run('kubectl', ['mesh', 'no-such-verb'], { env });
  t.equal(usage.code, 2, 'exit codes survive kubectl dispatch');
  t.match(usage.stderr, /unknown command "no-such-verb"/);

  // The caveat's advice: the completion helper lands next to the krew link, and kubectl uses it.
  const helper = await run('kubectl', ['mesh', 'completion', '--kubectl-plugin'], { env });
  t.equal(helper.code, 0, helper.stderr);
  t.equal(helper.stdout, `${path.join(root, 'bin', 'kubectl_complete-mesh')}\n`);
  const completed = await run('kubectl', ['__complete', 'mesh', 'ver'], { env });
  t.equal(completed.stdout.split('\n')[0]?.split('\t')[0], 'version');
  t.match(completed.stdout, /\n:4\n$/);
});
