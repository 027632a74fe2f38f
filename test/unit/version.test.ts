// `kubectl mesh version`: the table form, and the client-only and unreachable-cluster paths
// (the cluster paths run in test/e2e/version.test.ts).
import net from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { runMain } from './run-main.js';
import { renderVersion } from '../../src/commands/run/version.js';
import { clientVersion } from '../../src/version.js';

t.test('table form: kubectl-style lines, v-prefixed client version, what is missing said plainly', async (t) => {
  t.equal(renderVersion({ clientVersion: '1.2.3' }), 'Client Version: v1.2.3\n');
  t.equal(
    renderVersion({
      clientVersion: '1.2.3',
      kubernetesVersion: 'v1.36.3',
      istioApiVersion: 'networking.istio.io/v1',
      istioctl: { path: '/usr/local/bin/istioctl', version: '1.31.0' },
    }),
    [
      'Client Version: v1.2.3',
      'Kubernetes Version: v1.36.3',
      'Istio API Version: networking.istio.io/v1',
      'istioctl Version: 1.31.0 (/usr/local/bin/istioctl)',
      '',
    ].join('\n'),
  );
  t.match(
    renderVersion({ clientVersion: '0.0.0-dev', kubernetesVersion: 'v1.30.0', istioApiVersion: null, istioctl: null }),
    /Istio API Version: not served \(Istio CRDs are not installed\)\nistioctl Version: not found \(pass --istioctl PATH or set ISTIOCTL\)\n$/,
  );
  t.match(
    renderVersion({ clientVersion: '1.0.0', istioctl: { path: '/x/istioctl', version: null } }),
    /istioctl Version: unknown \(\/x\/istioctl\)/,
  );
});

t.test('--client contacts nothing: works with no kubeconfig at all', async (t) => {
  const r = await runMain(['version', '--client'], { KUBECONFIG: '/nonexistent/kubeconfig', HOME: '/nonexistent' });
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, `Client Version: ${/^\d/.test(clientVersion) ? 'v' : ''}${clientVersion}\n`);
  t.equal(r.stderr, '');
  const json = await runMain(['version', '--client', '-o', 'json'], { KUBECONFIG: '/nonexistent/kubeconfig' });
  t.same(JSON.parse(json.stdout), { clientVersion });
});

t.test('an unreachable cluster: the client version first, then the error, non-zero exit', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-version-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  // A port that was just free: connection refused.
  const port = await new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as net.AddressInfo).port;
      s.close(() => {
        resolve(p);
      });
    });
  });
  const cfg = path.join(dir, 'config');
  writeFileSync(
    cfg,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: c',
      `clusters: [{name: c, cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}}]`,
      'contexts: [{name: c, context: {cluster: c, user: u}}]',
      'users: [{name: u, user: {token: x}}]',
      '',
    ].join('\n'),
  );
  const env = { KUBECONFIG: cfg, PATH: '/nonexistent', HOME: dir };
  const r = await runMain(['version'], env);
  t.not(r.code, 0);
  t.match(r.stdout, /^Client Version: .*\nistioctl Version: not found/);
  t.notMatch(r.stdout, /Kubernetes Version/);
  t.match(r.stderr, /^error: .*127\.0\.0\.1/);
  t.equal(r.stderr.trim().split('\n').length, 1, 'one line');
  const json = await runMain(['version', '-o', 'json'], env);
  t.not(json.code, 0);
  t.same(JSON.parse(json.stdout), { clientVersion, istioctl: null }, 'valid JSON on stdout even so');
});
