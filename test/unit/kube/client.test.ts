// The adapter against a real local HTTP(S) server that answers like kube-apiserver:
// real sockets, real kubeconfig files, real client-node authentication.
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { connect as netConnect, type AddressInfo, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { stringify } from 'yaml';
import {
  ConflictError,
  ExitCode,
  ExternalToolError,
  ForbiddenError,
  MeshError,
  NotFoundError,
  PreconditionError,
  UnreachableError,
  UsageError,
} from '../../../src/errors.js';
import { connect, type ConnectionOptions, type KubeClient } from '../../../src/kube/index.js';
import { UnauthorizedError } from '../../../src/kube/errors.js';

interface Seen {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  distinct: NodeJS.Dict<string[]>;
  body: unknown;
}
interface Answer {
  status?: number;
  body?: unknown;
  text?: string;
}
type Handler = (req: Seen) => Answer | 'hang' | 'stall';

const fixtures = join(fileURLToPath(import.meta.url), '..', 'fixtures');
const pem = (f: string) => readFileSync(join(fixtures, f));
const root = mkdtempSync(join(tmpdir(), 'mesh-client-'));
t.teardown(() => {
  rmSync(root, { recursive: true, force: true });
});
let seq = 0;

const kstatus = (code: number, reason: string, message: string) => ({
  kind: 'Status',
  apiVersion: 'v1',
  metadata: {},
  status: 'Failure',
  message,
  reason,
  code,
});

/** A local API server; `connections` counts TCP connections to check keep-alive. */
async function apiServer(t: Tap, handler: Handler, tls?: https.ServerOptions) {
  const seen: Seen[] = [];
  const listener: http.RequestListener = (req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://x');
      const raw = Buffer.concat(chunks).toString();
      const s: Seen = {
        method: req.method ?? '',
        path: url.pathname,
        query: url.searchParams,
        headers: req.headers,
        distinct: req.headersDistinct,
        body: raw ? JSON.parse(raw) : undefined,
      };
      seen.push(s);
      const a = handler(s);
      if (a === 'hang') return;
      if (a === 'stall') {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"items": [');
        return;
      }
      if (a.text !== undefined) {
        res.writeHead(a.status ?? 200, { 'content-type': 'text/plain' });
        res.end(a.text);
        return;
      }
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.body ?? {}));
    });
  };
  const server = tls ? https.createServer(tls, listener) : http.createServer(listener);
  const state = { seen, connections: 0, url: '' };
  server.on('connection', () => state.connections++);
  server.on('secureConnection', () => state.connections++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.url = `${tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as AddressInfo).port}`;
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  return state;
}
type Tap = Pick<typeof t, 'teardown'>;

function kubeconfigFor(server: string, user: Record<string, unknown> = { token: 'secret' }, cluster: Record<string, unknown> = {}): string {
  const dir = join(root, `k${++seq}`);
  mkdirSync(dir);
  const file = join(dir, 'config');
  writeFileSync(
    file,
    stringify({
      'current-context': 'test',
      clusters: [{ name: 'local', cluster: { server, ...cluster } }],
      users: [{ name: 'alice', user }],
      contexts: [{ name: 'test', context: { cluster: 'local', user: 'alice', namespace: 'shop' } }],
    }),
  );
  return file;
}

async function client(
  t: Tap,
  server: string,
  opts: ConnectionOptions & { user?: never; kcUser?: Record<string, unknown>; kcCluster?: Record<string, unknown> } = {},
): Promise<KubeClient & { lines: string[] }> {
  const lines: string[] = [];
  const { kcUser, kcCluster, ...rest } = opts;
  // Each client gets its own discovery cache: these tests count the requests of a cold one.
  const c = await connect({
    kubeconfig: kubeconfigFor(server, kcUser, kcCluster),
    cacheDir: join(root, `cache${++seq}`),
    log: (l) => lines.push(l),
    ...rest,
  });
  t.teardown(() => {
    c.close();
  });
  return Object.assign(c, { lines });
}

const istioGroup = (...versions: string[]) => ({
  kind: 'APIGroup',
  name: 'networking.istio.io',
  versions: versions.map((v) => ({ groupVersion: `networking.istio.io/${v}`, version: v })),
});
/** Discovery answers: /api (core versions) and /apis (groups), as kube-apiserver gives them. */
const discovery = (path: string, ...istio: string[]): Answer | undefined =>
  path === '/api'
    ? { body: { kind: 'APIVersions', versions: ['v1'] } }
    : path === '/apis'
      ? {
          body: {
            kind: 'APIGroupList',
            apiVersion: 'v1',
            groups: [
              { name: 'apps', versions: [{ groupVersion: 'apps/v1', version: 'v1' }] },
              ...(istio.length ? [istioGroup(...istio)] : []),
            ],
          },
        }
      : undefined;

t.test('reads: discovery once, list/get paths, items typed, requests counted and logged', async (t) => {
  const srv = await apiServer(t, (r) => {
    const d = discovery(r.path, 'v1beta1', 'v1alpha3');
    if (d) return d;
    if (r.path === '/apis/networking.istio.io/v1beta1/namespaces/shop/virtualservices')
      return { body: { items: [{ metadata: { name: 'reviews' } }] } };
    if (r.path === '/apis/apps/v1/deployments') return { body: { items: [{ metadata: { name: 'd1', namespace: 'a' } }] } };
    if (r.path === '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers/reviews')
      return { body: { metadata: { name: 'reviews' } } };
    if (r.path === '/version') return { body: { gitVersion: 'v1.31.2' } };
    return { status: 404, body: kstatus(404, 'NotFound', 'not found') };
  });
  const c = await client(t, srv.url);
  t.match(c, { namespace: 'shop', contextName: 'test', userName: 'alice', server: srv.url, requestCount: 0 });
  t.equal(await c.istioVersion(), 'v1beta1', 'prefers the newest served version');
  const vs = await c.list('VirtualService', 'shop');
  t.same(vs, [{ apiVersion: 'networking.istio.io/v1beta1', kind: 'VirtualService', metadata: { name: 'reviews' } }]);
  t.same(
    await c.list('Deployment', undefined),
    [{ apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd1', namespace: 'a' } }],
    'undefined namespace lists all namespaces',
  );
  t.same(await c.get('HorizontalPodAutoscaler', 'shop', 'reviews'), { metadata: { name: 'reviews' } });
  t.equal(await c.get('VirtualService', 'shop', 'missing'), undefined, '404 on get is undefined');
  t.equal(await c.serverVersion(), 'v1.31.2');
  t.equal(c.requestCount, 7, 'discovery was cached');
  t.equal(srv.seen.filter((s) => s.path === '/apis').length, 1);
  t.equal(srv.seen[2]?.query.get('limit'), '500');
  t.equal(srv.seen[0]?.headers.authorization, 'Bearer secret');
  t.equal(srv.seen[0]?.headers.accept, 'application/json');
  t.equal(c.lines.length, 7);
  t.match(c.lines.slice(0, 2).sort(), [
    new RegExp(`^GET ${srv.url}/api 200 OK in \\d+ milliseconds$`),
    new RegExp(`^GET ${srv.url}/apis 200 OK in \\d+ milliseconds$`),
  ]);
  t.match(c.lines[5], / 404 Not Found in \d+ milliseconds$/);
});

t.test('istio discovery: v1 preferred, missing group is a precondition error', async (t) => {
  let versions: string[] | undefined = ['v1alpha3', 'v1', 'v1beta1'];
  const srv = await apiServer(t, (r) => discovery(r.path, ...(versions ?? [])) ?? { status: 404, text: '404 page not found\n' });
  t.equal(await (await client(t, srv.url)).istioVersion(), 'v1');
  versions = undefined;
  const c = await client(t, srv.url);
  await t.rejects(c.istioVersion(), {
    constructor: PreconditionError,
    exitCode: ExitCode.precondition,
    message: 'Istio CRDs are not installed: the API server does not serve networking.istio.io',
    hint: /install Istio/,
  });
  await t.rejects(c.list('Gateway', 'shop'), PreconditionError, 'Istio kinds need discovery');
  t.equal(c.requestCount, 4, 'a failed discovery is retried, not cached');
});

t.test('writes: field manager, server-side dry run, typed bodies, delete preconditions', async (t) => {
  const srv = await apiServer(t, (r) => discovery(r.path, 'v1') ?? { status: r.method === 'POST' ? 201 : 200, body: r.body ?? {} });
  const c = await client(t, srv.url);
  const dr = { metadata: { name: 'reviews' }, spec: { host: 'reviews' } };
  t.match(await c.create('DestinationRule', dr, { dryRun: true }), {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'reviews' },
  });
  await c.replace('Deployment', { metadata: { name: 'web', namespace: 'prod', resourceVersion: '42' } });
  await c.remove('VirtualService', 'shop', 'reviews', { resourceVersion: '7', dryRun: true });
  await c.remove('Service', 'shop', 'reviews');
  const [, , post, put, del, del2] = srv.seen;
  t.match(post, {
    method: 'POST',
    path: '/apis/networking.istio.io/v1/namespaces/shop/destinationrules',
    body: { apiVersion: 'networking.istio.io/v1', kind: 'DestinationRule', spec: { host: 'reviews' } },
  });
  t.equal(post?.query.toString(), 'fieldManager=kubectl-mesh&dryRun=All');
  t.equal(post?.headers['content-type'], 'application/json');
  t.match(put, {
    method: 'PUT',
    path: '/apis/apps/v1/namespaces/prod/deployments/web',
    body: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { resourceVersion: '42' } },
  });
  t.equal(put?.query.toString(), 'fieldManager=kubectl-mesh', 'no dryRun unless asked');
  t.match(del, {
    method: 'DELETE',
    path: '/apis/networking.istio.io/v1/namespaces/shop/virtualservices/reviews',
    body: { kind: 'DeleteOptions', preconditions: { resourceVersion: '7' }, dryRun: ['All'] },
  });
  t.same(del2?.body, { apiVersion: 'v1', kind: 'DeleteOptions' });
  t.equal(del2?.path, '/api/v1/namespaces/shop/services/reviews');
});

t.test('list follows continue tokens and passes the label selector', async (t) => {
  const srv = await apiServer(t, (r) =>
    r.query.get('continue')
      ? { body: { metadata: {}, items: [{ metadata: { name: 'p2' } }] } }
      : { body: { metadata: { continue: 'tok' }, items: [{ metadata: { name: 'p1' } }] } },
  );
  const c = await client(t, srv.url);
  const pods = await c.list('Pod', 'shop', { labelSelector: 'app=reviews,version in (v1,v2)' });
  t.same(
    pods.map((p) => `${p.apiVersion}/${p.kind}/${p.metadata.name}`),
    ['v1/Pod/p1', 'v1/Pod/p2'],
  );
  t.equal(srv.seen[0]?.path, '/api/v1/namespaces/shop/pods');
  t.equal(srv.seen[0]?.query.get('labelSelector'), 'app=reviews,version in (v1,v2)');
  t.equal(srv.seen[1]?.query.get('continue'), 'tok');
});

t.test('HTTP statuses become one-line errors with the right exit code', async (t) => {
  const forbidden =
    'virtualservices.networking.istio.io "reviews" is forbidden: User "bob" cannot update resource "virtualservices" in API group "networking.istio.io" in the namespace "shop"';
  const conflict =
    'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again';
  const answers: Record<string, Answer> = {
    '/api/v1/namespaces/shop/services/forbidden': { status: 403, body: kstatus(403, 'Forbidden', forbidden) },
    '/apis/apps/v1/namespaces/shop/deployments/web': { status: 409, body: kstatus(409, 'Conflict', conflict) },
    '/api/v1/namespaces/shop/services': { status: 409, body: kstatus(409, 'AlreadyExists', 'services "web" already exists') },
    '/api/v1/namespaces/shop/pods': { status: 401, body: kstatus(401, 'Unauthorized', 'Unauthorized') },
    '/api/v1/namespaces/shop/services/gone': { status: 404, body: kstatus(404, 'NotFound', 'services "gone" not found') },
    '/apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers': { status: 404, text: '404 page not found\n' },
    '/apis/apps/v1/namespaces/shop/deployments/bad': {
      status: 422,
      body: kstatus(422, 'Invalid', 'Deployment.apps "bad" is invalid: spec.replicas: Invalid value: -1'),
    },
    '/api/v1/namespaces/shop/services/boom': { status: 500, body: kstatus(500, 'InternalError', 'etcdserver: request timed out') },
    '/api/v1/namespaces/shop/services/busy': { status: 503, text: 'upstream connect error' },
  };
  const srv = await apiServer(t, (r) => answers[r.path] ?? { status: 418 });
  const c = await client(t, srv.url);
  await t.rejects(c.get('Service', 'shop', 'forbidden'), {
    constructor: ForbiddenError,
    exitCode: ExitCode.forbidden,
    message: forbidden,
    hint: 'ask a cluster admin to bind the kubectl-mesh role from manifests/rbac.yaml',
  });
  await t.rejects(c.replace('Deployment', { metadata: { name: 'web', resourceVersion: '1' } }), {
    constructor: ConflictError,
    exitCode: ExitCode.conflict,
    message: conflict,
  });
  await t.rejects(c.create('Service', { metadata: { name: 'web' } }), {
    constructor: ConflictError,
    message: 'services "web" already exists',
    hint: /created meanwhile/,
  });
  await t.rejects(c.list('Pod', 'shop'), { constructor: UnauthorizedError, exitCode: ExitCode.forbidden, message: /^unauthorized: / });
  await t.rejects(c.remove('Service', 'shop', 'gone'), {
    constructor: NotFoundError,
    exitCode: ExitCode.notFound,
    message: 'services "gone" not found',
  });
  await t.rejects(c.list('HorizontalPodAutoscaler', 'shop'), {
    constructor: NotFoundError,
    message: 'the server could not find the requested resource (GET /apis/autoscaling/v2/namespaces/shop/horizontalpodautoscalers)',
  });
  await t.rejects(c.replace('Deployment', { metadata: { name: 'bad' } }), {
    constructor: MeshError,
    exitCode: ExitCode.failed,
    message: /^Deployment\.apps "bad" is invalid: spec\.replicas/,
  });
  await t.rejects(c.get('Service', 'shop', 'boom'), {
    exitCode: ExitCode.failed,
    message: 'GET /api/v1/namespaces/shop/services/boom: 500 Internal Server Error: etcdserver: request timed out',
    hint: /retry/,
  });
  await t.rejects(c.get('Service', 'shop', 'busy'), {
    message: 'GET /api/v1/namespaces/shop/services/busy: 503 Service Unavailable: upstream connect error',
  });
  const lines = await Promise.all(['forbidden', 'boom', 'busy'].map((n) => c.get('Service', 'shop', n).catch((e: Error) => e.message)));
  t.notMatch(lines.join('|'), /\n/, 'messages are one line');
  t.equal(c.requestCount, 12);
  t.match(c.lines[0], / 403 Forbidden in \d+ milliseconds$/);
  t.match(
    c.lines[1],
    new RegExp(`^PUT ${srv.url}/apis/apps/v1/namespaces/shop/deployments/web\\?fieldManager=kubectl-mesh 409 Conflict in`),
  );
});

t.test('namespaceExists', async (t) => {
  const srv = await apiServer(t, (r) =>
    r.path === '/api/v1/namespaces/shop' ? { body: { metadata: { name: 'shop' } } } : { status: 404, body: kstatus(404, 'NotFound', 'x') },
  );
  const c = await client(t, srv.url);
  t.equal(await c.namespaceExists('shop'), true);
  t.equal(await c.namespaceExists('nope'), false);
});

t.test('impersonation: --as/--as-group become headers and the recorded user', async (t) => {
  const srv = await apiServer(t, () => ({ body: { gitVersion: 'v1' } }));
  const c = await client(t, srv.url, { as: 'bob', asGroups: ['devs', 'ops'] });
  await c.serverVersion();
  t.equal(c.userName, 'bob');
  t.same(srv.seen[0]?.distinct['impersonate-user'], ['bob']);
  t.same(srv.seen[0]?.distinct['impersonate-group'], ['devs', 'ops']);
  t.equal(srv.seen[0]?.headers.authorization, 'Bearer secret', 'still authenticates as the kubeconfig user');

  const fromKubeconfig = await client(t, srv.url, { kcUser: { token: 't', as: 'carol', 'as-groups': ['qa'] } });
  await fromKubeconfig.serverVersion();
  t.same(srv.seen[1]?.distinct['impersonate-user'], ['carol']);
  t.same(srv.seen[1]?.distinct['impersonate-group'], ['qa']);
  t.equal(fromKubeconfig.userName, 'carol', 'history records the impersonated user');

  const uidExtra = await client(t, srv.url, {
    kcUser: { as: 'dave', 'as-uid': 'u-1', 'as-user-extra': { 'scopes.example/x': ['a', 'b'] } },
  });
  await uidExtra.serverVersion();
  t.same(srv.seen[2]?.distinct['impersonate-uid'], ['u-1']);
  t.same(srv.seen[2]?.distinct['impersonate-extra-scopes.example%2fx'], ['a', 'b']);
  srv.seen.splice(2);

  const plain = await client(t, srv.url);
  await plain.serverVersion();
  t.notOk(srv.seen[2]?.headers['impersonate-user'], 'no impersonation unless asked');
  await t.rejects(client(t, srv.url, { asGroups: ['devs'] }), { constructor: UsageError, message: /--as-group and --as-uid need --as/ });
  await t.rejects(client(t, srv.url, { asUid: 'u-2' }), { constructor: UsageError, message: /need --as/ });
  const uidFlag = await client(t, srv.url, { as: 'erin', asUid: 'u-9', kcUser: { token: 't', as: 'carol', 'as-groups': ['qa'] } });
  await uidFlag.serverVersion();
  t.same(
    [
      srv.seen.at(-1)?.distinct['impersonate-user'],
      srv.seen.at(-1)?.distinct['impersonate-uid'],
      srv.seen.at(-1)?.distinct['impersonate-group'],
    ],
    [['erin'], ['u-9'], ['qa']],
    'flags replace the fields they name; the kubeconfig keeps the rest (client-go merges field by field)',
  );
});

t.test('credentials: tokenFile relative to the kubeconfig, basic auth, exec plugin', async (t) => {
  const srv = await apiServer(t, () => ({ body: {} }));
  const c1 = await client(t, srv.url, { kcUser: { tokenFile: 'token' } }).catch((e: Error) => e);
  t.match(c1, { constructor: UsageError, message: /cannot read a file named in the kubeconfig: ENOENT/ }, 'a missing token file is named');

  const file = kubeconfigFor(srv.url, { tokenFile: 'token' });
  writeFileSync(join(file, '..', 'token'), 'from-file\n');
  const c2 = await connect({ kubeconfig: file });
  t.teardown(() => {
    c2.close();
  });
  await c2.serverVersion();
  t.equal(srv.seen.at(-1)?.headers.authorization, 'Bearer from-file', 'trimmed, like client-go');

  const c3 = await client(t, srv.url, { kcUser: { username: 'admin', password: 'pw' } });
  await c3.serverVersion();
  t.equal(srv.seen.at(-1)?.headers.authorization, `Basic ${Buffer.from('admin:pw').toString('base64')}`);

  const withExec = kubeconfigFor(srv.url, {
    exec: { apiVersion: 'client.authentication.k8s.io/v1', command: './bin/cred', args: ['tok-42'] },
  });
  mkdirSync(join(withExec, '..', 'bin'));
  const script = join(withExec, '..', 'bin', 'cred');
  writeFileSync(
    script,
    '#!/bin/sh\nprintf \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}\' "$1"\n',
  );
  chmodSync(script, 0o755);
  const c4 = await connect({ kubeconfig: withExec });
  t.teardown(() => {
    c4.close();
  });
  await c4.serverVersion();
  await c4.serverVersion();
  t.equal(srv.seen.at(-1)?.headers.authorization, 'Bearer tok-42', 'relative exec command ran from the kubeconfig directory');

  const v1 = 'client.authentication.k8s.io/v1';
  const failing = await connect({ kubeconfig: kubeconfigFor(srv.url, { exec: { apiVersion: v1, command: '/bin/false' } }) });
  await t.rejects(failing.serverVersion(), {
    constructor: ExternalToolError,
    message: 'the credential plugin "/bin/false" of kubeconfig user "alice" exited with code 1',
  });
  const absent = await connect({
    kubeconfig: kubeconfigFor(srv.url, {
      exec: { apiVersion: v1, command: './bin/no-such-plugin', installHint: 'get it from example.com' },
    }),
  });
  await t.rejects(absent.serverVersion(), {
    constructor: ExternalToolError,
    message: /^cannot run the credential plugin ".*no-such-plugin" of kubeconfig user "alice": ENOENT/,
    hint: 'get it from example.com',
  });
  await t.rejects(connect({ kubeconfig: kubeconfigFor(srv.url, { exec: { command: '/bin/true' } }) }), {
    constructor: UsageError,
    message: /exec apiVersion "" is not supported/,
  });
});

t.test('TLS: certificate-authority from the kubeconfig, or insecure-skip-tls-verify', async (t) => {
  const srv = await apiServer(t, () => ({ body: { gitVersion: 'tls-ok' } }), { key: pem('server.key'), cert: pem('server.crt') });
  const byFile = await client(t, srv.url, { kcCluster: { 'certificate-authority': join(fixtures, 'ca.crt') } });
  t.equal(await byFile.serverVersion(), 'tls-ok');
  const inline = await client(t, srv.url, { kcCluster: { 'certificate-authority-data': pem('ca.crt').toString('base64') } });
  t.equal(await inline.serverVersion(), 'tls-ok', 'inline CA data works too');
  const untrusted = await client(t, srv.url);
  await t.rejects(untrusted.serverVersion(), {
    constructor: UnreachableError,
    message: new RegExp(`^cannot reach the Kubernetes API server at ${srv.url}: `),
    hint: /certificate-authority/,
  });
  const insecure = await client(t, srv.url, { kcCluster: { 'insecure-skip-tls-verify': true } });
  t.equal(await insecure.serverVersion(), 'tls-ok', 'insecure-skip-tls-verify is honoured');
  const missingCa = client(t, srv.url, { kcCluster: { 'certificate-authority': 'no-such-ca.crt' } });
  await t.rejects(missingCa, { constructor: UsageError, message: /cannot read a file named in the kubeconfig: ENOENT.*no-such-ca\.crt/ });
});

t.test('TLS to an IP address: the IP SANs are checked, and no SNI is sent (as Go does)', async (t) => {
  const sni: (string | false | null)[] = [];
  const names = await apiServer(t, () => ({ body: { gitVersion: 'names-only' } }), {
    key: pem('localhost-only.key'),
    cert: pem('localhost-only.crt'),
  });
  // A certificate for DNS:localhost only does not prove the identity of 127.0.0.1.
  const wrongHost = await client(t, names.url, { kcCluster: { 'certificate-authority': join(fixtures, 'names-only-ca.crt') } });
  await t.rejects(wrongHost.serverVersion(), {
    constructor: UnreachableError,
    message: /IP: 127\.0\.0\.1 is not in the cert's list/,
  });
  // With tls-server-name the name is both sent and checked.
  const byName = await client(t, names.url, {
    kcCluster: { 'certificate-authority': join(fixtures, 'names-only-ca.crt'), 'tls-server-name': 'localhost' },
  });
  t.equal(await byName.serverVersion(), 'names-only');
  const ip = https.createServer({ key: pem('server.key'), cert: pem('server.crt') }, (req, res) => {
    sni.push((req.socket as import('node:tls').TLSSocket).servername);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ gitVersion: 'ip-san' }));
  });
  await new Promise<void>((r) => ip.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    ip.closeAllConnections();
    ip.close();
  });
  const byIp = await client(t, `https://127.0.0.1:${(ip.address() as AddressInfo).port}`, {
    kcCluster: { 'certificate-authority': join(fixtures, 'ca.crt') },
  });
  t.equal(await byIp.serverVersion(), 'ip-san', 'a certificate with the IP in its SANs is accepted');
  t.same(sni, [false], 'no SNI for an IP address');
});

t.test('TLS client certificate reaches the server', async (t) => {
  const server = https.createServer(
    { key: pem('server.key'), cert: pem('server.crt'), ca: pem('ca.crt'), requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      const cert = (req.socket as import('node:tls').TLSSocket).getPeerCertificate();
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ gitVersion: cert.subject?.CN }));
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    server.closeAllConnections();
    server.close();
  });
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const c = await client(t, url, {
    kcUser: { 'client-certificate': join(fixtures, 'client.crt'), 'client-key': join(fixtures, 'client.key') },
    kcCluster: { 'certificate-authority': join(fixtures, 'ca.crt') },
  });
  t.equal(await c.serverVersion(), 'alice', 'the server saw CN=alice');
});

t.test('proxy-url: requests tunnel through the proxy (CONNECT, then TLS to the API server)', async (t) => {
  const srv = await apiServer(t, () => ({ body: { gitVersion: 'via-proxy' } }), { key: pem('server.key'), cert: pem('server.crt') });
  // A CONNECT proxy that sends every tunnel to the local API server, recording the asked-for target.
  const targets: string[] = [];
  const proxy = http.createServer();
  proxy.on('connect', (req: http.IncomingMessage, socket: Socket, head: Buffer) => {
    targets.push(req.url ?? '');
    const upstream = netConnect(Number(new URL(srv.url).port), '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  t.teardown(() => {
    proxy.closeAllConnections();
    proxy.close();
  });
  const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
  const c = await client(t, 'https://api.cluster.invalid:6443', {
    kcCluster: { 'proxy-url': proxyUrl, 'certificate-authority': join(fixtures, 'ca.crt'), 'tls-server-name': 'localhost' },
  });
  t.equal(await c.serverVersion(), 'via-proxy');
  t.same(targets, ['api.cluster.invalid:6443']);
  t.equal(srv.seen[0]?.headers.host, 'api.cluster.invalid:6443');
});

t.test('a server without a scheme is https, as in client-go', async (t) => {
  const srv = await apiServer(t, () => ({ body: { gitVersion: 'tls' } }), { key: pem('server.key'), cert: pem('server.crt') });
  const c = await client(t, srv.url.replace('https://', ''), { kcCluster: { 'certificate-authority': join(fixtures, 'ca.crt') } });
  t.equal(c.server, srv.url);
  t.equal(await c.serverVersion(), 'tls');
});

t.test('unreachable server and request timeout', async (t) => {
  const closed = http.createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((r) => closed.close(r));
  const c = await client(t, url);
  await t.rejects(c.serverVersion(), {
    constructor: UnreachableError,
    exitCode: ExitCode.unreachable,
    message: new RegExp(`^cannot reach the Kubernetes API server at ${url}: .*ECONNREFUSED`),
    hint: 'check --context/--kubeconfig, or that the cluster is running',
  });
  t.equal(c.requestCount, 1);
  t.match(c.lines, [new RegExp(`^GET ${url}/version  in \\d+ milliseconds$`)]);

  const srv = await apiServer(t, (r) => (r.path === '/version' ? 'hang' : 'stall'));
  const slow = await client(t, srv.url, { requestTimeoutMs: 150 });
  const started = Date.now();
  await t.rejects(slow.serverVersion(), {
    constructor: UnreachableError,
    message: `cannot reach the Kubernetes API server at ${srv.url}: no answer within 150ms`,
    hint: /--request-timeout/,
  });
  await t.rejects(slow.list('Pod', 'shop'), { message: /no answer within 150ms/ }, 'a stalled body is bounded too');
  t.ok(Date.now() - started < 2000, 'both gave up promptly');
});

t.test('HTTP/2 when the server offers it: parallel requests share one TLS connection', async (t) => {
  const { createSecureServer } = await import('node:http2');
  let sessions = 0;
  const seen: string[] = [];
  const server = createSecureServer(
    { key: pem('server.key'), cert: pem('server.crt'), ca: pem('ca.crt'), requestCert: true, rejectUnauthorized: true },
    (req, res) => {
      seen.push(`${req.httpVersion} ${req.headers.authorization ?? ''} ${req.url}`);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ items: [{ metadata: { name: req.url } }] }));
    },
  );
  server.on('session', () => sessions++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const c = await client(t, url, {
    kcUser: { 'client-certificate': join(fixtures, 'client.crt'), 'client-key': join(fixtures, 'client.key'), token: 'abc' },
    kcCluster: { 'certificate-authority': join(fixtures, 'ca.crt') },
  });
  const lists = await Promise.all([
    c.list('Service', 'shop'),
    c.list('Deployment', 'shop'),
    c.list('Pod', 'shop', { labelSelector: 'app=x' }),
  ]);
  t.same(
    lists.map((l) => l[0].metadata.name),
    [
      '/api/v1/namespaces/shop/services?limit=500',
      '/apis/apps/v1/namespaces/shop/deployments?limit=500',
      '/api/v1/namespaces/shop/pods?labelSelector=app%3Dx&limit=500',
    ],
  );
  t.equal(sessions, 1, 'one connection for three parallel requests');
  t.ok(
    seen.every((s) => s.startsWith('2.0 Bearer abc ')),
    'HTTP/2 with the bearer token',
  );
  t.equal(c.requestCount, 3);
});

/** An HTTP/2 API server (TLS, the test CA) whose handler can act on the session; counts sessions. */
async function h2Server(
  t: Tap,
  handler: (req: import('node:http2').Http2ServerRequest, res: import('node:http2').Http2ServerResponse, n: number) => void,
) {
  const { createSecureServer } = await import('node:http2');
  const state = { sessions: 0, requests: 0, url: '' };
  const server = createSecureServer({ key: pem('server.key'), cert: pem('server.crt') }, (req, res) => {
    handler(req, res, ++state.requests);
  });
  server.on('session', () => state.sessions++);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  state.url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}
const json = (res: import('node:http2').Http2ServerResponse, body: unknown, status = 200, headers: Record<string, string> = {}) => {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body));
};
const caCluster = { 'certificate-authority': join(fixtures, 'ca.crt') };

t.test('a session that got GOAWAY is dropped: the next request opens a new one', async (t) => {
  const srv = await h2Server(t, (req, res, n) => {
    json(res, { gitVersion: `v${n}` });
    if (n === 1) req.stream.session?.goaway(); // what kube-apiserver sends when it shuts down
  });
  const c = await client(t, srv.url, { kcCluster: caCluster });
  t.equal(await c.serverVersion(), 'v1');
  await new Promise((r) => setTimeout(r, 50));
  t.equal(await c.serverVersion(), 'v2', 'no ERR_HTTP2_INVALID_SESSION');
  t.equal(srv.sessions, 2);
});

t.test('a GET on a connection that breaks is sent once more on a fresh session; a write is not', async (t) => {
  const srv = await h2Server(t, (req, res, n) => {
    if (n === 1 || n === 3) {
      req.stream.session?.destroy();
      return;
    } // the connection drops mid-request
    json(res, { gitVersion: 'ok' }, req.method === 'POST' ? 201 : 200);
  });
  const c = await client(t, srv.url, { kcCluster: caCluster });
  t.equal(await c.serverVersion(), 'ok', 'retried');
  t.equal(c.requestCount, 2);
  await t.rejects(
    c.create('Service', { metadata: { name: 'x', namespace: 'shop' } }),
    UnreachableError,
    'a POST that may have been processed is not repeated',
  );
  t.equal(srv.requests, 3);
});

t.test('429 with Retry-After is waited out; Warning headers reach the warn callback once', async (t) => {
  const srv = await h2Server(t, (_req, res, n) => {
    if (n === 1) {
      json(res, kstatus(429, 'TooManyRequests', 'slow down'), 429, { 'retry-after': '1' });
      return;
    }
    json(res, { gitVersion: 'ok' }, 200, { warning: '299 - "v1alpha3 is deprecated"' });
  });
  const warnings: string[] = [];
  const c = await client(t, srv.url, { kcCluster: caCluster, warn: (w) => warnings.push(w) });
  const started = Date.now();
  t.equal(await c.serverVersion(), 'ok');
  t.ok(Date.now() - started >= 900, 'waited Retry-After');
  await c.serverVersion();
  t.same(warnings, ['v1alpha3 is deprecated'], 'once per text, as kubectl');
});

t.test('a 401 with exec credentials runs the plugin again, once', async (t) => {
  const srv = await h2Server(t, (req, res) => {
    if (req.headers.authorization === 'Bearer good') json(res, { gitVersion: 'ok' });
    else json(res, kstatus(401, 'Unauthorized', 'Unauthorized'), 401);
  });
  const dir = join(root, `exec${++seq}`);
  mkdirSync(dir);
  const script = join(dir, 'cred');
  // First run: a token the server no longer accepts (cached, not yet expired); then a good one.
  writeFileSync(
    script,
    `#!/bin/sh\nf=${dir}/n; n=$(cat $f 2>/dev/null || echo 0); echo $((n+1)) > $f\nif [ "$n" = 0 ]; then t=stale; else t=good; fi\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"2999-01-01T00:00:00Z"}}' $t\n`,
  );
  chmodSync(script, 0o755);
  const c = await client(t, srv.url, {
    kcCluster: caCluster,
    kcUser: { exec: { apiVersion: 'client.authentication.k8s.io/v1', command: script, interactiveMode: 'Never' } },
  });
  t.equal(await c.serverVersion(), 'ok');
  t.equal(readFileSync(join(dir, 'n'), 'utf8').trim(), '2', 'the plugin ran twice');
  const bad = await client(t, srv.url, { kcCluster: caCluster, kcUser: { token: 'never-good' } });
  await t.rejects(bad.serverVersion(), UnauthorizedError, 'a static token is not retried');
});
