// Parity with kubectl: for each way of naming a cluster and an identity (every connection flag,
// KUBECONFIG orders, proxies, in-cluster, exec plugins, impersonation), `kubectl auth whoami -o json`
// and `kubectl mesh` run with the same arguments and environment, and the API server's audit log is
// the witness that both — and the istioctl the plugin runs — reached the same server as the same
// user. A private kube-apiserver (same binary, etcd and tokens as the test cluster, own port, audit
// log on) serves every case, so the shared API server is never touched.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { stringify } from 'yaml';
import { kubectl, mesh, type Result, type RunOptions } from './harness.js';
import { actingUser, startPrivateApiserver, type AuditEvent, type PrivateApiserver } from './parity-support.js';
import { createApp, createNamespace, deleteNamespace, must, scratchNamespace } from './support.js';
import { socksServer } from '../support/socks5-server.js';

const ns = scratchNamespace('parity');
const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-parity-'));
const SA_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
let api: PrivateApiserver;
let proxy: { port: number; targets: string[]; close(): void };
let socks: Awaited<ReturnType<typeof socksServer>>;
let certFile = '';
let keyFile = '';
let saToken = '';

interface Identity {
  username: string;
  groups: string[];
  uid?: string;
  extra?: Record<string, string[]>;
}

/** A loopback CONNECT proxy that sends every tunnel to the private API server, recording the target asked for. */
async function connectProxy(to: () => number): Promise<typeof proxy> {
  const targets: string[] = [];
  const server = http.createServer((_req, res) => {
    res.writeHead(405);
    res.end();
  });
  server.on('connect', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    targets.push(req.url ?? '');
    const upstream = net.connect(to(), '127.0.0.1', () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      upstream.write(head);
      upstream.pipe(socket).pipe(upstream);
    });
    upstream.on('error', () => socket.destroy());
    socket.on('error', () => upstream.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    targets,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

const write = (name: string, text: string, mode = 0o600): string => {
  const f = path.join(dir, name);
  writeFileSync(f, text, { mode });
  return f;
};

/** A kubeconfig for the private API server; `user` is the kubeconfig user's fields. */
function kubeconfig(
  name: string,
  user: Record<string, unknown>,
  cluster: Record<string, unknown> = {},
  extra: Record<string, unknown> = {},
): string {
  return write(
    name,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'p',
      clusters: [{ name: 'private', cluster: { server: api.server, 'certificate-authority': api.caFile, ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'p', context: { cluster: 'private', user: 'u', namespace: ns } }],
      ...extra,
    }),
  );
}

const NO_KUBECONFIG = () => ({ KUBECONFIG: path.join(dir, 'does-not-exist') });

interface Case {
  name: string;
  /** Connection arguments given to both kubectl and kubectl mesh. */
  args: () => string[];
  env?: () => RunOptions['env'];
  /** Who the server must see. */
  expect: () => Partial<Identity>;
  /** Extra checks after both ran (proxy targets, exec info …). */
  check?: (t: Tap, events: AuditEvent[]) => void | Promise<void>;
  before?: () => void | Promise<void>;
  /** Between the kubectl run and the kubectl mesh run. */
  beforeMesh?: () => void;
  after?: () => void | Promise<void>;
}
type Tap = Pick<typeof t, 'ok' | 'same' | 'match' | 'equal'>;

const admin = (): Partial<Identity> => ({ username: 'admin', groups: ['system:masters', 'system:authenticated'] });
const certUser = (): Partial<Identity> => ({ username: 'cert-user', groups: ['system:masters', 'system:authenticated'] });
/** The private API server named by a host its certificate lacks (vm), verified as localhost. */
const viaVm = (): string[] => [
  '--server',
  `https://vm:${api.port}`,
  '--tls-server-name',
  'localhost',
  '--certificate-authority',
  api.caFile,
  '--token',
  api.adminToken,
];
const clearProxy = (): void => {
  proxy.targets.length = 0;
};

const cases: Case[] = [
  {
    name: '--kubeconfig (token in the file)',
    args: () => ['--kubeconfig', kubeconfig('plain.yaml', { token: api.adminToken })],
    env: NO_KUBECONFIG,
    expect: admin,
  },
  {
    name: 'KUBECONFIG=<file> with token-file',
    args: () => [],
    env: () => ({ KUBECONFIG: kubeconfig('tf.yaml', { tokenFile: write('token', `${api.adminToken}\n`) }) }),
    expect: admin,
  },
  {
    name: "KUBECONFIG=a:b (a's current-context wins)",
    args: () => [],
    env: () => ({ KUBECONFIG: [several('a', 'cert'), several('b', 'admin')].join(path.delimiter) }),
    expect: certUser,
  },
  {
    name: 'KUBECONFIG=b:a (order reversed)',
    args: () => [],
    env: () => ({ KUBECONFIG: [several('b', 'admin'), several('a', 'cert')].join(path.delimiter) }),
    expect: admin,
  },
  { name: '--context', args: () => ['--kubeconfig', multi(), '--context', 'cert-ctx'], expect: certUser },
  { name: '--user', args: () => ['--kubeconfig', multi(), '--user', 'cert'], expect: certUser },
  {
    name: '--cluster (the context names a dead one)',
    args: () => ['--kubeconfig', multi(), '--context', 'dead-ctx', '--cluster', 'private'],
    expect: admin,
  },
  {
    name: '-s/--server, --certificate-authority, --token (no kubeconfig)',
    args: () => ['-s', api.server, '--certificate-authority', api.caFile, '--token', api.adminToken],
    env: NO_KUBECONFIG,
    expect: admin,
  },
  {
    name: '--server=URL --insecure-skip-tls-verify',
    args: () => [`--server=${api.server}`, '--insecure-skip-tls-verify', `--token=${api.adminToken}`],
    env: NO_KUBECONFIG,
    expect: admin,
  },
  {
    name: '--tls-server-name (server named by a host the certificate lacks)',
    args: viaVm,
    env: NO_KUBECONFIG,
    expect: admin,
  },
  {
    name: '--client-certificate, --client-key',
    args: () => ['--kubeconfig', kubeconfig('nouser.yaml', {}), '--client-certificate', certFile, '--client-key', keyFile],
    expect: certUser,
  },
  {
    name: 'CA, certificate and key as data in the kubeconfig',
    args: () => [],
    env: () => ({
      KUBECONFIG: kubeconfig(
        'data.yaml',
        { 'client-certificate-data': b64(certFile), 'client-key-data': b64(keyFile) },
        { 'certificate-authority': undefined, 'certificate-authority-data': b64(api.caFile) },
      ),
    }),
    expect: certUser,
  },
  {
    name: '--as, --as-group, --as-uid (+ as-user-extra from the kubeconfig)',
    args: () => [
      '--kubeconfig',
      kubeconfig('extra.yaml', { token: api.adminToken, 'as-user-extra': { 'team.example.com/name': ['mesh'] } }),
      '--as',
      'alice',
      '--as-group',
      'system:masters',
      '--as-group',
      'devs',
      '--as-uid',
      'uid-alice',
    ],
    expect: () => ({
      username: 'alice',
      uid: 'uid-alice',
      groups: ['system:masters', 'devs', 'system:authenticated'],
      extra: { 'team.example.com/name': ['mesh'] },
    }),
  },
  {
    name: '--request-timeout 30 (bare seconds), --cache-dir, --disable-compression',
    args: () => [
      '--kubeconfig',
      kubeconfig('cache.yaml', { token: api.adminToken }),
      '--request-timeout',
      '30',
      '--cache-dir',
      path.join(dir, 'cache-flag'),
      '--disable-compression',
    ],
    expect: admin,
    check: (t) => {
      const file = path.join(dir, 'cache-flag', 'discovery', `127.0.0.1_${api.port}`, 'servergroups.json');
      t.ok(existsSync(file), "discovery cached under --cache-dir, in kubectl's layout");
    },
  },
  {
    name: 'HTTPS_PROXY through a loopback CONNECT proxy',
    before: clearProxy,
    args: viaVm,
    env: () => ({ ...NO_KUBECONFIG(), HTTPS_PROXY: `http://127.0.0.1:${proxy.port}` }),
    expect: admin,
    check: (t) => {
      t.ok(
        proxy.targets.filter((x) => x === `vm:${api.port}`).length >= 3,
        `kubectl, kubectl mesh and istioctl tunnelled (${proxy.targets.length} CONNECTs)`,
      );
    },
  },
  {
    name: 'NO_PROXY names the server: no tunnel',
    before: clearProxy,
    args: viaVm,
    env: () => ({ ...NO_KUBECONFIG(), HTTPS_PROXY: `http://127.0.0.1:${proxy.port}`, NO_PROXY: 'example.com,vm' }),
    expect: admin,
    check: (t) => {
      t.same(proxy.targets, [], 'nobody used the proxy');
    },
  },
  {
    name: 'proxy-url in the kubeconfig',
    before: clearProxy,
    args: () => [],
    env: () => ({
      KUBECONFIG: kubeconfig(
        'proxyurl.yaml',
        { token: api.adminToken },
        { server: `https://vm:${api.port}`, 'tls-server-name': 'localhost', 'proxy-url': `http://127.0.0.1:${proxy.port}` },
      ),
    }),
    expect: admin,
    check: (t) => {
      t.ok(proxy.targets.filter((x) => x === `vm:${api.port}`).length >= 3, `all three tunnelled (${proxy.targets.length} CONNECTs)`);
    },
  },
  {
    // kubectl and istioctl (Go) send the name for socks5; kubectl mesh resolves it here (vm → 127.0.0.1).
    name: 'proxy-url: socks5:// with a username and password',
    before: () => {
      socks.asked.length = 0;
    },
    args: () => [],
    env: () => ({ KUBECONFIG: socksKubeconfig('socks5') }),
    expect: admin,
    check: (t) => {
      const tunnels = socks.asked.filter((a) => a.port === api.port).map((a) => a.host);
      t.ok(
        tunnels.includes('vm') && tunnels.includes('127.0.0.1'),
        `kubectl, kubectl mesh and istioctl went through it (${tunnels.join(', ')})`,
      );
      t.ok(
        socks.methods.length > 0 && socks.methods.every((m) => m.includes(2)),
        'each offered username/password (the proxy takes nothing else)',
      );
    },
  },
  {
    name: 'exec plugin (provideClusterInfo, interactiveMode Never)',
    args: () => [],
    env: () => ({ KUBECONFIG: kubeconfig('exec.yaml', { exec: execUser('exec-info', 'always-good') }) }),
    expect: admin,
    check: (t) => {
      const info = JSON.parse(readFileSync(path.join(dir, 'exec-info'), 'utf8'));
      t.match(
        info,
        { kind: 'ExecCredential', spec: { interactive: false, cluster: { server: api.server } } },
        'KUBERNETES_EXEC_INFO carried the cluster',
      );
    },
  },
  {
    name: 'exec plugin whose cached token expired: refreshed on 401',
    args: () => [],
    // Each tool starts with a plugin that hands out a stale token first.
    before: () => {
      rmSync(path.join(dir, 'exec-count'), { force: true });
    },
    beforeMesh: () => {
      rmSync(path.join(dir, 'exec-count'), { force: true });
    },
    env: () => ({ KUBECONFIG: kubeconfig('exec-stale.yaml', { exec: execUser('exec-info-2', 'stale-first') }) }),
    expect: admin,
    check: (t, events) => {
      // (kubectl's own path to a fresh token is not asserted: only that it ends as the same user.)
      const mine = events.filter((e) => /^kubectl-mesh/.test(e.userAgent ?? ''));
      t.ok(
        mine.some((e) => e.responseStatus?.code === 401),
        'kubectl mesh: the stale token got a 401',
      );
      t.ok(
        mine.some((e) => (e.responseStatus?.code ?? 0) < 300 && actingUser(e) === 'admin'),
        'kubectl mesh: then the fresh one worked, in the same command',
      );
    },
  },
  {
    name: 'in-cluster: service-account files + KUBERNETES_SERVICE_HOST/PORT, no kubeconfig',
    args: () => [],
    before: () => {
      installServiceAccount();
    },
    after: () => {
      removeServiceAccount();
    },
    env: () => ({
      KUBECONFIG: undefined,
      HOME: mkdtempSync(path.join(dir, 'home-')),
      KUBERNETES_SERVICE_HOST: '127.0.0.1',
      KUBERNETES_SERVICE_PORT: String(api.port),
    }),
    expect: () => ({ username: `system:serviceaccount:${ns}:parity-runner` }),
  },
];

const b64 = (file: string): string => readFileSync(file).toString('base64');

/** The private API server named vm, reached through the SOCKS5 proxy (which wants mesh:pw). */
const socksKubeconfig = (scheme: 'socks5' | 'socks5h'): string =>
  kubeconfig(
    `${scheme}.yaml`,
    { token: api.adminToken },
    { server: `https://vm:${api.port}`, 'tls-server-name': 'localhost', 'proxy-url': `${scheme}://mesh:pw@127.0.0.1:${socks.port}` },
  );

/** A file of a KUBECONFIG list: its own current context (user cert or admin) on the private server. */
function several(name: string, who: 'cert' | 'admin'): string {
  return write(
    `several-${name}.yaml`,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': `${name}-ctx`,
      clusters: [{ name: 'private', cluster: { server: api.server, 'certificate-authority': api.caFile } }],
      users: [
        who === 'cert'
          ? { name: `${name}-u`, user: { 'client-certificate': certFile, 'client-key': keyFile } }
          : { name: `${name}-u`, user: { token: api.adminToken } },
      ],
      contexts: [{ name: `${name}-ctx`, context: { cluster: 'private', user: `${name}-u`, namespace: ns } }],
    }),
  );
}

/** Contexts admin-ctx, cert-ctx and dead-ctx (a cluster nobody listens on). */
function multi(): string {
  return write(
    'multi.yaml',
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      'current-context': 'admin-ctx',
      clusters: [
        { name: 'private', cluster: { server: api.server, 'certificate-authority': api.caFile } },
        { name: 'dead', cluster: { server: 'https://127.0.0.1:1', 'certificate-authority': api.caFile } },
      ],
      users: [
        { name: 'admin', user: { token: api.adminToken } },
        { name: 'cert', user: { 'client-certificate': certFile, 'client-key': keyFile } },
      ],
      contexts: [
        { name: 'admin-ctx', context: { cluster: 'private', user: 'admin', namespace: ns } },
        { name: 'cert-ctx', context: { cluster: 'private', user: 'cert', namespace: ns } },
        { name: 'dead-ctx', context: { cluster: 'dead', user: 'admin', namespace: ns } },
      ],
    }),
  );
}

/** An exec user whose plugin records KUBERNETES_EXEC_INFO and prints the admin token ("stale-first": a bad one on its first run). */
function execUser(infoFile: string, mode: 'always-good' | 'stale-first') {
  const script = write(
    `cred-${infoFile}.sh`,
    [
      '#!/bin/sh',
      `printf '%s' "$KUBERNETES_EXEC_INFO" > ${path.join(dir, infoFile)}`,
      `n=$(cat ${path.join(dir, 'exec-count')} 2>/dev/null || echo 0); echo $((n+1)) > ${path.join(dir, 'exec-count')}`,
      `tok=${api.adminToken}`,
      mode === 'stale-first' ? 'if [ "$n" = 0 ]; then tok=expired-token; fi' : '',
      // Not yet expired by its own account: only the server's 401 says it no longer works.
      'printf \'{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s","expirationTimestamp":"2999-01-01T00:00:00Z"}}\' "$tok"',
      '',
    ].join('\n'),
    0o700,
  );
  return { apiVersion: 'client.authentication.k8s.io/v1', command: script, provideClusterInfo: true, interactiveMode: 'Never' };
}

// The service-account directory kubectl reads is fixed; whatever is there is put back afterwards.
let saBackup: Map<string, Buffer> | undefined;
let saCreated: string[] = [];
function installServiceAccount(): void {
  saBackup = new Map();
  if (existsSync(SA_DIR)) for (const f of readdirSync(SA_DIR)) saBackup.set(f, readFileSync(path.join(SA_DIR, f)));
  saCreated = [];
  for (let d = SA_DIR; !existsSync(d); d = path.dirname(d)) saCreated.unshift(d);
  mkdirSync(SA_DIR, { recursive: true });
  writeFileSync(path.join(SA_DIR, 'token'), saToken);
  writeFileSync(path.join(SA_DIR, 'ca.crt'), readFileSync(api.caFile));
  writeFileSync(path.join(SA_DIR, 'namespace'), ns);
}
function removeServiceAccount(): void {
  if (!saBackup) return;
  for (const f of ['token', 'ca.crt', 'namespace']) {
    const old = saBackup.get(f);
    if (old) writeFileSync(path.join(SA_DIR, f), old);
    else rmSync(path.join(SA_DIR, f), { force: true });
  }
  for (const d of [...saCreated].reverse()) rmSync(d, { recursive: true, force: true });
  saBackup = undefined;
}

t.before(async () => {
  api = await startPrivateApiserver(`parity-${process.pid}`);
  proxy = await connectProxy(() => api.port);
  socks = await socksServer(
    {
      teardown: (fn) => {
        t.teardown(fn);
      },
    },
    api.port,
    { auth: { user: 'mesh', pass: 'pw' } },
  );
  await createNamespace(ns);
  await createApp(ns, 'web', ['v1', 'v2'], { hpa: false, replicas: 1 });
  // A client certificate of the test CA: CN=cert-user in group system:masters.
  keyFile = path.join(dir, 'cert-user.key');
  certFile = path.join(dir, 'cert-user.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-subj',
      '/O=system:masters/CN=cert-user',
      '-keyout',
      keyFile,
      '-out',
      path.join(dir, 'cert-user.csr'),
    ],
    { stdio: 'ignore' },
  );
  execFileSync(
    'openssl',
    [
      'x509',
      '-req',
      '-in',
      path.join(dir, 'cert-user.csr'),
      '-CA',
      api.caFile,
      '-CAkey',
      api.caKey,
      '-CAcreateserial',
      '-CAserial',
      path.join(dir, 'ca.srl'),
      '-days',
      '1',
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  chmodSync(keyFile, 0o600);
  // A service account with cluster-admin, and a token for it, for the in-cluster case.
  await must(kubectl(['create', 'serviceaccount', 'parity-runner', '-n', ns]), 'create serviceaccount');
  await must(
    kubectl(['create', 'clusterrolebinding', `parity-runner-${ns}`, '--clusterrole=cluster-admin', `--serviceaccount=${ns}:parity-runner`]),
    'create clusterrolebinding',
  );
  saToken = (await must(kubectl(['create', 'token', 'parity-runner', '-n', ns, '--duration=1h']), 'create token')).stdout.trim();
});

t.teardown(async () => {
  removeServiceAccount();
  proxy?.close();
  await api?.stop();
  await kubectl(['delete', 'clusterrolebinding', `parity-runner-${ns}`, '--ignore-not-found']);
  await deleteNamespace(ns);
  rmSync(dir, { recursive: true, force: true });
});

const witness: { name: string; kubectl: string; mesh: string; istioctl: string }[] = [];

function identityOf(r: Result): Identity {
  const info = JSON.parse(r.stdout).status.userInfo;
  return { username: info.username, groups: info.groups ?? [], uid: info.uid, extra: info.extra };
}

for (const c of cases) {
  t.test(c.name, async (t) => {
    await c.before?.();
    try {
      const env = c.env?.() ?? {};
      const mark = api.auditMark();
      const who = await kubectl(['auth', 'whoami', '-o', 'json', ...c.args()], { env });
      t.equal(who.code, 0, `kubectl auth whoami: ${who.stderr.trim()}`);
      if (who.code !== 0) return;
      const id = identityOf(who);
      t.match(id, c.expect(), `kubectl is ${id.username}`);
      c.beforeMesh?.();
      // A server-side dry run of a canary: reads, analysis with istioctl, a write the server judges.
      const run = await mesh(['canary', '10', 'web', '-n', ns, '--dry-run=server', '--no-input', ...c.args()], { env, timeoutMs: 90_000 });
      t.equal(run.code, 0, `kubectl mesh: ${run.stderr.trim()}`);
      t.notMatch(run.stderr, /istioctl analyze failed|only built-in checks ran/, 'istioctl ran');
      // status --proxies: istioctl proxy-status looks for istiod in the cluster (pods in istio-system).
      const status = await mesh(['status', 'web', '-n', ns, '--proxies', ...c.args()], { env, timeoutMs: 60_000 });
      t.equal(status.code, 0, `kubectl mesh status --proxies: ${status.stderr.trim()}`);
      const events = api.auditSince(mark);
      const by = (re: RegExp) => events.filter((e) => re.test(e.userAgent ?? '') && (e.responseStatus?.code ?? 0) < 400);
      const kube = by(/^kubectl\//);
      const ours = by(/^kubectl-mesh/);
      const istio = by(/^istioctl\//);
      t.ok(
        kube.length > 0 && ours.length > 0 && istio.length > 0,
        `all three reached this server (kubectl ${kube.length}, mesh ${ours.length}, istioctl ${istio.length} requests)`,
      );
      t.same([...new Set(ours.map(actingUser))], [id.username], 'kubectl mesh acted as the same user');
      t.same([...new Set(istio.map(actingUser))], [id.username], 'istioctl acted as the same user');
      t.ok(
        istio.some((e) => /^\/api\/v1\/namespaces\/istio-system\/pods\b/.test(e.requestURI)),
        'istioctl proxy-status (status --proxies) looked for istiod on this server',
      );
      // With impersonation the whole impersonated identity must match what whoami reports.
      for (const [tool, list] of [
        ['kubectl mesh', ours],
        ['istioctl', istio],
      ] as const) {
        const imp = list.find((e) => e.impersonatedUser)?.impersonatedUser;
        if (!imp) continue;
        t.same([imp.uid, [...(imp.groups ?? [])].sort()], [id.uid, [...id.groups].sort()], `${tool}: same impersonated uid and groups`);
        if (tool === 'kubectl mesh') t.same(imp.extra ?? {}, id.extra ?? {}, `${tool}: same impersonated extra`);
      }
      await c.check?.(t, events);
      witness.push({ name: c.name, kubectl: id.username, mesh: String(actingUser(ours[0])), istioctl: String(actingUser(istio[0])) });
    } finally {
      await c.after?.();
    }
  });
}

t.test('basic auth (--username/--password): both send it, this API server rejects it alike', async (t) => {
  const args = ['--server', api.server, '--certificate-authority', api.caFile, '--username', 'admin', '--password', 'pw'];
  const mark = api.auditMark();
  const k = await kubectl(['auth', 'whoami', ...args], { env: NO_KUBECONFIG() });
  const m = await mesh(['status', '-n', ns, ...args], { env: NO_KUBECONFIG() });
  t.not(k.code, 0, 'kubectl: rejected');
  t.equal(m.code, 6, `kubectl mesh: rejected with the credentials exit code (${m.stderr.trim()})`);
  t.match(m.stderr, /^error: unauthorized: /m);
  const events = api.auditSince(mark);
  t.ok(
    events.some((e) => /^kubectl\//.test(e.userAgent ?? '') && e.responseStatus?.code === 401),
    "the server saw kubectl's attempt (401)",
  );
  t.ok(
    events.some((e) => /^kubectl-mesh/.test(e.userAgent ?? '') && e.responseStatus?.code === 401),
    'and ours (401)',
  );
});

t.test('--wait --as a user who may not find istiod: istioctl is refused as that user, nothing is written', async (t) => {
  // mesh-user may release in ns (the kubectl-mesh ClusterRole) but not list pods in istio-system.
  await must(
    kubectl(['create', 'rolebinding', 'parity-mesh-user', '--clusterrole=kubectl-mesh', '--user=mesh-user', '-n', ns]),
    'bind mesh-user',
  );
  const args = ['--kubeconfig', kubeconfig('as-mesh-user.yaml', { token: api.adminToken }), '--as', 'mesh-user'];
  const mark = api.auditMark();
  const r = await mesh(['canary', '10', 'web', '-n', ns, '--yes', '--no-input', '--wait=5s', ...args], { timeoutMs: 90_000 });
  t.equal(r.code, 8, `exit code 8 (external tool): ${r.stderr.trim()}`);
  t.match(r.stderr, /^error: cannot ask istiod whether proxies have the change: .*; nothing was written/m);
  const events = api.auditSince(mark);
  const istio = events.filter((e) => /^istioctl\//.test(e.userAgent ?? ''));
  t.ok(istio.length > 0, `istioctl reached this server (${istio.length} requests)`);
  t.same([...new Set(istio.map(actingUser))], ['mesh-user'], 'istioctl acted as mesh-user, as kubectl mesh did');
  t.ok(
    istio.some((e) => e.responseStatus?.code === 403),
    'and was refused (403) where mesh-user has no rights',
  );
  const k = await kubectl(['get', 'pods', '-n', 'istio-system', ...args]);
  t.match(k.stderr, /Forbidden.*"mesh-user" cannot list resource "pods"/, 'kubectl with the same arguments is refused alike');
  const vs = await kubectl(['get', 'virtualservice', 'web', '-n', ns, '--kubeconfig', kubeconfig('check.yaml', { token: api.adminToken })]);
  t.match(vs.stderr, /NotFound/, 'nothing was written');
});

t.test('proxy-url: socks5h:// (kubectl refuses the scheme): kubectl mesh and istioctl let the proxy resolve vm', async (t) => {
  socks.asked.length = 0;
  const env = { KUBECONFIG: socksKubeconfig('socks5h') };
  const mark = api.auditMark();
  const r = await mesh(['canary', '10', 'web', '-n', ns, '--dry-run=server', '--no-input'], { env, timeoutMs: 90_000 });
  t.equal(r.code, 0, r.stderr.trim());
  t.notMatch(r.stderr, /istioctl analyze failed|only built-in checks ran/, 'istioctl ran (given socks5://, which client-go takes)');
  t.ok(
    socks.asked.length >= 2 && socks.asked.every((a) => a.atyp === 3 && a.host === 'vm' && a.port === api.port),
    `every tunnel asked for the name vm (${socks.asked.map((a) => `${a.host}:${a.port}`).join(', ')})`,
  );
  const by = (re: RegExp) => api.auditSince(mark).filter((e) => re.test(e.userAgent ?? '') && (e.responseStatus?.code ?? 0) < 400);
  t.ok(by(/^kubectl-mesh/).length > 0 && by(/^istioctl\//).length > 0, 'both reached the API server through it');
});

t.test('a warm discovery cache: the second command makes no discovery request', async (t) => {
  const cache = path.join(dir, 'cache-warm');
  const args = ['--kubeconfig', kubeconfig('warm.yaml', { token: api.adminToken }), '--cache-dir', cache, '-n', ns, '-v=6'];
  const cold = await mesh(['status', ...args]);
  t.equal(cold.code, 0, cold.stderr);
  t.match(cold.stderr, /GET \S+\/apis 200/, 'cold: /apis');
  const warm = await mesh(['status', ...args]);
  t.equal(warm.code, 0, warm.stderr);
  t.notMatch(warm.stderr, /GET \S+\/apis? 200/, 'warm: no discovery request');
  const k = await kubectl([
    'get',
    'virtualservices',
    '--cache-dir',
    cache,
    '-v=6',
    '--kubeconfig',
    kubeconfig('warm.yaml', { token: api.adminToken }),
    '-n',
    ns,
  ]);
  t.equal(k.code, 0, k.stderr);
});

t.test('GOAWAY: the API server restarts during status --watch; the watch carries on', { timeout: 300_000 }, async (t) => {
  const file = kubeconfig('watch.yaml', { token: api.adminToken });
  const { spawn } = await import('node:child_process');
  const { childEnv } = await import('./harness.js');
  const child = spawn('kubectl', ['mesh', 'status', 'web', '-n', ns, '--watch', '-o', 'json', '--kubeconfig', file], { env: childEnv({}) });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
  });
  child.stderr.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const until = async (what: string, ok: () => boolean, ms = 120_000) => {
    const deadline = Date.now() + ms;
    while (!ok()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; stdout: ${out.slice(-500)} stderr: ${err.slice(-500)}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  try {
    await until('the first status', () => out.includes('"web"'));
    const before = out.length;
    await api.restart(); // SIGTERM: kube-apiserver sends GOAWAY and closes; then the same process again
    const mark = api.auditMark();
    await must(mesh(['canary', '30', 'web', '-n', ns, '-y', '--no-input']), 'canary 30 on the shared API server');
    await until('a status after the restart showing the change', () => out.slice(before).includes('30'));
    t.pass('the watch printed the new weight after the restart');
    t.notMatch(err, /ERR_HTTP2_INVALID_SESSION|ERR_HTTP2_GOAWAY_SESSION/, 'no dead-session errors');
    t.equal(child.exitCode, null, 'still running');
    t.ok(
      api.auditSince(mark).some((e) => /^kubectl-mesh/.test(e.userAgent ?? '')),
      'the restarted server (audit log) served the watch',
    );
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => child.once('exit', r));
  }
});

t.test('witness table', async (t) => {
  for (const w of witness) t.comment(`${w.name.padEnd(72)} kubectl=${w.kubectl} mesh=${w.mesh} istioctl=${w.istioctl}`);
  t.equal(witness.length, cases.length, 'every case has a witness row');
});
