// proxy-url: socks5:// and socks5h:// through a small SOCKS5 server on loopback (test/support/socks5-server.ts,
// RFC 1928 CONNECT, RFC 1929 username/password) in front of a loopback HTTPS "API server".
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { stringify } from 'yaml';
import { UnreachableError } from '../../../src/errors.js';
import { connect } from '../../../src/kube/index.js';
import { socksServer } from '../../support/socks5-server.js';

type Tap = Pick<typeof t, 'teardown'>;
const fixtures = join(fileURLToPath(import.meta.url), '..', 'fixtures');
const pem = (f: string) => readFileSync(join(fixtures, f));
const root = mkdtempSync(join(tmpdir(), 'mesh-socks-'));
t.teardown(() => {
  rmSync(root, { recursive: true, force: true });
});
let seq = 0;

/** An HTTPS server answering /version with { gitVersion: 'via-socks' }. */
async function apiServer(t: Tap): Promise<number> {
  const srv = https.createServer({ key: pem('server.key'), cert: pem('server.crt') }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ gitVersion: 'via-socks' }));
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    srv.closeAllConnections();
    srv.close();
  });
  return (srv.address() as AddressInfo).port;
}

async function clientVia(t: Tap, server: string, proxyUrl: string, requestTimeoutMs?: number) {
  const file = join(root, `kubeconfig-${++seq}`);
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'c',
      clusters: [
        {
          name: 'c',
          cluster: { server, 'proxy-url': proxyUrl, 'certificate-authority': join(fixtures, 'ca.crt'), 'tls-server-name': 'localhost' },
        },
      ],
      users: [{ name: 'u', user: { token: 'tok' } }],
      contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
    }),
  );
  const c = await connect({ kubeconfig: file, cacheDir: join(root, `cache-${seq}`), ...(requestTimeoutMs ? { requestTimeoutMs } : {}) });
  t.teardown(() => {
    c.close();
  });
  return c;
}

t.test('socks5h: the proxy gets the name and resolves it', async (t) => {
  const socks = await socksServer(t, await apiServer(t));
  const c = await clientVia(t, 'https://api.cluster.invalid:6443', `socks5h://127.0.0.1:${socks.port}`);
  t.equal(await c.serverVersion(), 'via-socks');
  t.same(socks.asked, [{ atyp: 3, host: 'api.cluster.invalid', port: 6443 }]);
  t.same(socks.methods, [[0]], 'offers no authentication only, having no credentials');
});

t.test('socks5: the name is resolved here and the address sent; IPv4 and IPv6 literals go as addresses', async (t) => {
  const socks = await socksServer(t, await apiServer(t));
  const local = await clientVia(t, 'https://localhost:6443', `socks5://127.0.0.1:${socks.port}`);
  t.equal(await local.serverVersion(), 'via-socks');
  t.match(socks.asked[0], { atyp: /^[14]$/, host: /^(127\.0\.0\.1|::1)$/, port: 6443 }, 'localhost went as an address');
  const v4 = await clientVia(t, 'https://10.1.2.3:443', `socks5h://127.0.0.1:${socks.port}`);
  t.equal(await v4.serverVersion(), 'via-socks');
  const v6 = await clientVia(t, 'https://[fd00::1:2]:8443', `socks5://127.0.0.1:${socks.port}`);
  t.equal(await v6.serverVersion(), 'via-socks');
  t.same(socks.asked.slice(1), [
    { atyp: 1, host: '10.1.2.3', port: 443 },
    { atyp: 4, host: 'fd00:0:0:0:0:0:1:2', port: 8443 },
  ]);
  // A name that does not resolve here still goes, as the name (what kubectl sends).
  const far = await clientVia(t, 'https://api.cluster.invalid:6443', `socks5://127.0.0.1:${socks.port}`);
  t.equal(await far.serverVersion(), 'via-socks');
  t.same(socks.asked.at(-1), { atyp: 3, host: 'api.cluster.invalid', port: 6443 });
});

t.test('username and password from the URL (RFC 1929), percent-decoded', async (t) => {
  const socks = await socksServer(t, await apiServer(t), { auth: { user: 'alice', pass: 's:cret@1' } });
  const c = await clientVia(t, 'https://api.cluster.invalid:6443', `socks5h://alice:s%3Acret%401@127.0.0.1:${socks.port}`);
  t.equal(await c.serverVersion(), 'via-socks');
  t.same(socks.methods, [[0, 2]], 'offers no authentication and username/password');
});

t.test('refusals: one line naming the proxy', async (t) => {
  const api = await apiServer(t);
  const authed = await socksServer(t, api, { auth: { user: 'alice', pass: 'right' } });
  const server = 'https://api.cluster.invalid:6443';
  const reach = `cannot reach the Kubernetes API server at ${server}: `;
  const hint = "check the cluster's proxy-url in the kubeconfig (or HTTPS_PROXY / NO_PROXY)";
  const wrong = await clientVia(t, server, `socks5h://alice:wrong@127.0.0.1:${authed.port}`);
  await t.rejects(wrong.serverVersion(), {
    constructor: UnreachableError,
    message: `${reach}socks5 proxy 127.0.0.1:${authed.port} rejected the username and password in proxy-url`,
    hint,
  });
  const none = await clientVia(t, server, `socks5h://127.0.0.1:${authed.port}`);
  await t.rejects(none.serverVersion(), {
    message: `${reach}socks5 proxy 127.0.0.1:${authed.port} requires authentication; put a username and password in proxy-url`,
    hint,
  });
  const refusing = await socksServer(t, api, { reply: 5 });
  const refused = await clientVia(t, server, `socks5h://127.0.0.1:${refusing.port}`);
  await t.rejects(refused.serverVersion(), {
    message: `${reach}socks5 proxy 127.0.0.1:${refusing.port} refused CONNECT api.cluster.invalid:6443: connection refused`,
    hint,
  });
  const notAllowed = await socksServer(t, api, { reply: 2 });
  const v6 = await clientVia(t, 'https://[::1]:6443', `socks5://127.0.0.1:${notAllowed.port}`);
  await t.rejects(v6.serverVersion(), { message: /refused CONNECT \[::1\]:6443: connection not allowed by ruleset$/ });
  // Nobody listening where the proxy should be.
  const closed = net.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise((r) => closed.close(r));
  const dead = await clientVia(t, server, `socks5://127.0.0.1:${deadPort}`);
  await t.rejects(dead.serverVersion(), {
    message: new RegExp(
      `^${reach.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}cannot connect to socks5 proxy 127\\.0\\.0\\.1:${deadPort}: .*ECONNREFUSED`,
    ),
    hint,
  });
});

t.test('a proxy that accepts and never answers is bounded like an HTTP CONNECT tunnel', async (t) => {
  const silent = await socksServer(t, await apiServer(t), { silent: true });
  const c = await clientVia(t, 'https://api.cluster.invalid:6443', `socks5h://127.0.0.1:${silent.port}`, 300);
  const started = Date.now();
  await t.rejects(c.serverVersion(), { constructor: UnreachableError, message: /no answer within 300ms/, hint: /--request-timeout/ });
  t.ok(Date.now() - started < 3000, `gave up promptly (${Date.now() - started} ms)`);
});
