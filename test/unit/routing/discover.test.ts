import t from 'tap';
import { findVersions, findVirtualService } from '../../../src/routing/discover.js';
import { chooseRoles, resolveSubset } from '../../../src/routing/target.js';
import type { Obj, Workload } from '../../../src/routing/types.js';
import { deployment, destinationRule, service, virtualService, workload } from '../builders.js';
import { caught, planStep, run, runAll, target, vsOf } from './sim.js';

const split = (w: Workload) =>
  vsOf(w)!
    .spec!.http!.at(-1)!
    .route!.map((d) => [d.destination?.subset, d.weight]);

t.test('two versions: the older Deployment is stable, whatever the names say', async (t) => {
  const w = workload('reviews', ['v2', 'v1']); // v2 created first
  t.strictSame(chooseRoles(target(w), {}), { stable: 'v2', canary: 'v1' });
  t.strictSame(split(run(w, { verb: 'canary', weight: 30 }).state), [
    ['v2', 70],
    ['v1', 30],
  ]);
  // Same creation time: numeric order of the names (v9 before v10).
  const same = { ...workload('reviews', ['v10', 'v9']) };
  same.deployments = same.deployments.map((d) => ({ ...d, metadata: { ...d.metadata, creationTimestamp: '2026-01-01T00:00:00Z' } }));
  t.strictSame(
    findVersions(same.service, same.deployments, 'version').map((v) => v.value),
    ['v9', 'v10'],
  );
});

t.test('three versions without flags is ambiguous: a usage error naming --stable and --canary', async (t) => {
  const w = workload('reviews', ['v1', 'v2', 'v3']);
  const err = caught(() => planStep(w, { verb: 'canary', weight: 10 }));
  t.strictSame(
    [err.name, err.exitCode, err.message, err.hint],
    [
      'UsageError',
      2,
      'service shop/reviews has 3 versions (v1, v2, v3), so which is stable and which is the canary is ambiguous',
      'pass --stable and --canary',
    ],
  );
  t.strictSame(split(run(w, { verb: 'canary', weight: 10, stable: 'v2', canary: 'v3' }).state), [
    ['v2', 90],
    ['v3', 10],
  ]);
  const same = caught(() => planStep(w, { verb: 'canary', weight: 10, stable: 'v2', canary: 'v2' }));
  t.strictSame([same.name, same.exitCode, same.message], ['UsageError', 2, '--stable and --canary both name v2']);
});

t.test('one version or none: precondition errors', async (t) => {
  const one = caught(() => planStep(workload('reviews', ['v1']), { verb: 'canary', weight: 10 }));
  t.strictSame([one.name, one.exitCode, one.message], ['PreconditionError', 4, 'service shop/reviews has only one version (version=v1)']);
  const unlabelled = workload('reviews', ['v1']);
  unlabelled.deployments = unlabelled.deployments.map((d) => ({ ...d, spec: { template: { metadata: { labels: { app: 'reviews' } } } } }));
  const none = caught(() => planStep(unlabelled, { verb: 'canary', weight: 10 }));
  t.strictSame(
    [none.name, none.exitCode, none.message],
    ['PreconditionError', 4, 'no Deployment behind service shop/reviews has a "version" label on its pod template'],
  );
  // Deployments the Service does not select are not versions of it.
  const w = workload('reviews', ['v1']);
  w.deployments.push(deployment('ratings', 'v2', '2026-01-05T00:00:00Z'));
  t.strictSame(
    findVersions(w.service, w.deployments, 'version').map((v) => v.deployment),
    ['reviews-v1'],
  );
});

t.test("an unknown subset is not found, like Istio's IST0101, with the known ones as a hint", async (t) => {
  const err = caught(() => resolveSubset(target(workload()), 'v7', '--canary'));
  t.strictSame([err.name, err.exitCode], ['NotFoundError', 3]);
  t.equal(
    err.message,
    'subset "v7" does not exist for shop/reviews (IST0101 ReferencedResourceNotFound): no DestinationRule subset or Deployment with version=v7',
  );
  t.equal(err.hint, 'pass one of v1, v2 to --canary');
  t.equal(caught(() => planStep(workload(), { verb: 'canary', weight: 5, canary: 'v7' })).exitCode, 3);
});

t.test('recorded roles win over traffic: after canary 100, the canary is still the canary', async (t) => {
  const all = run(workload(), { verb: 'canary', weight: 100 }).state;
  t.strictSame(split(all), [
    ['v1', 0],
    ['v2', 100],
  ]);
  t.strictSame(split(run(all, { verb: 'canary', weight: 30 }).state), [
    ['v1', 70],
    ['v2', 30],
  ]);
  // Without recorded roles (a user's VirtualService), the version taking the traffic is stable.
  const user = virtualService('reviews', [{ route: [{ destination: { host: 'reviews', subset: 'v2' } }] }]);
  const w = workload('reviews', ['v1', 'v2'], { vs: [user], dr: [destinationRule('reviews', ['v1', 'v2'])] });
  t.strictSame(chooseRoles(target(w), {}), { stable: 'v2', canary: 'v1' });
});

t.test('a DestinationRule subset that selects a version lends it its name; another version label works', async (t) => {
  const dr = destinationRule('reviews', []);
  dr.spec!.subsets = [
    { name: 'blue', labels: { version: 'v1' } },
    { name: 'green', labels: { version: 'v2' } },
  ];
  t.strictSame(chooseRoles(target(workload('reviews', ['v1', 'v2'], { dr: [dr] })), {}), { stable: 'blue', canary: 'green' });
  t.equal(
    resolveSubset(target(workload('reviews', ['v1', 'v2'], { dr: [dr] })), 'v2', '--canary'),
    'green',
    'a version value names its subset',
  );
  const w = workload();
  w.deployments = w.deployments.map((d, i) => ({
    ...d,
    spec: { template: { metadata: { labels: { app: 'reviews', track: ['stable', 'next'][i] } } } },
  }));
  t.strictSame(
    findVersions(w.service, w.deployments, 'track').map((v) => [v.value, v.labels]),
    [
      ['stable', { track: 'stable' }],
      ['next', { track: 'next' }],
    ],
  );
});

t.test('which VirtualService is ours when several name the service', async (t) => {
  const svc = service('reviews');
  const mk = (name: string, extra: Record<string, unknown> = {}, labels?: Record<string, string>): Obj => {
    const vs = virtualService(name, [{ route: [{ destination: { host: 'reviews' } }] }], { hosts: ['reviews'], ...extra });
    return labels ? { ...vs, metadata: { ...vs.metadata, labels } } : vs;
  };
  const gatewayOnly = mk('reviews-public', { hosts: ['reviews', 'books.example.com'], gateways: ['istio-system/ingress'] });
  const mesh = mk('reviews');
  t.equal(findVirtualService(svc, [gatewayOnly, mesh])?.metadata.name, 'reviews', 'the mesh-bound one');
  const ours = mk('reviews-mesh', {}, { 'app.kubernetes.io/managed-by': 'kubectl-mesh' });
  t.equal(findVirtualService(svc, [mesh, ours])?.metadata.name, 'reviews-mesh', 'the one we manage');
  t.equal(findVirtualService(svc, [mk('other', { hosts: ['ratings'] })]), undefined);
  t.equal(findVirtualService(svc, [mk('fq', { hosts: ['reviews.shop.svc.cluster.local'] })])?.metadata.name, 'fq');
  t.equal(
    findVirtualService(
      svc,
      [mk('elsewhere', { hosts: ['reviews'] }, undefined)].map((v) => ({ ...v, metadata: { ...v.metadata, namespace: 'other' } })),
    ),
    undefined,
    'a short name in another namespace is another service',
  );
  const err = caught(() => findVirtualService(svc, [mesh, mk('reviews-2')]));
  t.strictSame(
    [err.name, err.exitCode, err.message],
    ['ConflictError', 5, 'several VirtualServices route reviews (reviews, reviews-2); Istio merges them unpredictably (IST0109)'],
  );
});

t.test('runAll helper and the planner agree on the history of roles', async (t) => {
  const w = runAll(workload(), [
    { verb: 'canary', weight: 10 },
    { verb: 'canary', weight: 50, stable: 'v2', canary: 'v1' },
  ]);
  t.strictSame(
    split(w),
    [
      ['v2', 50],
      ['v1', 50],
    ],
    'explicit flags override the recorded roles',
  );
  t.strictSame(chooseRoles(target(w), {}), { stable: 'v2', canary: 'v1' }, 'and are recorded for next time');
});

t.test('version values that are not DNS labels get valid subset names (Istio: "subset name is invalid: 1.2.3")', async (t) => {
  const w = workload('reviews', ['1.2.3', 'V1.3.0_rc']);
  t.strictSame(
    findVersions(w.service, w.deployments, 'version').map((v) => [v.value, v.subset, v.labels]),
    [
      ['1.2.3', '1-2-3', { version: '1.2.3' }],
      ['V1.3.0_rc', 'v1-3-0-rc', { version: 'V1.3.0_rc' }],
    ],
  );
  const { plan } = run(w, { verb: 'canary', weight: 10, canary: 'V1.3.0_rc' });
  t.strictSame(plan.destinationRule!.spec!.subsets, [
    { name: '1-2-3', labels: { version: '1.2.3' } },
    { name: 'v1-3-0-rc', labels: { version: 'V1.3.0_rc' } },
  ]);
  const clash = workload('reviews', ['1.2', '1-2']);
  t.strictSame(
    findVersions(clash.service, clash.deployments, 'version').map((v) => v.subset),
    ['1-2', '1-2-2'],
  );
  for (const v of findVersions(w.service, w.deployments, 'version')) t.match(v.subset, /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
});

t.test("a subset that also names the Service's own labels is reused, one that narrows further is not", async (t) => {
  const dr = destinationRule('reviews', []);
  dr.spec!.subsets = [
    { name: 'stable', labels: { app: 'reviews', version: 'v1' } },
    { name: 'eu', labels: { version: 'v2', region: 'eu' } },
  ];
  const w = workload('reviews', ['v1', 'v2'], { dr: [dr] });
  t.strictSame(
    target(w).versions.map((v) => [v.value, v.subset]),
    [
      ['v1', 'stable'],
      ['v2', 'v2'],
    ],
  );
});
