import t from 'tap';
import { planCanary, parseWeight } from '../../../src/routing/canary.js';
import { resolveTarget } from '../../../src/routing/target.js';
import { HISTORY_ANNOTATION } from '../../../src/model/names.js';
import { workload, who, virtualService, destinationRule } from '../builders.js';

const fqdn = 'reviews.shop.svc.cluster.local';

t.test('first canary creates DestinationRule then VirtualService with weights summing to 100', async (t) => {
  const plan = planCanary(resolveTarget(workload(), 'version'), { weight: 20, ...who });
  t.same(
    plan.writes.map((w) => `${w.action} ${w.kind}`),
    ['create DestinationRule', 'create VirtualService'],
  );
  const vs = plan.virtualService!;
  t.same(vs.spec!.hosts, [fqdn]);
  t.same(vs.spec!.http, [
    {
      name: 'mesh-primary',
      route: [
        { destination: { host: fqdn, subset: 'v1' }, weight: 80 },
        { destination: { host: fqdn, subset: 'v2' }, weight: 20 },
      ],
    },
  ]);
  t.same(
    plan.destinationRule!.spec!.subsets!.map((s: { name: string }) => s.name),
    ['v1', 'v2'],
  );
  const history = JSON.parse(vs.metadata.annotations![HISTORY_ANNOTATION]);
  t.same(
    history.map((r: { revision: number; change: string }) => [r.revision, r.change]),
    [
      [1, 'before kubectl-mesh'],
      [2, 'canary 20%: v1 80% / v2 20%'],
    ],
  );
  t.same(plan.receiving.sort(), ['v1', 'v2']);
});

t.test('adopts the user catch-all route and keeps its retries and timeout', async (t) => {
  const userVs = virtualService('reviews', [
    { name: 'admin', match: [{ uri: { prefix: '/admin' } }], route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
    { retries: { attempts: 3 }, timeout: '10s', route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
  ]);
  const plan = planCanary(
    resolveTarget(workload('reviews', ['v1', 'v2'], { vs: [userVs], dr: [destinationRule('reviews', ['v1', 'v2'])] }), 'version'),
    { weight: 10, ...who },
  );
  const http = plan.virtualService!.spec!.http;
  t.same(http![0], userVs.spec!.http![0], 'foreign route untouched');
  t.same(http![1], {
    name: 'mesh-primary',
    retries: { attempts: 3 },
    timeout: '10s',
    route: [
      { destination: { host: 'reviews', subset: 'v1' }, weight: 90 },
      { destination: { host: fqdn, subset: 'v2' }, weight: 10 },
    ],
  });
  t.same(
    plan.writes.map((w) => w.kind),
    ['VirtualService'],
    'DestinationRule already has both subsets',
  );
});

t.test('parseWeight takes up to two decimals and rejects out-of-range values', async (t) => {
  t.equal(parseWeight('0'), 0);
  t.equal(parseWeight('100'), 100);
  t.equal(parseWeight('2.5'), 2.5, 'relative weights make fractions possible');
  for (const bad of ['101', '-1', '2.555', '100.5', 'abc', '', '1e2']) {
    t.throws(() => parseWeight(bad), { name: 'UsageError' }, bad);
  }
});
