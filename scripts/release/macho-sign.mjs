// Ad-hoc signing of darwin builds on any OS: a small Go program (./macho-sign) on
// github.com/blacktop/go-macho, built once per source hash into the cache.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheRoot } from './base-node.mjs';

const src = fileURLToPath(new URL('./macho-sign/', import.meta.url));

/** Path of the signer binary, or throws with the reason it cannot be built. */
export function machoSigner(log = () => {}) {
  const hash = createHash('sha256');
  for (const f of ['go.mod', 'go.sum', 'main.go']) hash.update(readFileSync(join(src, f)));
  const bin = join(cacheRoot(), 'bin', `macho-sign-${hash.digest('hex').slice(0, 12)}`);
  if (existsSync(bin)) return bin;
  const started = Date.now();
  try {
    execFileSync('go', ['build', '-trimpath', '-o', bin, '.'], {
      cwd: src,
      stdio: ['ignore', 'ignore', 'pipe'],
      env: { ...process.env, CGO_ENABLED: '0' },
    });
  } catch (err) {
    throw new Error(
      `cannot build the Mach-O signer (needs Go and the Go module proxy): ${String(err.stderr ?? err.message)
        .trim()
        .split('\n')
        .pop()}`,
    );
  }
  log(`  built macho-sign in ${Date.now() - started} ms`);
  return bin;
}

/** Signs `file` in place (ad-hoc, identifier kubectl-mesh) and checks the result against the unsigned input. */
export function adhocSign(signer, file) {
  const unsigned = `${file}.unsigned`;
  execFileSync('mv', [file, unsigned]);
  execFileSync(signer, ['sign', unsigned, file, 'kubectl-mesh'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const report = execFileSync(signer, ['verify', unsigned, file], { encoding: 'utf8' }).trim();
  execFileSync('rm', [unsigned]);
  return report;
}
