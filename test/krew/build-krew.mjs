// Builds krew and krew-index's manifest validator from their Go module, once per version, into
// ~/.cache/kubectl-mesh/bin/krew-<version>/ (KUBECTL_MESH_CACHE overrides the root).
//   node test/krew/build-krew.mjs   → prints the two paths
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const KREW_MODULE = 'sigs.k8s.io/krew';
export const KREW_VERSION = 'v0.4.3';

export function krewDir(version = KREW_VERSION) {
  const root = process.env.KUBECTL_MESH_CACHE ?? path.join(homedir(), '.cache', 'kubectl-mesh');
  return path.join(root, 'bin', `krew-${version}`);
}

export function hasGo() {
  try {
    execFileSync('go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** { krew, validate } binary paths, building what is missing. Throws when Go cannot build them. */
export function ensureKrew(version = KREW_VERSION, log = (line) => console.error(line)) {
  const dir = krewDir(version);
  const bins = { krew: path.join(dir, 'krew'), validate: path.join(dir, 'validate-krew-manifest') };
  if (existsSync(bins.krew) && existsSync(bins.validate)) return bins;
  const started = Date.now();
  // Build into a scratch GOBIN and move into place, so an interrupted build leaves no half cache.
  const tmp = `${dir}.tmp-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  try {
    for (const pkg of ['cmd/krew', 'cmd/validate-krew-manifest']) {
      execFileSync('go', ['install', '-trimpath', `${KREW_MODULE}/${pkg}@${version}`], {
        env: { ...process.env, GOBIN: tmp, CGO_ENABLED: '0', GOFLAGS: '-buildvcs=false' },
        stdio: ['ignore', 'inherit', 'inherit'],
      });
    }
    mkdirSync(path.dirname(dir), { recursive: true });
    rmSync(dir, { recursive: true, force: true });
    renameSync(tmp, dir);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  log(`built krew ${version} and validate-krew-manifest in ${((Date.now() - started) / 1000).toFixed(1)} s → ${dir}`);
  return bins;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const bins = ensureKrew();
  console.log(bins.krew);
  console.log(bins.validate);
}
