import t from 'tap';
import { readHistory } from '../../../src/routing/history.js';
import { httpRoutes } from '../../../src/routing/routes.js';
import type { HeaderCondition, Workload } from '../../../src/routing/types.js';
import { destinationRule, virtualService, workload } from '../builders.js';
import { goldenCases, initialState } from './golden-cases.js';
import { caught, drOf, planStep, run, runAll, vsOf, writeLine, type Step } from './sim.js';

const host = 'reviews.shop.svc.cluster.local';
const hdr = (value: string): HeaderCondition => ({ name: 'x-env', type: 'exact', value });
const subsetNames = (w: Workload) => (drOf(w)?.spec!.subsets as { name: string }[]).map((s) => s.name);
const names = (w: Workload) => httpRoutes(vsOf(w)).map((r) => r.name);
const lastChange = (w: Workload) => readHistory(vsOf(w)).at(-1)!;

/** canary 20 (v1 → v2), green → v2, uat → v1. */
const release: Step[] = [
  { verb: 'canary', weight: 20 },
  { verb: 'env', env: 'green', headers: [hdr('green')] },
  { verb: 'env', env: 'uat', headers: [hdr('uat')], subset: 'v1' },
];

t.test('promote: 100% to the candidate, removes only the header routes to it, keeps the old subset', async (t) => {
  const before = runAll(workload(), release);
  const { plan, state } = run(before, { verb: 'promote' });
  t.strictSame(writeLine(plan), ['replace VirtualService reviews']);
  t.strictSame(vsOf(state)!.spec!.http, [
    { name: 'mesh-env-uat', match: [{ headers: { 'x-env': { exact: 'uat' } } }], route: [{ destination: { host, subset: 'v1' } }] },
    { name: 'mesh-primary', route: [{ destination: { host, subset: 'v2' }, weight: 100 }] },
  ]);
  t.strictSame(subsetNames(state), ['v1', 'v2'], 'v1 stays until --prune');
  t.equal(plan.summary, 'reviews: v2 promoted to stable (v2 100%); removed env green');
  t.strictSame([lastChange(state).change, lastChange(state).roles], ['promote v2', { stable: 'v2' }]);
  t.strictSame(plan.receiving, ['v2']);
});

t.test('promote --prune refuses to remove a subset a route still uses, and says so', async (t) => {
  const { plan, state } = run(runAll(workload(), release), { verb: 'promote', prune: true });
  t.strictSame(subsetNames(state), ['v1', 'v2']);
  t.equal(plan.summary, 'reviews: v2 promoted to stable (v2 100%); removed env green; kept subset v1 (routes still send traffic to it)');
  t.equal(lastChange(state).change, 'promote v2', 'history does not claim a prune');
});

t.test('promote --prune removes the old subset after the routes stop using it', async (t) => {
  const before = runAll(workload(), [release[0], release[1]]);
  const { plan, state } = run(before, { verb: 'promote', prune: true });
  t.strictSame(writeLine(plan), ['replace VirtualService reviews', 'replace DestinationRule reviews']);
  t.strictSame(subsetNames(state), ['v2']);
  t.equal(plan.summary, 'reviews: v2 promoted to stable (v2 100%); pruned v1; removed env green');
  t.equal(lastChange(state).change, 'promote v2 (pruned v1)');
});

t.test('promote --prune keeps a subset a tcp route uses', async (t) => {
  const c = goldenCases('canary').find((x) => x.name === 'tcp-tls')!;
  const { plan, state } = run(run(initialState(c), { verb: 'canary', weight: 50 }).state, { verb: 'promote', prune: true });
  t.strictSame(subsetNames(state), ['v1', 'v2'], 'tcp still routes to v1');
  t.match(plan.summary, /; kept subset v1 \(routes still send traffic to it\)$/);
});

t.test('promote twice: the second is a no-op; promote then promote --prune prunes', async (t) => {
  const once = run(run(workload(), release[0]).state, { verb: 'promote' }).state;
  const twice = planStep(once, { verb: 'promote' });
  t.strictSame(twice.writes, []);
  t.equal(twice.summary, 'reviews: v2 is already stable (v2 100%)');
  const { plan, state } = run(once, { verb: 'promote', prune: true });
  t.strictSame(writeLine(plan), ['replace VirtualService reviews', 'replace DestinationRule reviews']);
  t.strictSame(subsetNames(state), ['v2']);
  t.equal(plan.summary, 'reviews: v2 is already stable (v2 100%); pruned v1');
  t.strictSame(planStep(state, { verb: 'promote', prune: true }).writes, [], 'nothing left to prune');
});

t.test('after a promote, the next release pairs the new candidate with the recorded stable', async (t) => {
  const promoted = runAll(workload('reviews', ['v1', 'v2', 'v3']), [
    { verb: 'canary', weight: 20, stable: 'v1', canary: 'v2' },
    { verb: 'promote' },
  ]);
  const { state } = run(promoted, { verb: 'canary', weight: 10, canary: 'v3' });
  t.strictSame(
    httpRoutes(vsOf(state))
      .at(-1)!
      .route!.map((d) => [d.destination?.subset, d.weight]),
    [
      ['v2', 90],
      ['v3', 10],
    ],
  );
  t.strictSame(lastChange(state).roles, { stable: 'v2', canary: 'v3' });
  t.strictSame(names(run(state, { verb: 'promote' }).state), ['mesh-primary']);
});

t.test('promote refuses when nothing routes the service yet', async (t) => {
  const err = caught(() => planStep(workload(), { verb: 'promote' }));
  t.strictSame(
    [err.name, err.exitCode, err.message],
    ['PreconditionError', 4, 'no VirtualService routes shop/reviews yet, so there is no candidate to promote'],
  );
});

t.test('promote with HPAs scaled to weight gives them their baseline back, growing before the route change', async (t) => {
  const scaled = run(workload(), { verb: 'canary', weight: 20, scaleHpa: true }).state;
  const { plan, state } = run(scaled, { verb: 'promote' });
  t.strictSame(writeLine(plan), [
    'replace HorizontalPodAutoscaler reviews-v1',
    'replace HorizontalPodAutoscaler reviews-v2',
    'replace VirtualService reviews',
  ]);
  t.strictSame(state.hpas, workload().hpas, 'HPAs exactly as before kubectl-mesh, annotation gone');
});

t.test('promote --prune keeps a subset that a user route mirrors to (mirror and mirrors)', async (t) => {
  for (const mirrorField of [
    { mirror: { host: 'reviews', subset: 'v1' } },
    { mirrors: [{ destination: { host: 'reviews', subset: 'v1' }, percentage: { value: 5 } }] },
  ]) {
    const user = virtualService('reviews', [
      { name: 'shadow', match: [{ uri: { prefix: '/search' } }], route: [{ destination: { host: 'ratings' } }], ...mirrorField },
      { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
    ]);
    const w = workload('reviews', ['v1', 'v2'], { vs: [user], dr: [destinationRule('reviews', ['v1', 'v2'])] });
    const { plan, state } = run(run(w, { verb: 'canary', weight: 50 }).state, { verb: 'promote', prune: true });
    t.strictSame(subsetNames(state), ['v1', 'v2'], Object.keys(mirrorField)[0]);
    t.match(plan.summary, /kept subset v1 \(routes still send traffic to it\)$/);
  }
});
