// Progressive rollouts judged by Istio's own control plane: while each step of
// `kubectl mesh canary SERVICE --steps 20,50,100 --interval 2s` holds (its -o json `step` event seen,
// the next not yet), the weights istiod sends a sidecar (test/xds-probe) must be the step's; after the
// rollout ends (done, promoted, or rolled back by a failing metric gate) the routes must be the final ones.
import { isDeepStrictEqual } from 'node:util';
import t from 'tap';
import { behave, prometheusUrl, start, stepArgs, type Running } from './rollout-support.js';
import { createApp, createNamespace, deleteNamespace, mesh, scratchNamespace, vsOf } from './support.js';
import { expectedRoutes, normalised, routesNow, routesSettle, type EnvoyRoute } from './xds.js';

const ns = scratchNamespace('e2e-xlate-roll');
const cluster = (svc: string, subset: string) => `outbound|9080|${subset}|${svc}.${ns}.svc.cluster.local`;
const split = (svc: string, canary: number): EnvoyRoute => ({
  name: 'mesh-primary',
  prefix: '/',
  // Istio leaves out a destination of weight 0.
  weightedClusters: [
    { cluster: cluster(svc, 'v1'), weight: 100 - canary },
    { cluster: cluster(svc, 'v2'), weight: canary },
  ].filter((c) => c.weight > 0),
});
const legacy = (svc: string): EnvoyRoute => ({
  name: 'mesh-env-legacy',
  prefix: '/',
  headers: [{ name: 'x-env', exact: 'legacy' }],
  cluster: cluster(svc, 'v1'),
});

interface Case {
  name: string;
  svc: string;
  /** Commands run on the service before the rollout (SERVICE -n NS --yes appended). */
  before: string[][];
  /** Error rate of the canary's pods (the traffic source answers that share with 500). */
  canaryErrors?: number;
  extra: string[];
  code: number;
  /** The routes in Envoy while each step reached holds, by step weight (of --steps 20,50,100). */
  steps: [weight: number, routes: EnvoyRoute[]][];
  final: EnvoyRoute[];
}

const gates = ['--analysis', 'success-rate>=99', '--max-failures', '2', '--prometheus', prometheusUrl()];
const cases: Case[] = [
  {
    name: 'no gates, no --promote: each step in Envoy while it holds; the rollout stays at 100%',
    svc: 'plain',
    before: [],
    extra: [],
    code: 0,
    steps: [20, 50, 100].map((w) => [w, [split('plain', w)]]),
    final: [split('plain', 100)],
  },
  {
    name: 'passing gates, --promote: a header route to stable stays first at every step; v2 takes the catch-all',
    svc: 'promo',
    before: [
      ['canary', '5', '--stable', 'v1', '--canary', 'v2'],
      ['env', 'legacy', '--header', 'x-env=legacy', '--subset', 'v1'],
    ],
    // Check events come while a step holds: reading goes on through them.
    extra: [...gates, '--promote'],
    code: 0,
    steps: [20, 50, 100].map((w) => [w, [legacy('promo'), split('promo', w)]]),
    final: [legacy('promo'), { name: 'mesh-primary', prefix: '/', cluster: cluster('promo', 'v2') }],
  },
  {
    name: 'a failing canary: step 20 in Envoy until the gate fails, then the routes from before the rollout',
    svc: 'failing',
    before: [['canary', '10', '--stable', 'v1', '--canary', 'v2']],
    canaryErrors: 0.5,
    extra: gates,
    code: 4,
    steps: [[20, [split('failing', 20)]]],
    final: [split('failing', 10)],
  },
];

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  for (const c of cases) {
    await createApp(ns, c.svc, ['v1', 'v2'], { replicas: 1, hpa: false });
    for (const args of c.before) {
      const r = await mesh([...args.slice(0, 2), c.svc, ...args.slice(2), '-n', ns, '--yes']);
      if (r.code !== 0) throw new Error(`${args.join(' ')} ${c.svc}: ${r.stderr}`);
    }
    if (c.canaryErrors !== undefined) await behave(ns, `${c.svc}-v2`, { errorRate: c.canaryErrors });
  }
});
t.teardown(() => deleteNamespace(ns));

/** The complete JSON lines the rollout printed so far. */
const eventsSoFar = (run: Running): any[] =>
  run
    .stdout()
    .split('\n')
    .slice(0, -1)
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l));

/**
 * Once step `weight` is announced, reads Envoy's routes until they are `want` or the rollout moved on
 * (a later event); `held`: `want` was seen before it moved on (next step, promote, rollback, done).
 */
async function duringStep(run: Running, svc: string, weight: number, want: EnvoyRoute[]) {
  await run.event((e) => e.event === 'step' && e.weight === weight);
  // Checks are part of holding the step; any other event after it (next step, promote, rollback, done) is not.
  const movedOn = () => {
    const events = eventsSoFar(run);
    const at = events.findIndex((e) => e.event === 'step' && e.weight === weight);
    return events.slice(at + 1).some((e) => e.event !== 'check');
  };
  for (;;) {
    const routes = normalised((await routesNow({ namespace: ns, host: svc })).routes);
    const moved = movedOn();
    if (isDeepStrictEqual(routes, want) || moved) return { routes, held: !moved };
    await new Promise((r) => setTimeout(r, 100));
  }
}

for (const c of cases) {
  t.test(c.name, { timeout: 90_000 }, async (t) => {
    const run = start([...stepArgs(ns, c.svc, '20,50,100', '2s'), ...c.extra, '-o', 'json']);
    for (const [weight, want] of c.steps) {
      const seen = await duringStep(run, c.svc, weight, want);
      t.same(seen.routes, want, `step ${weight}%: istiod sends the step's routes`);
      t.ok(seen.held, `step ${weight}%: read while the step held`);
    }
    t.equal(await run.exit, c.code, `exit ${c.code}: ${run.stderr()}`);
    const events = eventsSoFar(run).map((e) => e.event);
    t.same(
      eventsSoFar(run)
        .filter((e) => e.event === 'step')
        .map((e) => e.weight),
      c.steps.map(([w]) => w),
      'the steps the rollout announced',
    );
    if (c.extra.includes('--analysis')) t.ok(events.includes('check'), 'the gates were checked while steps held');
    if (c.code) t.ok(events.includes('rollback'), 'rolled back');
    t.same(expectedRoutes(await vsOf(c.svc, ns)), c.final, 'the VirtualService ends as meant');
    t.same(await routesSettle({ namespace: ns, host: c.svc }, c.final), c.final, 'and istiod sends the final routes');
  });
}
