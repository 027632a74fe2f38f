// Preservation: on every realistic VirtualService shape (the canary golden inputs), a release
// canary → green → promote → rollback → rollback-to-baseline keeps every route and field that is
// not ours byte-for-byte, and puts our routes where first-match-wins needs them.
import t from 'tap';
import { ENVIRONMENTS_ANNOTATION, HISTORY_ANNOTATION, PRIMARY_ROUTE, envRouteName, isOwnedRoute } from '../../../src/model/names.js';
import { httpRoutes } from '../../../src/routing/routes.js';
import type { HttpRoute, Obj, Workload } from '../../../src/routing/types.js';
import { routeWeights } from '../../../src/routing/view.js';
import { goldenCases, initialState } from './golden-cases.js';
import { caught, drOf, run, vsOf, type Step } from './sim.js';

/**
 * Per shape: which route (index in the input) we take over as our primary route, or null when ours is
 * appended; the subsets playing stable and canary; conflict when a foreign catch-all forbids a canary.
 */
const table: Record<string, { adopt: number | null; stable?: string; canary?: string; conflict?: boolean }> = {
  'adopt-catch-all': { adopt: 0 },
  'fault-injection': { adopt: 1 },
  'foreign-catch-all': { adopt: null, conflict: true },
  'foreign-host-route': { adopt: 1 },
  'gateways-bound': { adopt: 1 },
  mirror: { adopt: 1 },
  'multi-match': { adopt: 1 },
  'named-subsets': { adopt: 0, stable: 'blue', canary: 'green' },
  'no-routing': { adopt: null },
  'only-match-routes': { adopt: null },
  'prefix-slash-catch-all': { adopt: 1 },
  'redirect-direct-response': { adopt: 2 },
  'retries-timeout': { adopt: 1 },
  'rewrite-cors-headers': { adopt: 1 },
  'several-hosts': { adopt: 1 },
  'tcp-tls': { adopt: 0 },
};

const cases = goldenCases('canary');
t.equal(cases.length, Object.keys(table).length, 'every canary golden input has a row in the table');

const foreign = (vs: Obj | undefined): HttpRoute[] => httpRoutes(vs).filter((r) => !isOwnedRoute(r));
const specBesidesHttp = (vs: Obj | undefined) => {
  const { http: _h, ...rest } = vs?.spec ?? {};
  return rest;
};
const metaBesidesHistory = (vs: Obj | undefined) => {
  if (!vs) return undefined;
  const { annotations, ...rest } = vs.metadata;
  const { [HISTORY_ANNOTATION]: _h, [ENVIRONMENTS_ANNOTATION]: _e, ...others } = annotations ?? {};
  return { ...rest, annotations: Object.keys(others).length ? others : undefined };
};
const without = (o: object, ...keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));
const names = (vs: Obj | undefined) => httpRoutes(vs).map((r) => r.name ?? '(unnamed)');

for (const c of cases) {
  const row = table[c.name];
  t.test(`preservation: ${c.name}`, async (t) => {
    const start = initialState(c);
    const inputVs = vsOf(start);
    const inputDr = drOf(start);
    const stable = row.stable ?? 'v1';
    const canary = row.canary ?? 'v2';
    const adopted = row.adopt === null ? undefined : httpRoutes(inputVs)[row.adopt];
    const expectedForeign = foreign(inputVs).filter((r) => r !== adopted);

    /** What survives every step: foreign routes, other spec sections and fields, metadata, the adopted route's fields. */
    const preserved = (state: Workload, step: string) => {
      const vs = vsOf(state);
      t.strictSame(foreign(vs), expectedForeign, `${step}: foreign routes unchanged, in order`);
      t.equal(JSON.stringify(foreign(vs)), JSON.stringify(expectedForeign), `${step}: foreign routes byte-for-byte (key order too)`);
      if (inputVs) {
        t.strictSame(specBesidesHttp(vs), specBesidesHttp(inputVs), `${step}: hosts, gateways, exportTo, tcp, tls unchanged`);
        t.strictSame(
          metaBesidesHistory(vs),
          metaBesidesHistory(inputVs),
          `${step}: metadata unchanged apart from our history and environments`,
        );
      }
      const primary = httpRoutes(vs).find((r) => r.name === PRIMARY_ROUTE)!;
      if (adopted)
        t.strictSame(without(primary, 'name', 'route'), without(adopted, 'name', 'route'), `${step}: adopted route keeps its other fields`);
      const i = names(vs).indexOf(PRIMARY_ROUTE);
      if (row.adopt !== null) {
        // Our routes sit where the adopted catch-all was; everything before it stays before it.
        t.strictSame(
          httpRoutes(vs).slice(0, row.adopt),
          httpRoutes(inputVs).slice(0, row.adopt),
          `${step}: routes before the catch-all unchanged`,
        );
      }
      const envs = names(vs).filter((n) => n.startsWith('mesh-env-')).length;
      t.equal(
        i,
        row.adopt === null ? names(vs).length - 1 : row.adopt + envs,
        `${step}: primary is where the catch-all was (after our header routes), else last`,
      );
      httpRoutes(vs).forEach((r, j) => {
        if (r.name?.startsWith('mesh-env-')) t.ok(j < i, `${step}: header route ${r.name} before the primary route`);
      });
      if (inputDr) {
        const { subsets: _a, ...drRest } = drOf(state)!.spec!;
        const { subsets: _b, ...inRest } = inputDr.spec!;
        t.strictSame(drRest, inRest, `${step}: DestinationRule fields besides subsets unchanged`);
        for (const s of inputDr.spec!.subsets ?? [])
          t.strictSame(
            drOf(state)!.spec!.subsets!.find((x: { name: string }) => x.name === s.name),
            s,
            `${step}: subset ${s.name} unchanged`,
          );
      }
    };

    if (row.conflict) {
      for (const step of [
        { verb: 'canary', weight: 20 },
        { verb: 'promote', canary: 'v1' },
      ] as Step[]) {
        const err = caught(() => run(start, step));
        t.strictSame([err.name, err.exitCode], ['ConflictError', 5], `${step.verb} refuses`);
        t.match(err.message, /catch-all route "fallback" \(http\[1\]\)/);
      }
      // A header route is still possible: it goes above the foreign catch-all, which stays last.
      const { state } = run(start, {
        verb: 'env',
        env: 'green',
        headers: [{ name: 'x-env', type: 'exact', value: 'green' }],
        subset: 'v2',
      });
      t.strictSame(names(vsOf(state)), ['reviews-api', envRouteName('green'), 'fallback']);
      t.strictSame(foreign(vsOf(state)), foreign(inputVs));
      return;
    }

    const s1 = run(start, { verb: 'canary', weight: 20 }).state;
    t.strictSame(routeWeights(httpRoutes(vsOf(s1)).find((r) => r.name === PRIMARY_ROUTE)), [
      { subset: stable, weight: 80 },
      { subset: canary, weight: 20 },
    ]);
    preserved(s1, 'canary 20');

    const s2 = run(s1, { verb: 'env', env: 'green', headers: [{ name: 'x-env', type: 'exact', value: 'green' }] }).state;
    const green = httpRoutes(vsOf(s2)).find((r) => r.name === envRouteName('green'))!;
    t.strictSame(green, {
      name: 'mesh-env-green',
      match: [{ headers: { 'x-env': { exact: 'green' } } }],
      route: [{ destination: { host: 'reviews.shop.svc.cluster.local', subset: canary } }],
    });
    t.equal(
      names(vsOf(s2)).indexOf('mesh-env-green') + 1,
      names(vsOf(s2)).indexOf(PRIMARY_ROUTE),
      'green route right above the primary route',
    );
    preserved(s2, 'green');

    const s3 = run(s2, { verb: 'promote' }).state;
    t.strictSame(routeWeights(httpRoutes(vsOf(s3)).find((r) => r.name === PRIMARY_ROUTE)), [{ subset: canary, weight: 100 }]);
    t.notOk(names(vsOf(s3)).includes('mesh-env-green'), 'green route pointed at the promoted subset: removed');
    t.ok(
      drOf(s3)!.spec!.subsets!.some((s: { name: string }) => s.name === stable),
      'old stable subset kept until --prune',
    );
    preserved(s3, 'promote');

    const s4 = run(s3, { verb: 'rollback' }).state;
    t.strictSame(vsOf(s4)!.spec, vsOf(s2)!.spec, 'rollback: back to the green revision exactly');
    t.strictSame(drOf(s4), drOf(s2));
    preserved(s4, 'rollback');

    const s5 = run(s4, { verb: 'rollback', toRevision: 1 }).state;
    if (!inputVs) {
      t.equal(vsOf(s5), undefined, 'VirtualService we created is deleted');
      t.equal(drOf(s5), undefined, 'DestinationRule we created is deleted');
    } else {
      t.strictSame(vsOf(s5)!.spec, inputVs.spec, "baseline: the user's VirtualService spec exactly as it was");
      t.strictSame(metaBesidesHistory(vsOf(s5)), metaBesidesHistory(inputVs));
      t.strictSame(drOf(s5), inputDr, 'baseline: the DestinationRule exactly as it was (or absent)');
    }
  });
}
