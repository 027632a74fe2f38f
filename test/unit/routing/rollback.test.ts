import t from 'tap';
import { readHistory } from '../../../src/routing/history.js';
import { httpRoutes } from '../../../src/routing/routes.js';
import type { Obj, Workload } from '../../../src/routing/types.js';
import { destinationRule, virtualService, workload } from '../builders.js';
import { caught, drOf, planStep, run, runAll, vsOf, writeLine } from './sim.js';

const host = 'reviews.shop.svc.cluster.local';
const split = (w: Workload) =>
  httpRoutes(vsOf(w))
    .find((r) => r.name === 'mesh-primary')
    ?.route?.map((d) => [d.destination?.subset, d.weight]);
const subsetNames = (w: Workload) => drOf(w)?.spec!.subsets?.map((s) => s.name);
const hpaReplicas = (w: Workload) => w.hpas.map((h) => [h.metadata.name, h.spec!.minReplicas, h.spec!.maxReplicas]);

t.test('rollback refusals: nothing recorded, unknown revision, already there', async (t) => {
  const fresh = caught(() => planStep(workload(), { verb: 'rollback' }));
  t.strictSame(
    [fresh.name, fresh.exitCode, fresh.message],
    ['PreconditionError', 4, 'shop/reviews has no earlier routing revision to roll back to'],
  );
  const s = runAll(workload(), [
    { verb: 'canary', weight: 10 },
    { verb: 'canary', weight: 50 },
  ]);
  const unknown = caught(() => planStep(s, { verb: 'rollback', toRevision: 9 }));
  t.strictSame(
    [unknown.name, unknown.exitCode, unknown.message, unknown.hint],
    ['NotFoundError', 3, 'revision 9 of shop/reviews is not in its history', 'kept revisions: 1, 2, 3'],
  );
  const here = caught(() => planStep(s, { verb: 'rollback', toRevision: 3 }));
  t.strictSame([here.name, here.exitCode, here.message], ['PreconditionError', 4, 'shop/reviews is already at revision 3']);
});

t.test('rollback goes to the previous revision; --to-revision to any kept one', async (t) => {
  const s = runAll(workload(), [
    { verb: 'canary', weight: 10 },
    { verb: 'canary', weight: 50 },
    { verb: 'canary', weight: 90 },
  ]);
  const back = run(s, { verb: 'rollback' });
  t.strictSame(split(back.state), [
    ['v1', 50],
    ['v2', 50],
  ]);
  t.equal(back.plan.summary, 'reviews: rolled back to revision 3 (canary 50%: v1 50% / v2 50%)');
  t.strictSame(back.plan.receiving, [], 'a rollback is never held back by the readiness gate');
  const to2 = run(s, { verb: 'rollback', toRevision: 2 });
  t.strictSame(split(to2.state), [
    ['v1', 90],
    ['v2', 10],
  ]);
  t.strictSame(
    readHistory(vsOf(to2.state))
      .map((r) => [r.revision, r.change])
      .slice(-2),
    [
      [4, 'canary 90%: v1 10% / v2 90%'],
      [5, 'rollback to revision 2'],
    ],
  );
  t.strictSame(writeLine(to2.plan), ['replace VirtualService reviews']);
});

t.test('rollback to the baseline deletes what we created: the VirtualService first, then the DestinationRule', async (t) => {
  const s = runAll(workload(), [
    { verb: 'canary', weight: 10 },
    { verb: 'env', env: 'uat', headers: [{ name: 'x-env', type: 'exact', value: 'uat' }] },
  ]);
  const { plan, state } = run(s, { verb: 'rollback', toRevision: 1 });
  t.strictSame(writeLine(plan), ['delete VirtualService reviews', 'delete DestinationRule reviews']);
  t.equal(plan.summary, 'reviews: back to revision 1 (before kubectl-mesh): routing objects removed');
  t.strictSame([state.virtualServices, state.destinationRules], [[], []]);
});

t.test('rollback to the baseline keeps a DestinationRule the user had, minus the subsets we added', async (t) => {
  const dr = destinationRule('reviews', ['v1'], { trafficPolicy: { tls: { mode: 'ISTIO_MUTUAL' } } });
  const s = run(workload('reviews', ['v1', 'v2'], { dr: [dr] }), { verb: 'canary', weight: 30 }).state;
  t.strictSame(subsetNames(s), ['v1', 'v2']);
  const { plan, state } = run(s, { verb: 'rollback' });
  t.strictSame(writeLine(plan), ['delete VirtualService reviews', 'replace DestinationRule reviews']);
  t.strictSame(drOf(state), dr);
});

t.test('rollback to the baseline leaves our VirtualService when the user added routes to it since', async (t) => {
  const s = run(workload(), { verb: 'canary', weight: 30 }).state;
  const vs = vsOf(s)!;
  const mine = { name: 'ops', match: [{ uri: { prefix: '/ops' } }], route: [{ destination: { host: 'ops-console' } }] };
  const edited: Workload = { ...s, virtualServices: [{ ...vs, spec: { ...vs.spec, http: [mine, ...vs.spec!.http!] } }] };
  const { plan, state } = run(edited, { verb: 'rollback' });
  t.strictSame(writeLine(plan), ['replace VirtualService reviews', 'delete DestinationRule reviews']);
  t.strictSame(vsOf(state)!.spec!.http, [mine]);
});

t.test('rollback restores a pruned subset before the routes that need it (make-before-break)', async (t) => {
  const s = runAll(workload(), [
    { verb: 'canary', weight: 20 },
    { verb: 'promote', prune: true },
  ]);
  t.strictSame(subsetNames(s), ['v2']);
  const { plan, state } = run(s, { verb: 'rollback' });
  t.strictSame(writeLine(plan), ['replace DestinationRule reviews', 'replace VirtualService reviews']);
  t.strictSame(subsetNames(state), ['v2', 'v1']);
  t.strictSame(split(state), [
    ['v1', 80],
    ['v2', 20],
  ]);
  t.strictSame(readHistory(vsOf(state)).at(-1)!.roles, { stable: 'v1', canary: 'v2' }, 'roles come back too');
});

t.test('rollback removes a subset a later canary added, after the routes stop using it', async (t) => {
  const s = runAll(workload('reviews', ['v1', 'v2', 'v3']), [
    { verb: 'canary', weight: 20, stable: 'v1', canary: 'v2' },
    { verb: 'canary', weight: 5, stable: 'v1', canary: 'v3' },
  ]);
  const { plan, state } = run(s, { verb: 'rollback' });
  t.strictSame(writeLine(plan), ['replace VirtualService reviews', 'replace DestinationRule reviews']);
  t.strictSame(subsetNames(state), ['v1', 'v2']);
});

t.test("rollback keeps the user's routes as they are now", async (t) => {
  const user = virtualService('reviews', [
    { name: 'admin', match: [{ uri: { prefix: '/admin' } }], route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
    { name: 'default', retries: { attempts: 3 }, route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
  ]);
  const s = runAll(workload('reviews', ['v1', 'v2'], { vs: [user], dr: [destinationRule('reviews', ['v1', 'v2'])] }), [
    { verb: 'canary', weight: 10 },
    { verb: 'canary', weight: 60 },
  ]);
  const vs = vsOf(s)!;
  const admin2 = { ...user.spec!.http![0], timeout: '3s' };
  const edited: Workload = { ...s, virtualServices: [{ ...vs, spec: { ...vs.spec, http: [admin2, vs.spec!.http![1]] } }] };
  const { state } = run(edited, { verb: 'rollback' });
  t.strictSame(vsOf(state)!.spec!.http, [
    admin2,
    {
      name: 'mesh-primary',
      retries: { attempts: 3 },
      route: [
        { destination: { host: 'reviews', subset: 'v1' }, weight: 90 },
        { destination: { host, subset: 'v2' }, weight: 10 },
      ],
    },
  ]);
  // All the way back: the user's own catch-all returns, exactly.
  t.strictSame(vsOf(run(state, { verb: 'rollback', toRevision: 1 }).state)!.spec!.http, [admin2, user.spec!.http![1]]);
});

t.test('rollback rescales HPAs to the weights of a scaled revision, and restores them for an unscaled one', async (t) => {
  const s = runAll(workload(), [
    { verb: 'canary', weight: 20, scaleHpa: true },
    { verb: 'canary', weight: 80, scaleHpa: true },
  ]);
  t.strictSame(hpaReplicas(s), [
    ['reviews-v1', 1, 2],
    ['reviews-v2', 2, 8],
  ]);
  const back = run(s, { verb: 'rollback' });
  t.strictSame(hpaReplicas(back.state), [
    ['reviews-v1', 2, 8],
    ['reviews-v2', 1, 2],
  ]);
  t.strictSame(
    writeLine(back.plan),
    ['replace HorizontalPodAutoscaler reviews-v1', 'replace VirtualService reviews', 'replace HorizontalPodAutoscaler reviews-v2'],
    'grow before the routes move, shrink after',
  );
  const base = run(s, { verb: 'rollback', toRevision: 1 });
  t.strictSame(base.state.hpas, workload().hpas, 'baseline: HPAs as they were, annotation gone');
});

t.test("rollback after a rollback to the baseline takes the user's catch-all over again", async (t) => {
  const user: Obj = virtualService('reviews', [
    { name: 'default', timeout: '2s', route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
  ]);
  const s = runAll(workload('reviews', ['v1', 'v2'], { vs: [user], dr: [destinationRule('reviews', ['v1', 'v2'])] }), [
    { verb: 'canary', weight: 25 },
    { verb: 'rollback' },
  ]);
  t.strictSame(vsOf(s)!.spec!.http, user.spec!.http);
  const { state } = run(s, { verb: 'rollback' });
  t.strictSame(
    vsOf(state)!.spec!.http,
    [
      {
        name: 'mesh-primary',
        timeout: '2s',
        route: [
          { destination: { host: 'reviews', subset: 'v1' }, weight: 75 },
          { destination: { host, subset: 'v2' }, weight: 25 },
        ],
      },
    ],
    'one catch-all, not two',
  );
});

t.test('rollback rescales the HPA of a subset it restores (a pruned, user-named subset)', async (t) => {
  const dr = destinationRule('reviews', []);
  dr.spec!.subsets = [
    { name: 'blue', labels: { version: 'v1' } },
    { name: 'green', labels: { version: 'v2' } },
  ];
  const user = virtualService('reviews', [{ route: [{ destination: { host: 'reviews', subset: 'blue' } }] }]);
  const s = runAll(workload('reviews', ['v1', 'v2'], { vs: [user], dr: [dr] }), [
    { verb: 'canary', weight: 90, scaleHpa: true },
    { verb: 'promote', prune: true },
  ]);
  t.strictSame(subsetNames(s), ['green']);
  const { state } = run(s, { verb: 'rollback' });
  t.strictSame(subsetNames(state), ['green', 'blue']);
  t.strictSame(
    hpaReplicas(state),
    [
      ['reviews-v1', 1, 1],
      ['reviews-v2', 2, 9],
    ],
    'blue (v1) at 10%, green (v2) at 90%',
  );
});

t.test('rollback keeps a user route placed between our header routes and the primary route before the primary', async (t) => {
  const uat = { verb: 'env', env: 'uat', headers: [{ name: 'x-env', type: 'exact', value: 'uat' }] } as const;
  const s = runAll(workload(), [
    { verb: 'canary', weight: 10 },
    { ...uat, headers: [...uat.headers] },
    { verb: 'canary', weight: 30 },
  ]);
  const vs = vsOf(s)!;
  const ops = { name: 'ops', match: [{ uri: { prefix: '/ops' } }], route: [{ destination: { host: 'ops-console' } }] };
  const edited: Workload = { ...s, virtualServices: [{ ...vs, spec: { ...vs.spec, http: [vs.spec!.http![0], ops, vs.spec!.http![1]] } }] };
  const names = (w: Workload) => httpRoutes(vsOf(w)).map((r) => r.name);
  t.strictSame(
    names(run(edited, { verb: 'rollback' }).state),
    ['mesh-env-uat', 'ops', 'mesh-primary'],
    'ops still matches before the catch-all',
  );
  const noEnv = run(edited, { verb: 'rollback', toRevision: 2 }).state;
  t.strictSame(names(noEnv), ['ops', 'mesh-primary']);
  t.strictSame(
    names(run(noEnv, { verb: 'rollback', toRevision: 4 }).state),
    ['ops', 'mesh-env-uat', 'mesh-primary'],
    'header route comes back above the primary',
  );
});
