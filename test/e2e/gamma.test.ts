// A VirtualService and a Gateway API HTTPRoute (GAMMA: parentRef of kind Service) on one host, on the
// real API server with the Gateway API CRDs the pinned Istio requires: analyze reports MESH0006 naming
// both, our writes are refused (exit 5) unless --force, status shows the HTTPRoute. The HTTPRoute lives
// in another namespace, so it is found only by listing HTTPRoutes beyond the Service's namespace.
import t from 'tap';
import {
  applyObjects,
  createApp,
  createNamespace,
  deleteNamespace,
  errorLines,
  kubectl,
  mesh,
  resourceVersions,
  scratchNamespace,
  vsOf,
  weights,
} from './support.js';

const ns = scratchNamespace('e2e-gamma');
const clients = scratchNamespace('e2e-gamma-clients');

const httpRoute = {
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name: 'reviews-gamma', namespace: clients },
  spec: {
    parentRefs: [{ group: '', kind: 'Service', name: 'reviews', namespace: ns, port: 9080 }],
    rules: [{ backendRefs: [{ name: 'reviews', namespace: ns, port: 9080 }] }],
  },
};

t.before(async () => {
  const crd = await kubectl(['get', 'crd', 'httproutes.gateway.networking.k8s.io', '-o', 'name']);
  if (crd.code !== 0)
    throw new Error('the Gateway API CRDs are not installed: the test bed installs them (npm run cluster:up on a fresh state dir)');
  await createNamespace(ns);
  await createNamespace(clients);
  await createApp(ns, 'reviews', ['v1', 'v2']);
});
t.teardown(async () => {
  await deleteNamespace(ns);
  await deleteNamespace(clients);
});

t.test('before any HTTPRoute: canary writes, analyze has no MESH0006', async (t) => {
  t.equal((await mesh(['canary', '20', 'reviews', '-n', ns])).code, 0);
  const r = await mesh(['analyze', '-n', ns, '-o', 'json']);
  t.notMatch(r.stdout, /MESH0006/);
});

t.test('an HTTPRoute in another namespace names our Service: analyze reports MESH0006 naming both', async (t) => {
  await applyObjects([httpRoute]);
  const r = await mesh(['analyze', '-n', ns, '-o', 'json']);
  t.equal(r.code, 1, 'an Error finding exits 1');
  const findings = JSON.parse(r.stdout) as { code: string; level: string; origin: string; message: string }[];
  const f = findings.filter((x) => x.code === 'MESH0006');
  t.equal(f.length, 1, 'one finding on the VirtualService of this namespace');
  t.equal(f[0]?.level, 'Error');
  t.equal(f[0]?.origin, `VirtualService ${ns}/reviews`);
  t.match(f[0]?.message, `HTTPRoute ${clients}/reviews-gamma`);
  const all = await mesh(['analyze', '-A', '-o', 'json']);
  t.ok(
    (JSON.parse(all.stdout) as { code: string; origin: string }[]).some(
      (x) => x.code === 'MESH0006' && x.origin === `HTTPRoute ${clients}/reviews-gamma`,
    ),
    'with -A the HTTPRoute carries the finding too',
  );
});

t.test('our writes on that host are refused (exit 5) and nothing changes', async (t) => {
  const before = await resourceVersions(ns);
  const r = await mesh(['canary', '40', 'reviews', '-n', ns]);
  t.equal(r.code, 5);
  t.equal(errorLines(r.stderr).length, 1, 'one error line');
  t.match(r.stderr, `HTTPRoute ${clients}/reviews-gamma`);
  t.match(r.stderr, /--force/);
  t.same(await resourceVersions(ns), before, 'nothing written');
});

t.test('--force writes anyway, with a warning', async (t) => {
  const r = await mesh(['canary', '40', 'reviews', '-n', ns, '--force']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /warning: .*HTTPRoute/);
  t.same(weights(await vsOf('reviews', ns)), { v1: 60, v2: 40 });
});

t.test('status shows the HTTPRoute', async (t) => {
  const r = await mesh(['status', 'reviews', '-n', ns, '-o', 'json']);
  t.equal(r.code, 0, r.stderr);
  const s = JSON.parse(r.stdout) as { httpRoutes?: string[]; warnings: string[] };
  t.same(s.httpRoutes, [`${clients}/reviews-gamma`]);
  t.ok(s.warnings.some((w) => w.includes('MESH0006')));
  const table = await mesh(['status', 'reviews', '-n', ns]);
  t.match(table.stdout, `HTTPRoute ${clients}/reviews-gamma`);
});

t.test('rollback is never held back by it (it only warns)', async (t) => {
  const r = await mesh(['rollback', 'reviews', '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /HTTPRoute/);
});
