// kubectl's connection flags, honoured by the plugin as kubectl honours them: -n, --context, --kubeconfig,
// --cluster, --user, --request-timeout, and KUBECONFIG with several files (the FIRST file's current-context
// wins, as in kubectl; @kubernetes/client-node would take the last). Each case checks that kubectl mesh
// picks the same cluster/namespace as kubectl itself.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parse, stringify } from 'yaml';
import { createApp, createNamespace, deleteNamespace, errorLines, kubeconfig, kubectl, mesh, scratchNamespace } from './support.js';

const nsA = scratchNamespace('e2e-conn-a');
const nsB = scratchNamespace('e2e-conn-b');
const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-e2e-conn-'));
let base: any; // the test kubeconfig, parsed
let deadPort = 0; // a port with nothing listening
let silent: net.Server; // accepts connections and never answers
let silentPort = 0;

const servicesOf = (stdout: string) =>
  JSON.parse(stdout)
    .map((s: any) => `${s.namespace}/${s.service}`)
    .sort();
const write = (name: string, cfg: object) => {
  const f = path.join(dir, name);
  writeFileSync(f, stringify(cfg));
  return f;
};

t.before(async () => {
  base = parse(readFileSync(kubeconfig(), 'utf8'));
  await createNamespace(nsA);
  await createNamespace(nsB);
  await createApp(nsA, 'alpha', ['v1', 'v2'], { hpa: false, replicas: 1 });
  await createApp(nsB, 'beta', ['v1', 'v2'], { hpa: false, replicas: 1 });
  const probe = net.createServer();
  await new Promise<void>((r) =>
    probe.listen(0, '127.0.0.1', () => {
      r();
    }),
  );
  deadPort = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  silent = net.createServer((socket) => {
    socket.on('error', () => {});
  }); // never writes a byte
  await new Promise<void>((r) =>
    silent.listen(0, '127.0.0.1', () => {
      r();
    }),
  );
  silentPort = (silent.address() as net.AddressInfo).port;
});
t.teardown(async () => {
  silent.close();
  rmSync(dir, { recursive: true, force: true });
  await deleteNamespace(nsA);
  await deleteNamespace(nsB);
});

/** The test kubeconfig plus contexts ctx-a / ctx-b (namespaces A / B) and a cluster `dead` nobody listens on. */
function extended(current: string) {
  const server = base.clusters[0].cluster.server;
  return {
    ...base,
    'current-context': current,
    clusters: [
      ...base.clusters,
      { name: 'dead', cluster: { ...base.clusters[0].cluster, server: server.replace(/:\d+$/, `:${deadPort}`) } },
    ],
    contexts: [
      ...base.contexts,
      { name: 'ctx-a', context: { cluster: 'kubectl-mesh-test', user: 'admin', namespace: nsA } },
      { name: 'ctx-b', context: { cluster: 'kubectl-mesh-test', user: 'admin', namespace: nsB } },
    ],
  };
}

t.test("-n picks the namespace; without it, the context's namespace", async (t) => {
  const a = await mesh(['status', '-n', nsA, '-o', 'json']);
  t.equal(a.code, 0, a.stderr);
  t.same(servicesOf(a.stdout), [`${nsA}/alpha`]);
  const long = await mesh(['status', `--namespace=${nsB}`, '-o', 'json']);
  t.same(servicesOf(long.stdout), [`${nsB}/beta`]);
  const short = await mesh(['status', `-n${nsB}`, '-o', 'json']);
  t.same(servicesOf(short.stdout), [`${nsB}/beta`], '-nNS');
  const dflt = await mesh(['status', '-o', 'json']);
  t.ok(
    servicesOf(dflt.stdout).every((s: string) => s.startsWith('shop/')),
    'admin context namespace: shop',
  );
});

t.test('--kubeconfig and --context', async (t) => {
  const file = write('extended.yaml', extended('ctx-b'));
  const viaFlag = await mesh(['status', '--kubeconfig', file, '-o', 'json'], { env: { KUBECONFIG: path.join(dir, 'missing.yaml') } });
  t.equal(viaFlag.code, 0, viaFlag.stderr);
  t.same(servicesOf(viaFlag.stdout), [`${nsB}/beta`], '--kubeconfig wins over KUBECONFIG; its current-context ctx-b');
  const ctx = await mesh(['status', '--kubeconfig', file, '--context', 'ctx-a', '-o', 'json']);
  t.same(servicesOf(ctx.stdout), [`${nsA}/alpha`], '--context ctx-a');
  const both = await mesh(['status', '--kubeconfig', file, '--context', 'ctx-a', '-n', nsB, '-o', 'json']);
  t.same(servicesOf(both.stdout), [`${nsB}/beta`], '-n overrides the context namespace');
  const missing = await mesh(['status', '--kubeconfig', file, '--context', 'nope']);
  t.equal(missing.code, 2, missing.stderr);
  t.match(missing.stderr, /^error: context "nope" not found in kubeconfig/m);
  t.same(errorLines(missing.stderr).length, 1);
});

t.test("--cluster and --user override the context's", async (t) => {
  const file = write('extended-a.yaml', extended('ctx-a'));
  const dead = await mesh(['status', '--kubeconfig', file, '--cluster', 'dead']);
  t.equal(dead.code, 7, `--cluster dead: unreachable (${dead.stderr.trim()})`);
  t.match(dead.stderr, new RegExp(`cannot reach the Kubernetes API server at https://127\\.0\\.0\\.1:${deadPort}`));
  t.same(errorLines(dead.stderr).length, 1);
  const user = await mesh(['status', '--kubeconfig', file, '--user', 'mesh-user']);
  t.equal(user.code, 6, 'ctx-a as mesh-user: not bound in namespace A');
  t.match(user.stderr, /User "mesh-user" cannot list/);
  const ok = await mesh(['status', '--kubeconfig', file, '--user', 'mesh-user', '-n', 'shop']);
  t.equal(ok.code, 0, ok.stderr);
  const k = await kubectl(['get', 'services', '--kubeconfig', file, '--user', 'mesh-user']);
  t.not(k.code, 0, 'kubectl agrees: mesh-user may not list in namespace A');
  const noCluster = await mesh(['status', '--kubeconfig', file, '--cluster', 'nope']);
  t.equal(noCluster.code, 2);
  t.match(noCluster.stderr, /cluster "nope" not found/);
});

t.test('--request-timeout bounds every request', async (t) => {
  const cfg = extended('ctx-a');
  cfg.clusters.push({ name: 'silent', cluster: { ...base.clusters[0].cluster, server: `https://127.0.0.1:${silentPort}` } });
  const file = write('silent.yaml', cfg);
  const started = Date.now();
  const r = await mesh(['status', '--kubeconfig', file, '--cluster', 'silent', '--request-timeout', '700ms'], { timeoutMs: 8_000 });
  const took = Date.now() - started;
  // The TLS handshake of the HTTP/2 connection is bounded too, not only the requests.
  t.equal(r.code, 7, `a server that never answers: unreachable (${r.stderr.trim()})`);
  t.match(r.stderr, /no answer within 700ms/);
  t.match(r.stderr, /--request-timeout/, 'the hint names the flag');
  t.ok(took < 5_000, `gave up after ${took}ms`);
  // The real API server: no request is answered within 1ms (TLS + a list take several), 30s is plenty.
  const tiny = await mesh(['status', '-n', nsA, '--request-timeout=1ms']);
  t.equal(tiny.code, 7, tiny.stderr);
  t.match(tiny.stderr, /^error: cannot reach the Kubernetes API server at .*: no answer within 1ms/m);
  t.same(errorLines(tiny.stderr).length, 1);
  const fine = await mesh(['status', '-n', nsA, '--request-timeout=30s']);
  t.equal(fine.code, 0, fine.stderr);
  const bad = await mesh(['status', '--request-timeout', 'soon']);
  t.equal(bad.code, 2);
  t.match(bad.stderr, /^error: invalid value "soon" for --request-timeout/m);
});

t.test("--match-server-version: the server's version is read before anything else", async (t) => {
  const r = await mesh(['status', '-n', nsA, '--match-server-version', '-v=6']);
  t.equal(r.code, 0, r.stderr);
  const requests = r.stderr.split('\n').filter((l) => /^GET https:\/\//.test(l));
  t.match(requests[0], /^GET https:\/\/\S+\/version 200 /, `first request: ${requests[0]}`);
  const cfg = extended('ctx-a');
  const dead = await mesh(['status', '--kubeconfig', write('dead.yaml', cfg), '--cluster', 'dead', '--match-server-version']);
  t.equal(dead.code, 7, dead.stderr);
  t.match(dead.stderr, /^error: --match-server-version: cannot read the server's version: cannot reach the Kubernetes API server at /m);
  t.same(errorLines(dead.stderr).length, 1);
});

t.test("KUBECONFIG with several files: the first file's current-context wins, as in kubectl", async (t) => {
  // File 1: current-context ctx-a (namespace A) whose cluster and user are defined only in file 2.
  // File 2: current-context ctx-b (namespace B) on the cluster "dead": picking it would fail.
  const first = write('first.yaml', {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'ctx-a',
    contexts: [{ name: 'ctx-a', context: { cluster: 'kubectl-mesh-test', user: 'admin', namespace: nsA } }],
  });
  const second = write('second.yaml', {
    apiVersion: 'v1',
    kind: 'Config',
    'current-context': 'ctx-b',
    clusters: extended('ctx-b').clusters,
    users: base.users,
    contexts: [
      { name: 'ctx-b', context: { cluster: 'dead', user: 'admin', namespace: nsB } },
      // Same name as in file 1: the first file's definition wins.
      { name: 'ctx-a', context: { cluster: 'dead', user: 'mesh-user', namespace: nsB } },
    ],
  });
  const env = { KUBECONFIG: [first, second].join(path.delimiter) };
  const current = await kubectl(['config', 'current-context'], { env });
  t.equal(current.stdout.trim(), 'ctx-a', "kubectl picks the first file's current-context");
  const kget = await kubectl(['get', 'services', '-o', 'jsonpath={.items[*].metadata.name}'], { env });
  t.equal(kget.code, 0, kget.stderr);
  t.equal(kget.stdout, 'alpha', 'kubectl get: namespace A on the live cluster');
  const st = await mesh(['status', '-o', 'json'], { env });
  t.equal(st.code, 0, st.stderr);
  t.same(servicesOf(st.stdout), [`${nsA}/alpha`], 'kubectl mesh status: the same namespace and cluster');
  const reversed = { KUBECONFIG: [second, first].join(path.delimiter) };
  const r = await mesh(['status'], { env: reversed });
  const k = await kubectl(['get', 'services'], { env: reversed });
  t.not(k.code, 0, 'reversed: kubectl now uses ctx-b on the dead cluster');
  t.equal(r.code, 7, `and so does kubectl mesh (${r.stderr.trim()})`);
  const missingFirst = { KUBECONFIG: [path.join(dir, 'nope.yaml'), first, second].join(path.delimiter) };
  const m = await mesh(['status', '-o', 'json'], { env: missingFirst });
  t.equal(m.code, 0, `a missing file in the list is skipped, as kubectl does: ${m.stderr}`);
  t.same(servicesOf(m.stdout), [`${nsA}/alpha`]);
});
