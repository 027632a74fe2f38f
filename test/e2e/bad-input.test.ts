// Bad input and broken environments: each is one `error: …` line on stderr, a distinct non-zero exit code
// (2 usage, 3 not found, 4 precondition, 7 unreachable) and nothing written. "Istio CRDs not installed" runs
// against a second, CRD-less API server started for this file (the shared one keeps its CRDs).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { parse, stringify } from 'yaml';
import { createApp, createNamespace, deleteNamespace, kubeconfig, mesh, resourceVersions, scratchNamespace } from './support.js';

const ns = scratchNamespace('e2e-bad');
const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-e2e-bad-'));

/** stderr is exactly one line, and it starts with "error: ". */
function oneErrorLine(t: Test, stderr: string, what: string) {
  const lines = stderr.trimEnd().split('\n');
  t.equal(lines.length, 1, `${what}: one line on stderr (${JSON.stringify(stderr)})`);
  t.match(lines[0], /^error: \S/, `${what}: starts with "error: "`);
}

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  await createApp(ns, 'reviews', ['v1', 'v2']);
});
t.teardown(async () => {
  rmSync(dir, { recursive: true, force: true });
  await deleteNamespace(ns);
});

t.test('usage errors: exit 2, one line, nothing written', async (t) => {
  const before = await resourceVersions(ns);
  const cases: [string[], RegExp][] = [
    [['canary', '2.555', 'reviews'], /weight "2\.555" is not a percentage from 0 to 100 with at most two decimals/],
    [['canary', 'abc', 'reviews'], /weight "abc" is not a percentage/],
    [['canary', '101', 'reviews'], /weight "101" is not a percentage from 0 to 100/],
    [['canary', '-5', 'reviews'], /weight "-5" is not a percentage/],
    [['canary', '1e1', 'reviews'], /weight "1e1" is not a percentage/],
    [['canary'], /missing WEIGHT/],
    [['canary', '20'], /missing SERVICE/],
    [['canary', '20', 'reviews', 'ratings'], /unexpected argument "ratings"/],
    [['canary', '20', 'Reviews_1'], /"Reviews_1" is not a valid service name/],
    [['canary', '20', 'reviews', '--wieght', '3'], /unknown flag --wieght/],
    [['canary', '20', 'reviews', '--dry-run=maybe'], /invalid value "maybe" for --dry-run/],
    [['canary', '20', 'reviews', '-o', 'xml'], /invalid value "xml" for --output/],
    [['status', '--watch=sometimes'], /expected true or false/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['canary', '20', 'reviews', '--gateway', 'istio-system/ingress'], /--gateway and --host go together/],
  ];
  for (const [args, message] of cases) {
    const r = await mesh([...args, '-n', ns]);
    t.equal(r.code, 2, `${args.join(' ')}: exit 2`);
    oneErrorLine(t, r.stderr, args.join(' '));
    t.match(r.stderr, message, args.join(' '));
    t.equal(r.stdout, '', `${args.join(' ')}: nothing on stdout`);
  }
  t.same(await resourceVersions(ns), before, 'nothing written');
});

t.test('unknown service: exit 3, names the services that exist', async (t) => {
  const before = await resourceVersions(ns);
  const r = await mesh(['canary', '20', 'nope', '-n', ns]);
  t.equal(r.code, 3, r.stderr);
  oneErrorLine(t, r.stderr, 'unknown service');
  t.match(r.stderr, new RegExp(`service "nope" not found in namespace ${ns} \\(services there: reviews\\)`));
  for (const verb of [
    ['promote', 'nope'],
    ['rollback', 'nope'],
    ['history', 'nope'],
    ['status', 'nope'],
    ['green', 'nope'],
  ]) {
    const x = await mesh([...verb, '-n', ns]);
    t.equal(x.code, 3, `${verb[0]}: exit 3`);
    oneErrorLine(t, x.stderr, verb[0]);
  }
  t.same(await resourceVersions(ns), before);
});

t.test('unknown namespace: exit 3', async (t) => {
  for (const args of [['canary', '20', 'reviews'], ['status']]) {
    const r = await mesh([...args, '-n', 'no-such-namespace']);
    t.equal(r.code, 3, `${args[0]}: ${r.stderr}`);
    oneErrorLine(t, r.stderr, args[0]);
    t.match(r.stderr, /namespace "no-such-namespace" not found/);
  }
});

t.test('a service with one version: exit 4 (precondition), nothing written', async (t) => {
  await createApp(ns, 'solo', ['v1'], { hpa: false, replicas: 1 });
  const before = await resourceVersions(ns);
  const r = await mesh(['canary', '20', 'solo', '-n', ns]);
  t.equal(r.code, 4, r.stderr);
  oneErrorLine(t, r.stderr, 'one version');
  t.match(r.stderr, /has only one version \(version=v1\)/);
  const label = await mesh(['canary', '20', 'reviews', '-n', ns, '--version-label', 'track']);
  t.equal(label.code, 4, label.stderr);
  t.match(label.stderr, /no Deployment behind service .*reviews has a "track" label/);
  t.same(await resourceVersions(ns), before);
});

t.test('unreachable cluster: exit 7, one line naming the server', async (t) => {
  const probe = net.createServer();
  await new Promise<void>((r) =>
    probe.listen(0, '127.0.0.1', () => {
      r();
    }),
  );
  const port = (probe.address() as net.AddressInfo).port;
  await new Promise((r) => probe.close(r));
  const cfg = parse(readFileSync(kubeconfig(), 'utf8'));
  cfg.clusters[0].cluster.server = `https://127.0.0.1:${port}`;
  const file = path.join(dir, 'dead.yaml');
  writeFileSync(file, stringify(cfg));
  for (const args of [['status'], ['canary', '20', 'reviews'], ['history', 'reviews']]) {
    const r = await mesh([...args, '-n', ns], { env: { KUBECONFIG: file } });
    t.equal(r.code, 7, `${args[0]}: exit 7 (${r.stderr.trim()})`);
    oneErrorLine(t, r.stderr, args[0]);
    t.match(r.stderr, new RegExp(`cannot reach the Kubernetes API server at https://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  }
});

t.test('no kubeconfig at all: exit 2 with a hint', async (t) => {
  const r = await mesh(['status'], { env: { KUBECONFIG: path.join(dir, 'missing.yaml'), HOME: dir } });
  t.equal(r.code, 2, r.stderr);
  oneErrorLine(t, r.stderr, 'no kubeconfig');
  t.match(r.stderr, /no kubeconfig found/);
});

t.test('Istio CRDs not installed: exit 4, one line, nothing written', { timeout: 180_000 }, async (t) => {
  // A second API server (own etcd, own state dir) without the Istio CRDs. test/cluster is imported by
  // path at run time: it is plain JavaScript without type declarations.
  const cluster = (m: string) => import(path.join('..', 'cluster', m));
  const [{ binaryPath }, { startEtcd, startApiserver, writeKubeconfig }, { down }] = await Promise.all([
    cluster('build.mjs'),
    cluster('start.mjs'),
    cluster('down.mjs'),
  ]);
  const stateDir = path.join(dir, 'no-crds');
  t.teardown(() => down(stateDir));
  const etcd = await startEtcd(stateDir, binaryPath('etcd'));
  const api = await startApiserver(stateDir, binaryPath('kubernetes'), etcd.url);
  const file = writeKubeconfig(stateDir, api.server, api.creds, 'default');
  const env = { KUBECONFIG: file };

  for (const args of [['status'], ['canary', '20', 'reviews'], ['green', 'reviews'], ['status', '-A']]) {
    const r = await mesh(args, { env });
    t.equal(r.code, 4, `${args.join(' ')}: exit 4 (${r.stderr.trim()})`);
    oneErrorLine(t, r.stderr, args.join(' '));
    t.match(r.stderr, /Istio CRDs are not installed: the API server does not serve networking\.istio\.io/);
  }
  const listed = await mesh(['version', '-o', 'json'], { env });
  t.equal(listed.code, 0, `version still works: ${listed.stderr}`);
  t.equal(JSON.parse(listed.stdout).istioApiVersion, null, 'and reports no Istio API');
});
