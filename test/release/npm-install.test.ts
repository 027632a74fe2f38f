// `npm i -g kubectl-mesh` as a user gets it: npm pack of this checkout, installed into a scratch
// prefix, found by kubectl through PATH, running on this machine's Node (needs the npm registry
// for the dependencies npm installs).
import { mkdtempSync, readlinkSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { repo, run } from '../e2e/harness.js';

const scratch = mkdtempSync(path.join(os.tmpdir(), 'mesh-npm-'));
t.teardown(() => {
  rmSync(scratch, { recursive: true, force: true });
});
const pkg = JSON.parse((await import('node:fs')).readFileSync(path.join(repo, 'package.json'), 'utf8'));
// npm needs what this machine needs to reach the registry (the harness passes an allow-list only).
const npmEnv: Record<string, string> = {};
for (const k of [
  'NODE_EXTRA_CA_CERTS',
  'SSL_CERT_FILE',
  'SSL_CERT_DIR',
  'HTTPS_PROXY',
  'HTTP_PROXY',
  'NO_PROXY',
  'https_proxy',
  'http_proxy',
  'no_proxy',
]) {
  if (process.env[k]) npmEnv[k] = process.env[k]!;
}

t.test('npm pack + npm install -g: the bin link runs as kubectl mesh', async (t) => {
  const packed = await run('npm', ['pack', '--silent', '--pack-destination', scratch], { timeoutMs: 120_000, env: npmEnv });
  t.equal(packed.code, 0, packed.stderr);
  const tarball = path.join(scratch, packed.stdout.trim().split('\n').pop()!);
  const list = await run('tar', ['-tzf', tarball]);
  for (const f of ['package/plugin/kubectl-mesh', 'package/plugin/package.json', 'package/dist/kubectl-mesh.cjs', 'package/LICENSE']) {
    t.ok(list.stdout.split('\n').includes(f), `${f} is in the package`);
  }

  const prefix = path.join(scratch, 'prefix');
  const installed = await run(
    'npm',
    ['install', '-g', '--prefix', prefix, tarball, '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'],
    { timeoutMs: 240_000, env: npmEnv },
  );
  t.equal(installed.code, 0, installed.stderr);
  const bin = path.join(prefix, 'bin', 'kubectl-mesh');
  t.equal(readlinkSync(bin), '../lib/node_modules/kubectl-mesh/plugin/kubectl-mesh', 'npm links the launcher');

  const env = {
    PATH: [path.join(prefix, 'bin'), path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
  };
  const list2 = await run('kubectl', ['plugin', 'list'], { env });
  t.match(list2.stdout, bin);
  const v = await run('kubectl', ['mesh', 'version', '--client'], { env });
  t.equal(v.code, 0, v.stderr);
  t.equal(v.stdout, `Client Version: v${pkg.version}\n`);
});
