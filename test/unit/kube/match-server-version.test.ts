// --match-server-version: before anything else the server must answer /version with a Kubernetes
// version (kubectl's check, less the comparison with kubectl's own build; see src/kube/connect.ts).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { ExitCode, MeshError } from '../../../src/errors.js';
import { connect } from '../../../src/kube/index.js';

type Tap = Pick<typeof t, 'teardown'>;
const root = mkdtempSync(join(tmpdir(), 'mesh-match-version-'));
t.teardown(() => {
  rmSync(root, { recursive: true, force: true });
});

/** A plain-HTTP "API server" answering /version with `version`, recording the paths asked for. */
async function server(t: Tap, version: { status: number; body: unknown }) {
  const paths: string[] = [];
  const srv = http.createServer((req, res) => {
    paths.push(req.url ?? '');
    const a = req.url === '/version' ? version : { status: 200, body: { kind: 'NamespaceList', items: [] } };
    res.writeHead(a.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(a.body));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    srv.closeAllConnections();
    srv.close();
  });
  const url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  const kubeconfig = join(root, `kc-${paths.length}-${Date.now()}-${Math.random()}`);
  writeFileSync(
    kubeconfig,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [{ name: 'c', cluster: { server: url } }],
      users: [{ name: 'u', user: { token: 'tok' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    }),
  );
  return { url, paths, kubeconfig };
}

const kube = { status: 200, body: { major: '1', minor: '36', gitVersion: 'v1.36.3' } };

t.test('with the flag, /version is read when connecting, before any other request', async (t) => {
  const s = await server(t, kube);
  const c = await connect({ kubeconfig: s.kubeconfig, cacheDir: join(root, 'c1'), matchServerVersion: true });
  t.same(s.paths, ['/version']);
  await c.namespaceExists('shop');
  t.equal(s.paths[0], '/version');
  c.close();
});

t.test('without it, connecting makes no request', async (t) => {
  const s = await server(t, kube);
  const c = await connect({ kubeconfig: s.kubeconfig, cacheDir: join(root, 'c2') });
  t.same(s.paths, []);
  c.close();
});

t.test('a server that cannot say its version: one line naming the flag and the cause, nothing else asked', async (t) => {
  const failing = await server(t, { status: 503, body: { kind: 'Status', code: 503, message: 'etcd is down' } });
  await t.rejects(connect({ kubeconfig: failing.kubeconfig, cacheDir: join(root, 'c3'), matchServerVersion: true }), {
    constructor: MeshError,
    message: /^--match-server-version: cannot read the server's version: .*etcd is down/,
  });
  t.same(failing.paths, ['/version']);
  const notKube = await server(t, { status: 200, body: { version: '2.0' } });
  await t.rejects(connect({ kubeconfig: notKube.kubeconfig, cacheDir: join(root, 'c4'), matchServerVersion: true }), {
    message: `--match-server-version: ${notKube.url} answered /version without a Kubernetes version (gitVersion)`,
    exitCode: ExitCode.unreachable,
    hint: /names a Kubernetes API server/,
  });
});
