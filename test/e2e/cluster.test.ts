// The test cluster itself: pinned versions, Istio CRDs, the demo app, least-privilege RBAC, istioctl
// against it, and a clean cluster:down (checked on a second cluster, so the shared one stays up).
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import YAML from 'yaml';
import { setPodsReady } from '../cluster/pods.mjs';
import { contexts, getJson, istioctl, kubectl, namespace, repo, run } from './harness.js';
import { createApp, createNamespace, deleteNamespace, must, scratchNamespace } from './support.js';

const versions = JSON.parse(readFileSync(path.join(repo, 'test/cluster/versions.json'), 'utf8'));
const asMeshUser = ['--context', contexts.meshUser];

t.test('the API server reports the pinned Kubernetes version', async (t) => {
  const r = await kubectl(['get', '--raw', '/version']);
  t.equal(r.code, 0, r.stderr);
  const v = JSON.parse(r.stdout);
  t.equal(v.gitVersion, versions.kubernetes.version);
  t.equal(`${v.major}.${v.minor}`, versions.kubernetes.version.replace(/^v(\d+)\.(\d+)\..*$/, '$1.$2'));
});

t.test('the API server serves TLS that the kubeconfig verifies, and refuses anonymous requests', async (t) => {
  const cfg = await kubectl(['config', 'view', '--raw', '-o', 'json']);
  const cluster = JSON.parse(cfg.stdout).clusters[0].cluster;
  t.match(cluster.server, /^https:\/\/127\.0\.0\.1:\d+$/);
  t.ok(cluster['certificate-authority-data'], 'CA embedded');
  t.notOk(cluster['insecure-skip-tls-verify'], 'TLS is verified');
  const anon = await kubectl(['get', 'namespaces', '--token=not-a-valid-token']);
  t.not(anon.code, 0);
  t.match(anon.stderr, /Unauthorized|must be logged in/);
});

t.test('Istio networking CRDs are installed and served', async (t) => {
  const r = await kubectl(['api-resources', '--api-group=networking.istio.io', '-o', 'name']);
  t.equal(r.code, 0, r.stderr);
  const names = r.stdout.split('\n');
  t.ok(names.includes('virtualservices.networking.istio.io'), 'virtualservices');
  t.ok(names.includes('destinationrules.networking.istio.io'), 'destinationrules');
  t.ok(names.includes('gateways.networking.istio.io'), 'gateways');
  const vs = await kubectl(['get', 'crd', 'virtualservices.networking.istio.io', '-o', 'json']);
  const served = JSON.parse(vs.stdout)
    .spec.versions.filter((v: { served: boolean }) => v.served)
    .map((v: { name: string }) => v.name);
  t.ok(served.includes('v1'), `networking.istio.io/v1 served (${served.join(', ')})`);
});

t.test('istioctl is the pinned build', async (t) => {
  const r = await istioctl(['version', '--remote=false']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, `client version: ${versions.istio.release}`);
  const j = await istioctl(['version', '--remote=false', '-o', 'json']);
  t.equal(JSON.parse(j.stdout).clientVersion.revision, versions.istio.commit);
});

t.test('istioctl analyze runs against the cluster and prints a JSON array', async (t) => {
  const r = await istioctl(['analyze', '-A', '-o', 'json'], { timeoutMs: 120_000 });
  t.equal(r.code, 0, r.stderr);
  const findings = JSON.parse(r.stdout);
  t.ok(Array.isArray(findings), 'an array');
  for (const f of findings) {
    t.type(f.code, 'string');
    t.match(f.level, /^(Error|Warning|Info)$/);
  }
});

t.test('manifests/demo leaves reviews routing to the plugin and carries user-written ratings routing', async (t) => {
  const dir = path.join(repo, 'manifests/demo');
  const docs = readdirSync(dir)
    .filter((f) => f.endsWith('.yaml'))
    .flatMap((f) => YAML.parseAllDocuments(readFileSync(path.join(dir, f), 'utf8')).map((d) => d.toJS()))
    .filter(Boolean);
  const of = (kind: string) => docs.filter((d) => d.kind === kind);
  t.same(
    of('VirtualService').map((d) => d.metadata.name),
    ['ratings'],
    'the only VirtualService is ratings',
  );
  t.same(
    of('DestinationRule').map((d) => d.metadata.name),
    ['ratings'],
    'the only DestinationRule is ratings',
  );
  t.same(
    of('Deployment').map((d) => d.metadata.name),
    ['reviews-v1', 'reviews-v2', 'ratings-v1', 'ratings-v2', 'ratings-v3'],
    'v1 first',
  );
  t.same(
    of('HorizontalPodAutoscaler').map((d) => d.spec.scaleTargetRef.name),
    of('Deployment').map((d) => d.metadata.name),
    'an HPA per Deployment',
  );
  const reviews = of('Service').find((d) => d.metadata.name === 'reviews');
  t.same(reviews?.spec?.ports, [{ name: 'http', port: 9080, targetPort: 9080 }]);
});

t.test('setPodsReady flips pods and the Deployment status follows', async (t) => {
  // In a namespace of its own: the shared demo in shop stays as other test files read it.
  const ns = scratchNamespace('e2e-pods');
  await createNamespace(ns);
  t.teardown(() => deleteNamespace(ns));
  await createApp(ns, 'ratings', ['v1', 'v3']);
  const kubeconfig = process.env.KUBECONFIG!;
  const names = await setPodsReady(kubeconfig, ns, 'app=ratings,version=v3', false);
  t.same(names.sort(), ['ratings-v3-0', 'ratings-v3-1']);
  const d = await getJson('deployment', 'ratings-v3', ns);
  t.equal(d?.status?.readyReplicas ?? 0, 0, 'readyReplicas 0');
  const ep = await getJson('endpoints', 'ratings', ns);
  t.equal(ep?.subsets?.[0]?.notReadyAddresses?.length, 2, 'two not-ready addresses');
  await setPodsReady(kubeconfig, ns, 'app=ratings,version=v3', true);
  t.equal((await getJson('deployment', 'ratings-v3', ns))?.status?.readyReplicas, 2, 'restored');
});

t.test('mesh-user is refused outside the kubectl-mesh role', async (t) => {
  for (const [verb, resource, ns] of [
    ['create', 'deployments', namespace],
    ['delete', 'pods', namespace],
    ['update', 'services', namespace],
    ['list', 'virtualservices.networking.istio.io', 'default'],
    ['create', 'gateways.networking.istio.io', namespace],
  ]) {
    const r = await kubectl(['auth', 'can-i', verb, resource, '-n', ns, ...asMeshUser]);
    t.equal(r.stdout.trim(), 'no', `can-i ${verb} ${resource} -n ${ns}`);
    t.not(r.code, 0);
  }
  const list = await kubectl(['get', 'virtualservices', '-n', 'default', ...asMeshUser]);
  t.not(list.code, 0);
  t.match(list.stderr, /Forbidden.*"mesh-user" cannot list resource "virtualservices"/);
  const create = await kubectl(['create', 'deployment', 'intruder', '--image=busybox', '-n', namespace, ...asMeshUser]);
  t.not(create.code, 0);
  t.match(create.stderr, /forbidden: User "mesh-user" cannot create resource "deployments"/);
  const raw = await kubectl(['get', '--raw', `/apis/apps/v1/namespaces/${namespace}/deployments/reviews-v1/scale`, ...asMeshUser]);
  t.not(raw.code, 0);
  t.match(raw.stderr, /Forbidden/, 'no access to deployments/scale');
});

t.test('mesh-user can do its job in namespace shop', async (t) => {
  for (const [verb, resource] of [
    ['list', 'virtualservices.networking.istio.io'],
    ['update', 'virtualservices.networking.istio.io'],
    ['delete', 'destinationrules.networking.istio.io'],
    ['patch', 'horizontalpodautoscalers.autoscaling'],
    ['watch', 'pods'],
    ['get', 'deployments.apps'],
    ['list', 'gateways.networking.istio.io'],
  ]) {
    const r = await kubectl(['auth', 'can-i', verb, resource, '-n', namespace, ...asMeshUser]);
    t.equal(r.stdout.trim(), 'yes', `can-i ${verb} ${resource}`);
  }
  const list = await kubectl(['get', 'virtualservices', '-n', namespace, '-o', 'name', ...asMeshUser]);
  t.equal(list.code, 0, list.stderr);
  t.match(list.stdout, 'virtualservice.networking.istio.io/ratings');

  // A real update round trip on a throw-away VirtualService (created by admin, updated and deleted by
  // mesh-user), in a namespace of its own with shop's RoleBinding copied: shop itself is not written.
  const ns = scratchNamespace('e2e-role');
  await createNamespace(ns);
  t.teardown(() => deleteNamespace(ns));
  const shopBinding = await getJson('rolebinding', 'kubectl-mesh-mesh-user', namespace);
  t.ok(shopBinding, 'shop has the RoleBinding from manifests/rbac.yaml');
  const copy = {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: shopBinding.metadata.name, namespace: ns },
    subjects: shopBinding.subjects,
    roleRef: shopBinding.roleRef,
  };
  const probe = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'rbac-probe', namespace: ns },
    spec: { hosts: ['rbac-probe'], http: [{ route: [{ destination: { host: 'ratings' } }] }] },
  };
  await must(kubectl(['create', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [copy, probe] }) }), 'create');
  const got = await getJson('virtualservice', 'rbac-probe', ns);
  got.spec.http[0].timeout = '3s';
  const upd = await kubectl(['replace', '-f', '-', ...asMeshUser], { input: JSON.stringify(got) });
  t.equal(upd.code, 0, upd.stderr);
  t.equal((await getJson('virtualservice', 'rbac-probe', ns))?.spec?.http?.[0]?.timeout, '3s');
  const del = await kubectl(['delete', 'virtualservice', 'rbac-probe', '-n', ns, ...asMeshUser]);
  t.equal(del.code, 0, del.stderr);
});

t.test('kubectl finds the plugin on PATH', async (t) => {
  const r = await kubectl(['plugin', 'list', '--name-only']);
  t.match(r.stdout, /^kubectl-mesh$/m);
});

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => {
      resolve(false);
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')); // a zombie is dead
  } catch {
    return false;
  }
}

// A fresh cluster of its own: checks the demo exactly as loaded (the shared cluster is changed by other
// tests), reuse, and that cluster:down leaves nothing behind, without touching the shared cluster.
t.test('a fresh cluster: demo loaded, reused when up again, and cluster:down leaves nothing running', { timeout: 600_000 }, async (t) => {
  const dir = path.join(mkdtempSync(path.join(os.tmpdir(), 'mesh-second-cluster-')), 'state');
  const clusterEnv = {
    MESH_CLUSTER_STATE_DIR: dir,
    KUBECTL_MESH_CACHE: process.env.KUBECTL_MESH_CACHE,
    XDG_CACHE_HOME: process.env.XDG_CACHE_HOME,
  };
  t.teardown(async () => {
    await run('node', ['test/cluster/down.mjs'], { env: clusterEnv });
    rmSync(path.dirname(dir), { recursive: true, force: true });
  });
  const up = await run('node', ['test/cluster/up.mjs'], { env: clusterEnv, timeoutMs: 540_000 });
  t.equal(up.code, 0, up.stderr);
  const last = up.stdout.trim().split('\n').pop();
  t.equal(last, `KUBECONFIG=${dir}/kubeconfig`, 'the last line names the kubeconfig');
  const state = JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8'));
  t.not(state.server, process.env.MESH_TEST_SERVER, 'a different API server from the shared one');
  const fresh = { env: { KUBECONFIG: `${dir}/kubeconfig` } };

  await t.test('the demo app is loaded, its pods Ready and statuses set', async (t) => {
    for (const name of ['reviews-v1', 'reviews-v2', 'ratings-v1', 'ratings-v2', 'ratings-v3']) {
      const d = await getJson('deployment', name, namespace, fresh);
      t.equal(d?.status?.readyReplicas, d?.spec?.replicas, `${name} ready replicas`);
      const hpa = await getJson('hpa', name, namespace, fresh);
      t.equal(hpa?.status?.currentReplicas, d?.spec?.replicas, `${name} HPA currentReplicas`);
      t.ok(hpa?.status?.desiredReplicas >= hpa?.spec?.minReplicas, `${name} HPA desiredReplicas`);
    }
    const pods = JSON.parse((await kubectl(['get', 'pods', '-n', namespace, '-l', 'app=reviews', '-o', 'json'], fresh)).stdout).items;
    t.same(pods.map((p: any) => p.metadata.name).sort(), ['reviews-v1-0', 'reviews-v1-1', 'reviews-v2-0', 'reviews-v2-1']);
    for (const p of pods) {
      t.equal(p.status.phase, 'Running');
      t.ok(p.status.podIP, 'podIP');
      t.ok(
        p.status.conditions.some((c: any) => c.type === 'Ready' && c.status === 'True'),
        `${p.metadata.name} Ready`,
      );
    }
    t.equal(await getJson('virtualservice', 'reviews', namespace, fresh), undefined, 'no VirtualService for reviews');
    const vs = await getJson('virtualservice', 'ratings', namespace, fresh);
    t.equal(vs?.spec?.http?.[0]?.name, 'user-retries');
    t.same(vs?.spec?.http?.[1]?.retries, { attempts: 3, perTryTimeout: '2s' });
    t.equal(vs?.spec?.http?.[1]?.timeout, '10s');
    const dr = await getJson('destinationrule', 'ratings', namespace, fresh);
    t.same(
      dr?.spec?.subsets?.map((s: any) => s.name),
      ['v1', 'v2', 'v3'],
    );
    t.ok(dr?.spec?.trafficPolicy, 'trafficPolicy kept');
  });

  await t.test('istioctl analyze finds no errors or warnings in the demo', async (t) => {
    const r = await istioctl(['analyze', '-A', '-o', 'json'], { ...fresh, timeoutMs: 120_000 });
    t.equal(r.code, 0, r.stderr);
    const findings = JSON.parse(r.stdout);
    t.same(
      findings.filter((f: { level: string }) => f.level !== 'Info'),
      [],
      'only Info findings',
    );
  });

  // Every process of the test bed, by name: state.json and pids/ (what cluster:down stops) agree.
  const processes = ['etcd', 'kube-apiserver', 'pilot-discovery', 'prometheus', 'traffic-sim'];
  t.same(Object.keys(state.pids).sort(), processes, 'state.json records each process');
  t.same(readdirSync(path.join(dir, 'pids')).sort(), processes, 'pids/ holds the same set');
  for (const name of processes) t.ok(alive(state.pids[name]), `${name} runs (pid ${state.pids[name]})`);
  const pids: number[] = Object.values(state.pids);
  t.same(Object.keys(state.ports).sort(), ['apiserver', 'etcdClient', 'etcdPeer', 'prometheus', 'trafficSim']);
  const named: [string, number][] = [
    ...Object.entries(state.ports as Record<string, number>),
    ['istiod', Number(state.istiodAddress.split(':').pop())],
  ];
  for (const [name, port] of named) t.ok(await listening(port), `${name} listens on ${port}`);
  const ports = named.map(([, port]) => port);

  const again = await run('node', ['test/cluster/up.mjs'], { env: clusterEnv, timeoutMs: 60_000 });
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, /already running/);
  t.equal(again.stdout.trim().split('\n').pop(), last, 'reused: same kubeconfig');

  const down = await run('node', ['test/cluster/down.mjs'], { env: clusterEnv, timeoutMs: 60_000 });
  t.equal(down.code, 0, down.stderr);
  t.notOk(pids.some(alive), `no recorded pid still runs (${pids.join(', ')})`);
  t.notOk((await Promise.all(ports.map(listening))).some(Boolean), `nothing listens on ${ports.join(', ')}`);
  t.notOk(existsSync(dir), 'state dir removed');
  const shared = await kubectl(['get', '--raw', '/readyz']);
  t.equal(shared.code, 0, 'the shared cluster is still up');
});
