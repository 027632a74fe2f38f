import t from 'tap';
import { readHistory } from '../../../src/routing/history.js';
import { httpRoutes } from '../../../src/routing/routes.js';
import type { HeaderCondition, Workload } from '../../../src/routing/types.js';
import { destinationRule, virtualService, workload } from '../builders.js';
import { caught, drOf, planStep, run, runAll, vsOf, writeLine } from './sim.js';

const host = 'reviews.shop.svc.cluster.local';
const hdr = (value: string, type: HeaderCondition['type'] = 'exact', name = 'x-env'): HeaderCondition => ({ name, type, value });
const envRoute = (env: string, match: Record<string, unknown>, subset: string) => ({
  name: `mesh-env-${env}`,
  match: [{ headers: match }],
  route: [{ destination: { host, subset } }],
});
const subsetNames = (w: Workload) => (drOf(w)?.spec!.subsets as { name: string }[]).map((s) => s.name);
const names = (w: Workload) => httpRoutes(vsOf(w)).map((r) => r.name);

t.test('green on a service with no VirtualService: DestinationRule first, then a header route above a 100% stable catch-all', async (t) => {
  const { plan, state } = run(workload(), { verb: 'env', env: 'green', headers: [hdr('green')] });
  t.strictSame(writeLine(plan), ['create DestinationRule reviews', 'create VirtualService reviews']);
  t.strictSame(vsOf(state)!.spec!.http, [
    envRoute('green', { 'x-env': { exact: 'green' } }, 'v2'),
    { name: 'mesh-primary', route: [{ destination: { host, subset: 'v1' }, weight: 100 }] },
  ]);
  t.strictSame(subsetNames(state), ['v1', 'v2']);
  t.strictSame(plan.receiving, ['v2']);
  t.equal(plan.summary, 'reviews: env green: x-env=green → v2');
  t.strictSame(
    readHistory(vsOf(state)).map((r) => [r.revision, r.change, r.roles]),
    [
      [1, 'before kubectl-mesh', {}],
      [2, 'env green: x-env=green → v2', { stable: 'v1', canary: 'v2' }],
    ],
  );
});

t.test('env on an existing canary: inserted right above the primary route, DestinationRule untouched', async (t) => {
  const s1 = run(workload(), { verb: 'canary', weight: 20 }).state;
  const { plan, state } = run(s1, { verb: 'env', env: 'uat', headers: [hdr('uat')], subset: 'v2' });
  t.strictSame(writeLine(plan), ['replace VirtualService reviews']);
  t.strictSame(names(state), ['mesh-env-uat', 'mesh-primary']);
  t.strictSame(httpRoutes(vsOf(state))[1], httpRoutes(vsOf(s1))[0], 'primary route unchanged');
});

t.test('env update changes the route in place; a new subset is added to the DestinationRule before the route uses it', async (t) => {
  const w = workload('reviews', ['v1', 'v2', 'v3']);
  const s1 = runAll(w, [
    { verb: 'canary', weight: 10, stable: 'v1', canary: 'v2' },
    { verb: 'env', env: 'uat', headers: [hdr('uat')], subset: 'v2' },
    { verb: 'env', env: 'dev', headers: [hdr('dev')], subset: 'v2' },
  ]);
  const { plan, state } = run(s1, { verb: 'env', env: 'uat', headers: [hdr('uat-'), hdr('pay', 'prefix', 'x-team')], subset: 'v3' });
  t.strictSame(writeLine(plan), ['replace DestinationRule reviews', 'replace VirtualService reviews']);
  t.strictSame(names(state), ['mesh-env-uat', 'mesh-env-dev', 'mesh-primary'], 'same position');
  t.strictSame(httpRoutes(vsOf(state))[0], envRoute('uat', { 'x-env': { exact: 'uat-' }, 'x-team': { prefix: 'pay' } }, 'v3'));
  t.strictSame(plan.receiving, ['v3']);
  t.strictSame(
    planStep(state, { verb: 'env', env: 'uat', headers: [hdr('uat-'), hdr('pay', 'prefix', 'x-team')], subset: 'v3' }).writes,
    [],
    'same env again: nothing to write',
  );
});

t.test('uat, dev and preprod coexist with distinct subsets, all above the catch-all', async (t) => {
  const state = runAll(workload('reviews', ['v1', 'v2', 'v3']), [
    { verb: 'canary', weight: 0, stable: 'v1', canary: 'v2' },
    { verb: 'env', env: 'uat', headers: [hdr('uat')], subset: 'v3' },
    { verb: 'env', env: 'dev', headers: [hdr('dev')], subset: 'v2' },
    { verb: 'env', env: 'preprod', headers: [hdr('preprod')], subset: 'v1' },
  ]);
  t.strictSame(vsOf(state)!.spec!.http!.slice(0, 3), [
    envRoute('uat', { 'x-env': { exact: 'uat' } }, 'v3'),
    envRoute('dev', { 'x-env': { exact: 'dev' } }, 'v2'),
    envRoute('preprod', { 'x-env': { exact: 'preprod' } }, 'v1'),
  ]);
  t.equal(names(state)[3], 'mesh-primary');
  t.strictSame(subsetNames(state), ['v1', 'v2', 'v3']);
  // Deleting one leaves the others and the DestinationRule alone.
  const { plan, state: after } = run(state, { verb: 'env-delete', env: 'dev' });
  t.strictSame(writeLine(plan), ['replace VirtualService reviews']);
  t.strictSame(names(after), ['mesh-env-uat', 'mesh-env-preprod', 'mesh-primary']);
  t.equal(plan.summary, 'reviews: env dev removed');
  t.strictSame(drOf(after), drOf(state));
});

t.test('--match prefix and regex write those match types; exact values are never turned into patterns', async (t) => {
  const s = runAll(workload(), [
    { verb: 'canary', weight: 0 },
    { verb: 'env', env: 'dev', headers: [hdr('dev-', 'prefix')], subset: 'v2' },
    { verb: 'env', env: 'beta', headers: [hdr('^(uat|qa)$', 'regex', 'user-agent')], subset: 'v2' },
    { verb: 'env', env: 'lit', headers: [hdr('a.b*(c)')], subset: 'v2' },
  ]);
  t.strictSame(
    httpRoutes(vsOf(s))
      .slice(0, 3)
      .map((r) => r.match),
    [
      [{ headers: { 'x-env': { prefix: 'dev-' } } }],
      [{ headers: { 'user-agent': { regex: '^(uat|qa)$' } } }],
      [{ headers: { 'x-env': { exact: 'a.b*(c)' } } }],
    ],
  );
});

t.test('env with a user VirtualService: header route above the user catch-all, nothing adopted', async (t) => {
  const user = virtualService('reviews', [
    { name: 'admin', match: [{ uri: { prefix: '/admin' } }], route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
    { name: 'default', timeout: '5s', route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
  ]);
  const { plan, state } = run(workload('reviews', ['v1', 'v2'], { vs: [user], dr: [destinationRule('reviews', ['v1'])] }), {
    verb: 'env',
    env: 'uat',
    headers: [hdr('uat')],
    subset: 'v2',
  });
  t.strictSame(writeLine(plan), ['replace DestinationRule reviews', 'replace VirtualService reviews']);
  t.strictSame(vsOf(state)!.spec!.http, [user.spec!.http![0], envRoute('uat', { 'x-env': { exact: 'uat' } }, 'v2'), user.spec!.http![1]]);
});

t.test('env errors: no header, a header twice, an unknown environment, an unknown subset', async (t) => {
  const s = run(workload(), { verb: 'canary', weight: 10 }).state;
  const cases: [() => unknown, string, number, string][] = [
    [() => planStep(s, { verb: 'env', env: 'uat', headers: [] }), 'UsageError', 2, 'environment "uat" needs at least one --header'],
    [
      () => planStep(s, { verb: 'env', env: 'uat', headers: [hdr('a'), hdr('b')] }),
      'UsageError',
      2,
      'header x-env is given twice for environment "uat"',
    ],
    [() => planStep(s, { verb: 'env-delete', env: 'qa' }), 'NotFoundError', 3, 'environment "qa" has no route on shop/reviews'],
    [
      () => planStep(s, { verb: 'env', env: 'uat', headers: [hdr('uat')], subset: 'v9' }),
      'NotFoundError',
      3,
      'subset "v9" does not exist for shop/reviews (IST0101 ReferencedResourceNotFound): no DestinationRule subset or Deployment with version=v9',
    ],
  ];
  for (const [fn, name, code, message] of cases) {
    const err = caught(fn);
    t.strictSame([err.name, err.exitCode, err.message], [name, code, message]);
  }
  t.equal(caught(() => planStep(s, { verb: 'env-delete', env: 'qa' })).hint, 'there are no environments; nothing to delete');
  const withUat = run(s, { verb: 'env', env: 'uat', headers: [hdr('uat')] }).state;
  t.equal(caught(() => planStep(withUat, { verb: 'env-delete', env: 'qa' })).hint, 'existing environments: uat');
});

t.test('env with three versions and no VirtualService needs to know the stable subset', async (t) => {
  const w = workload('reviews', ['v1', 'v2', 'v3']);
  const err = caught(() => planStep(w, { verb: 'env', env: 'uat', headers: [hdr('uat')], subset: 'v3' }));
  t.strictSame([err.name, err.exitCode, err.message], ['UsageError', 2, 'cannot tell which subset pairs with v3']);
  const { state } = run(w, { verb: 'env', env: 'uat', headers: [hdr('uat')], subset: 'v3', stable: 'v1' });
  t.strictSame(
    vsOf(state)!.spec!.http!.map((r) => r.route![0].destination?.subset),
    ['v3', 'v1'],
  );
});

t.test('env names its candidate --subset in role errors, not --canary (env has no --canary)', async (t) => {
  const three = workload('reviews', ['v1', 'v2', 'v3']);
  const ambiguous = caught(() => planStep(three, { verb: 'env', env: 'uat', headers: [hdr('uat')] }));
  t.strictSame([ambiguous.exitCode, ambiguous.hint], [2, 'pass --stable and --subset']);
  const same = caught(() => planStep(three, { verb: 'env', env: 'uat', headers: [hdr('uat')], stable: 'v2', subset: 'v2' }));
  t.equal(same.message, '--stable and --subset both name v2');
});
