import t from 'tap';
import { serviceStatus } from '../../../src/routing/status.js';
import type { HttpRoute, Obj, Workload } from '../../../src/routing/types.js';
import { pod, workload } from '../builders.js';
import { drOf, runAll, target, vsOf } from './sim.js';

const fqdn = 'reviews.shop.svc.cluster.local';
const released = runAll(workload(), [
  { verb: 'canary', weight: 20 },
  { verb: 'env', env: 'uat', headers: [{ name: 'x-env', type: 'exact', value: 'uat' }] },
]);
const status = (w: Workload) => serviceStatus(target(w));
const withRoutes = (w: Workload, edit: (http: HttpRoute[]) => HttpRoute[]): Workload => {
  const vs = vsOf(w)!;
  return { ...w, virtualServices: [{ ...vs, spec: { ...vs.spec, http: edit(vs.spec!.http!) } }] };
};
const primaryWith = (route: HttpRoute['route']) => (http: HttpRoute[]) =>
  http.map((r) => (r.name === 'mesh-primary' ? { ...r, route } : r));

t.test('status model of a healthy release', async (t) => {
  const hpa = { min: 2, max: 10, current: undefined, desired: undefined, scaledToWeight: false };
  t.strictSame(status(released), {
    namespace: 'shop',
    service: 'reviews',
    virtualService: 'reviews',
    destinationRule: 'reviews',
    hosts: [fqdn],
    gateways: ['mesh'],
    roles: { stable: 'v1', canary: 'v2' },
    revision: 3,
    subsets: [
      { subset: 'v1', weight: 80, ready: 2, total: 2, deployment: 'reviews-v1', hpa: { name: 'reviews-v1', ...hpa } },
      { subset: 'v2', weight: 20, ready: 2, total: 2, deployment: 'reviews-v2', hpa: { name: 'reviews-v2', ...hpa } },
    ],
    environments: [{ name: 'uat', headers: [{ name: 'x-env', type: 'exact', value: 'uat' }], subset: 'v2' }],
    otherRoutes: 0,
    wholeService: false,
    warnings: [],
  });
});

t.test('status of a service nothing routes yet', async (t) => {
  const s = status(workload());
  t.strictSame(
    [s.virtualService, s.destinationRule, s.hosts, s.gateways, s.roles, s.revision, s.warnings],
    [undefined, undefined, [], [], {}, undefined, []],
  );
  t.strictSame(
    s.subsets.map((x) => [x.subset, x.weight, x.ready]),
    [
      ['v1', 0, 2],
      ['v2', 0, 2],
    ],
  );
});

t.test('warns about a subset that receives traffic but has no Ready pods', async (t) => {
  const unready = (w: Workload): Workload => ({
    ...w,
    pods: w.pods.map((p) => (p.metadata.labels?.version === 'v2' ? pod('reviews', 'v2', Number(p.metadata.name.at(-1)), false) : p)),
  });
  t.strictSame(status(unready(released)).warnings, ['subset v2 receives traffic but has no Ready pods (2 pods)']);
  // By header only (weight 0) is still traffic.
  const headerOnly = runAll(unready(released), [{ verb: 'canary', weight: 0 }]);
  t.strictSame(status(headerOnly).warnings, ['subset v2 receives traffic but has no Ready pods (2 pods)']);
  // No weight and no header route: no traffic, no warning.
  const idle = runAll(unready(released), [
    { verb: 'canary', weight: 0 },
    { verb: 'env-delete', env: 'uat' },
  ]);
  t.strictSame(status(idle).warnings, []);
  const gone = { ...released, pods: released.pods.filter((p) => p.metadata.labels?.version !== 'v2') };
  t.strictSame(status(gone).warnings, ['subset v2 receives traffic but has no Ready pods (0 pods)']);
});

t.test('warns about a foreign catch-all before our routes', async (t) => {
  const catchAll: HttpRoute = { name: 'everything', route: [{ destination: { host: 'legacy' } }] };
  const w = withRoutes(released, (http) => [catchAll, ...http]);
  t.strictSame(status(w).warnings, [
    'route "everything" (http[0], not ours) takes every request, so our routes after it never match (mesh-env-uat, mesh-primary)',
  ]);
  t.equal(status(w).otherRoutes, 1);
});

t.test("says when a user's catch-all sends traffic to the whole service (no subsets yet)", async (t) => {
  const w = withRoutes(released, () => [{ retries: { attempts: 3 }, route: [{ destination: { host: 'reviews' } }] }]);
  t.equal(status(w).wholeService, true);
  t.strictSame(
    status(w).subsets.map((s) => s.weight),
    [0, 0],
  );
  t.equal(status(released).wholeService, false, 'our weighted route: split by subset');
});

t.test('warns about drift after a hand edit; weights are relative shares, only a total of 0 is flagged', async (t) => {
  const drift =
    'our routes were edited since kubectl-mesh last wrote them (drift); the next change keeps those edits outside weights and matches';
  const halves = withRoutes(
    released,
    primaryWith([
      { destination: { host: fqdn, subset: 'v1' }, weight: 50 },
      { destination: { host: fqdn, subset: 'v2' }, weight: 50 },
    ]),
  );
  t.strictSame(status(halves).warnings, [drift]);
  t.strictSame(
    status(halves).subsets.map((s) => s.weight),
    [50, 50],
  );
  const over = withRoutes(
    released,
    primaryWith([
      { destination: { host: fqdn, subset: 'v1' }, weight: 60 },
      { destination: { host: fqdn, subset: 'v2' }, weight: 60 },
    ]),
  );
  t.strictSame(status(over).warnings, [drift], '60/60 is a valid 50/50 split');
  t.strictSame(
    status(over).subsets.map((s) => s.weight),
    [50, 50],
  );
  const fine = withRoutes(
    released,
    primaryWith([
      { destination: { host: fqdn, subset: 'v1' }, weight: 199 },
      { destination: { host: fqdn, subset: 'v2' }, weight: 1 },
    ]),
  );
  t.strictSame(
    status(fine).subsets.map((s) => s.weight),
    [99.5, 0.5],
    '199/1 is a 0.5% canary',
  );
  const none = withRoutes(
    released,
    primaryWith([
      { destination: { host: fqdn, subset: 'v1' }, weight: 0 },
      { destination: { host: fqdn, subset: 'v2' }, weight: 0 },
    ]),
  );
  t.strictSame(status(none).warnings, ['weights of the primary route sum to 0: Istio rejects the route', drift]);
});

t.test('warns about a subset the routes use but no DestinationRule defines', async (t) => {
  const dr = drOf(released)!;
  const w: Workload = {
    ...released,
    destinationRules: [{ ...dr, spec: { ...dr.spec, subsets: dr.spec!.subsets!.filter((s: Obj['metadata']) => s.name !== 'v2') } }],
  };
  t.strictSame(status(w).warnings, ['routes send traffic to subset v2, which no DestinationRule defines (503s)']);
});
