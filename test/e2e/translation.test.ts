// Istio's own control plane is the judge: after each routing verb, the routes istiod sends a sidecar in
// the namespace (test/xds-probe, a real ADS client) must be the ones kubectl-mesh wrote and reports —
// same order, names, header matches, subsets (clusters) and weights. Istio adds retries and timeouts
// of its own to every route, so those are not compared.
import t, { type Test } from 'tap';
import { applyObjects, createApp, createNamespace, deleteNamespace, mesh, scratchNamespace, vsOf } from './support.js';
import { expectedRoutes, routesSettle, type EnvoyRoute } from './xds.js';

const ns = scratchNamespace('e2e-xlate');
const fqdn = (svc: string) => `${svc}.${ns}.svc.cluster.local`;
const cluster = (svc: string, subset: string) => `outbound|9080|${subset}|${fqdn(svc)}`;

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  await createApp(ns, 'reviews', ['v1', 'v2', 'v3']);
  await createApp(ns, 'ratings', ['v1', 'v2']);
  await createApp(ns, 'details', ['v1', 'v2']);
  await applyObjects([
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'public', namespace: ns },
      spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] },
    },
  ]);
});
t.teardown(() => deleteNamespace(ns));

/** Runs the verb, then checks Envoy's routes against the VirtualService it wrote and against `want`. */
async function verb(t: Test, args: string[], svc: string, want: EnvoyRoute[]): Promise<void> {
  const r = await mesh([...args, '-n', ns, '--yes']);
  t.equal(r.code, 0, `kubectl mesh ${args.join(' ')}: ${r.stderr}`);
  const vs = await vsOf(svc, ns);
  t.same(expectedRoutes(vs), want, 'the VirtualService says what we claim');
  const envoy = await routesSettle({ namespace: ns, host: svc }, want);
  t.same(envoy, want, 'istiod sends a sidecar exactly these routes');
}

/** What `kubectl mesh status -o json` reports must be what Envoy got: catch-all weights and environment subsets. */
async function statusAgrees(t: Test, svc: string): Promise<void> {
  const st = JSON.parse((await mesh(['status', svc, '-n', ns, '-o', 'json'])).stdout);
  const envoy = await routesSettle({ namespace: ns, host: svc }, expectedRoutes(await vsOf(svc, ns)));
  const primary = envoy!.find((r) => r.name === 'mesh-primary')!;
  const split = primary.weightedClusters?.map((w) => [w.cluster, w.weight]) ?? [[primary.cluster, 100]];
  const reported = st.subsets.filter((s: any) => s.weight > 0).map((s: any) => [cluster(svc, s.subset), s.weight]);
  t.same(Object.fromEntries(split), Object.fromEntries(reported), 'status weights = Envoy weighted clusters');
  for (const e of st.environments ?? []) {
    t.equal(
      envoy!.find((r) => r.name === `mesh-env-${e.name}`)?.cluster,
      cluster(svc, e.subset),
      `env ${e.name} → ${e.subset} in Envoy too`,
    );
  }
}

const weighted = (svc: string, ...w: [string, number][]) => ({
  weightedClusters: w.map(([s, weight]) => ({ cluster: cluster(svc, s), weight })),
});
const header = (name: string, how: Record<string, string>) => ({ name, ...how });

// Each case runs on the routing the one before left.
const reviewsCases: [name: string, args: string[], want: EnvoyRoute[]][] = [
  [
    'canary: one weighted catch-all route, 80/20 by subset',
    ['canary', '20', 'reviews', '--stable', 'v1', '--canary', 'v2'],
    [{ name: 'mesh-primary', prefix: '/', ...weighted('reviews', ['v1', 80], ['v2', 20]) }],
  ],
  [
    'canary 100: Istio drops the 0-weight destination',
    ['canary', '100', 'reviews'],
    [{ name: 'mesh-primary', prefix: '/', ...weighted('reviews', ['v2', 100]) }],
  ],
  [
    'promote --prune: the candidate takes the catch-all',
    ['promote', 'reviews', '--prune'],
    [{ name: 'mesh-primary', prefix: '/', cluster: cluster('reviews', 'v2') }],
  ],
];
for (const [name, args, want] of reviewsCases) {
  t.test(name, async (t) => {
    await verb(t, args, 'reviews', want);
    await statusAgrees(t, 'reviews');
  });
}

t.test('rollback: the previous routes come back in Envoy', async (t) => {
  await verb(t, ['rollback', 'reviews'], 'reviews', [{ name: 'mesh-primary', prefix: '/', ...weighted('reviews', ['v2', 100]) }]);
  const again = await mesh(['rollback', 'reviews', '--to-revision', '2', '-n', ns, '--yes']);
  t.equal(again.code, 0, again.stderr);
  const envoy = await routesSettle({ namespace: ns, host: 'reviews' }, expectedRoutes(await vsOf('reviews', ns)));
  t.same(envoy, [{ name: 'mesh-primary', prefix: '/', ...weighted('reviews', ['v1', 80], ['v2', 20]) }], 'revision 2: the 80/20 canary');
  await statusAgrees(t, 'reviews');
});

t.test('green and several environments: header routes first, in order, then the weighted catch-all', async (t) => {
  const envRoute = (env: string, subset: string, ...headers: ReturnType<typeof header>[]): EnvoyRoute => ({
    name: `mesh-env-${env}`,
    prefix: '/',
    headers,
    cluster: cluster('ratings', subset),
  });
  const primary = { name: 'mesh-primary', prefix: '/', ...weighted('ratings', ['v1', 90], ['v2', 10]) };
  const green = envRoute('green', 'v2', header('x-env', { exact: 'green' }));
  const uat = envRoute('uat', 'v1', header('x-env', { exact: 'uat' }), header('x-team', { exact: 'payments' }));
  const beta = envRoute('beta', 'v2', header('user-agent', { regex: '.*Beta.*' }));
  const old = envRoute('old', 'v1', header('x-env', { exact: 'old' }));
  const adding: [string[], EnvoyRoute[]][] = [
    [['canary', '10', 'ratings', '--stable', 'v1', '--canary', 'v2'], [primary]],
    [
      ['green', 'ratings', '--header', 'x-env=green'],
      [green, primary],
    ],
    [
      ['env', 'uat', 'ratings', '--header', 'x-env=uat', '--header', 'x-team=payments', '--subset', 'v1'],
      [green, uat, primary],
    ],
    [
      ['env', 'beta', 'ratings', '--header', 'user-agent=.*Beta.*', '--match', 'regex', '--subset', 'v2'],
      [green, uat, beta, primary],
    ],
  ];
  for (const [args, want] of adding) await verb(t, args, 'ratings', want);
  await statusAgrees(t, 'ratings');
  const changing: [string[], EnvoyRoute[]][] = [
    [
      ['env', 'uat', 'ratings', '--delete'],
      [green, beta, primary],
    ],
    [
      ['env', 'old', 'ratings', '--header', 'x-env=old', '--subset', 'v1'],
      [green, beta, old, primary],
    ],
    // Header routes to the promoted subset go (it is everyone's now); the one to another subset stays.
    [
      ['promote', 'ratings'],
      [old, { name: 'mesh-primary', prefix: '/', cluster: cluster('ratings', 'v2') }],
    ],
  ];
  for (const [args, want] of changing) await verb(t, args, 'ratings', want);
});

t.test('gateway binding: sidecars keep the routes (gateways: [gw, mesh]) and the ingress gateway gets them', async (t) => {
  await verb(
    t,
    ['canary', '30', 'ratings', '--stable', 'v2', '--canary', 'v1', '--gateway', `${ns}/public`, '--host', 'ratings.example.com'],
    'ratings',
    [
      { name: 'mesh-env-old', prefix: '/', headers: [header('x-env', { exact: 'old' })], cluster: cluster('ratings', 'v1') },
      { name: 'mesh-primary', prefix: '/', ...weighted('ratings', ['v2', 70], ['v1', 30]) },
    ],
  );
  t.same((await vsOf('ratings', ns)).spec.gateways.sort(), [`${ns}/public`, 'mesh']);
  // The ingress gateway (a router proxy the Gateway selects) serves the external host with the same routes.
  const gateway = {
    namespace: ns,
    host: 'ratings.example.com',
    port: 80,
    name: 'ingress',
    router: { labels: 'istio=ingressgateway', route: 'http.80' },
  };
  const want = expectedRoutes(await vsOf('ratings', ns));
  t.same(await routesSettle(gateway, want), want, 'the gateway gets the header route and the 70/30 split too');
});

t.test('foreign routes keep their place and their own destinations; ours go where the plugin says', async (t) => {
  await applyObjects([
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'details', namespace: ns },
      spec: {
        hosts: ['details'],
        http: [
          {
            name: 'admin',
            match: [{ uri: { prefix: '/admin' } }],
            route: [{ destination: { host: fqdn('ratings'), port: { number: 9080 } } }],
          },
          {
            name: 'legacy',
            match: [{ headers: { 'x-legacy': { exact: '1' } } }, { uri: { exact: '/old' } }],
            route: [{ destination: { host: 'details' } }],
          },
          { retries: { attempts: 3 }, route: [{ destination: { host: 'details' } }] },
        ],
      },
    },
  ]);
  await verb(t, ['canary', '25', 'details', '--stable', 'v1', '--canary', 'v2'], 'details', [
    { name: 'admin', prefix: '/admin', cluster: `outbound|9080||${fqdn('ratings')}` },
    { name: 'legacy', prefix: '/', headers: [header('x-legacy', { exact: '1' })], cluster: `outbound|9080||${fqdn('details')}` },
    { name: 'legacy', path: '/old', cluster: `outbound|9080||${fqdn('details')}` },
    { name: 'mesh-primary', prefix: '/', ...weighted('details', ['v1', 75], ['v2', 25]) },
  ]);
  // Header routes go just above our catch-all: the user's own match routes keep winning for what they match.
  await verb(t, ['green', 'details', '--header', 'x-env=green'], 'details', [
    { name: 'admin', prefix: '/admin', cluster: `outbound|9080||${fqdn('ratings')}` },
    { name: 'legacy', prefix: '/', headers: [header('x-legacy', { exact: '1' })], cluster: `outbound|9080||${fqdn('details')}` },
    { name: 'legacy', path: '/old', cluster: `outbound|9080||${fqdn('details')}` },
    { name: 'mesh-env-green', prefix: '/', headers: [header('x-env', { exact: 'green' })], cluster: cluster('details', 'v2') },
    { name: 'mesh-primary', prefix: '/', ...weighted('details', ['v1', 75], ['v2', 25]) },
  ]);
  await statusAgrees(t, 'details');
});
