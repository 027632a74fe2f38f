import t from 'tap';
import { resolveTarget, type Target } from '../../../src/routing/target.js';
import { HISTORY_ANNOTATION } from '../../../src/model/names.js';
import type { HttpRoute, Obj } from '../../../src/routing/types.js';
import {
  CHOOSE_SUBSETS,
  OTHER,
  actionChoices,
  namespaceChoices,
  revisionChoices,
  routingSummary,
  serviceChoices,
  subsetChoices,
  suggestedRoles,
  validateEnvName,
  validateHeader,
  validateNamespace,
  validateWeight,
  weightChoices,
} from '../../../src/ui/flows/choices.js';
import { destinationRule, virtualService, workload } from '../builders.js';

const fqdn = (app: string) => `${app}.shop.svc.cluster.local`;
const primary = (app: string, weights: Record<string, number>): HttpRoute => ({
  name: 'mesh-primary',
  route: Object.entries(weights).map(([subset, weight]) => ({ destination: { host: fqdn(app), subset }, weight })),
});
const target = (app: string, versions: string[], http?: HttpRoute[], history?: object[]): Target => {
  const vs: Obj | undefined = http && virtualService(app, http);
  if (vs && history) vs.metadata.annotations = { [HISTORY_ANNOTATION]: JSON.stringify(history) };
  return resolveTarget(workload(app, versions, { vs: vs ? [vs] : [], dr: http ? [destinationRule(app, versions)] : [] }), 'version');
};
const names = (items: { name?: string; separator?: string }[]) => items.map((c) => c.name ?? c.separator);

t.test('routingSummary: the split, else what there is to route', async (t) => {
  t.equal(routingSummary(target('reviews', ['v1', 'v2'])), 'no routing yet (v1, v2)');
  t.equal(routingSummary(target('reviews', ['v1', 'v2'], [primary('reviews', { v1: 80, v2: 20 })])), 'v1 80% / v2 20%');
  t.equal(
    routingSummary(
      target(
        'reviews',
        ['v1', 'v2'],
        [{ name: 'admin', match: [{ uri: { prefix: '/a' } }], route: [{ destination: { host: 'reviews' } }] }],
      ),
    ),
    'no split yet (v1, v2)',
  );
  t.equal(routingSummary(target('ratings', ['v1'])), 'one version (v1)');
  t.equal(routingSummary(target('db', [])), 'no versions');
  const withEnv = target(
    'reviews',
    ['v1', 'v2'],
    [
      {
        name: 'mesh-env-green',
        match: [{ headers: { 'x-env': { exact: 'green' } } }],
        route: [{ destination: { host: fqdn('reviews'), subset: 'v2' } }],
      },
      primary('reviews', { v1: 100 }),
    ],
  );
  t.equal(routingSummary(withEnv), 'v1 100%  env green → v2');
});

t.test('serviceChoices: releasable services first, each with its split; the rest after a line', async (t) => {
  const targets = [
    target('db', ['v1']),
    target('reviews', ['v1', 'v2'], [primary('reviews', { v1: 80, v2: 20 })]),
    target('cart', ['v1', 'v2']),
  ];
  const forCanary = serviceChoices(targets, true);
  t.same(names(forCanary), ['reviews  v1 80% / v2 20%', 'cart     no routing yet (v1, v2)', '──────', 'db       one version (v1)']);
  t.same(
    forCanary.map((c) => ('value' in c ? c.value : '-')),
    ['reviews', 'cart', '-', 'db'],
  );
  t.equal((forCanary[3] as { disabled?: string }).disabled, '(needs two versions)', 'one version cannot be released');
  t.equal((forCanary[0] as { short?: string }).short, 'reviews', 'the answer shows just the name');
  t.notOk((serviceChoices(targets, false)[3] as { disabled?: string }).disabled, 'but its status can be looked at');
  t.same(names(serviceChoices([target('db', ['v1'])], false)), ['db  one version (v1)'], 'no line without two groups');
});

t.test('namespaceChoices: the context namespace first, then by name, then other…', async (t) => {
  const c = namespaceChoices(['shop', 'kube-system', 'default', 'apps', 'shop'], 'shop');
  t.same(names(c), ['shop (current context)', 'apps', 'default', 'kube-system', 'other…']);
  t.equal((c.at(-1) as { value: unknown }).value, OTHER);
  t.same(names(namespaceChoices([], 'dev')), ['dev (current context)', 'other…'], 'the context namespace even when not listed');
});

t.test('validators say what is wrong, or nothing', async (t) => {
  for (const ok of ['0', '7', '55', '100', ' 20 ']) t.equal(validateWeight(ok), undefined, `weight ${JSON.stringify(ok)}`);
  for (const bad of ['', '101', '-1', '1.5', '2O', 'abc', '1000'])
    t.equal(validateWeight(bad), 'an integer from 0 to 100', `weight ${JSON.stringify(bad)}`);
  t.equal(validateNamespace('shop-2'), undefined);
  t.ok(validateNamespace('Shop'));
  t.ok(validateNamespace('-x'));
  t.equal(validateEnvName('preprod'), undefined);
  t.ok(validateEnvName('Pre Prod'));
  t.equal(validateHeader('x-env=green', 'exact'), undefined);
  t.equal(validateHeader('X-Env=green', 'exact'), undefined, 'upper case is fine: it is lower-cased');
  t.equal(validateHeader('x-env', 'exact'), 'header "x-env" is not name=value');
  t.equal(validateHeader('x env=a', 'exact'), 'header name "x env" is not an HTTP token');
  t.equal(validateHeader('x-env=', 'exact'), 'header "x-env" has an empty value');
  t.equal(validateHeader('x-env=(', 'exact'), undefined, 'exact values are data');
  t.match(validateHeader('x-env=(', 'regex'), /^invalid regex for header x-env/);
});

t.test('weightChoices: the usual next steps with their split; now is shown, not offered', async (t) => {
  const roles = { stable: 'v1', canary: 'v2' };
  const first = weightChoices(roles, 0);
  t.same(names(first.choices), [
    ' 10%  v1 90% / v2 10%',
    ' 25%  v1 75% / v2 25%',
    ' 50%  v1 50% / v2 50%',
    '100%  v1 0% / v2 100%',
    'other…',
    'choose other subsets…',
  ]);
  t.equal(first.default, 10, 'the first step is the default');
  const later = weightChoices(roles, 25);
  t.same(
    later.choices.map((c) => ('value' in c ? c.value : undefined)),
    [0, 10, 25, 50, 100, OTHER, CHOOSE_SUBSETS],
    '0 goes back once there is traffic',
  );
  t.equal((later.choices[2] as { disabled?: string }).disabled, '(now)');
  t.equal(later.default, 50);
  t.equal(weightChoices(roles, 30).default, 50, 'between steps: the next one up');
  const done = weightChoices(roles, 100);
  t.equal(done.default, OTHER, 'nothing above 100');
  t.equal((done.choices[4] as { disabled?: string }).disabled, '(now)');
});

t.test('suggestedRoles: discovery when it can tell, else a best guess', async (t) => {
  t.same(suggestedRoles(target('reviews', ['v1', 'v2'])), { stable: 'v1', canary: 'v2' });
  t.same(
    suggestedRoles(target('reviews', ['v1', 'v2'], [primary('reviews', { v1: 0, v2: 100 })])),
    { stable: 'v2', canary: 'v1' },
    'most traffic is stable',
  );
  t.same(
    suggestedRoles(target('ratings', ['v1', 'v2', 'v3'])),
    { stable: 'v1', canary: 'v3' },
    'three versions: oldest stable, newest candidate',
  );
  t.same(suggestedRoles(target('ratings', ['v1', 'v2', 'v3'], [primary('ratings', { v1: 10, v2: 90 })])), { stable: 'v2', canary: 'v3' });
  t.same(suggestedRoles(target('ratings', ['v1', 'v2', 'v3']), { stable: 'v2' }), { stable: 'v2', canary: 'v3' }, 'a given role is kept');
  t.equal(suggestedRoles(target('db', ['v1'])), undefined, 'nothing to suggest with one version');
});

t.test('subsetChoices: each with its weight; stable cannot be picked twice', async (t) => {
  const c = subsetChoices(target('reviews', ['v1', 'v2', 'v3'], [primary('reviews', { v1: 90, v2: 10 })]), 'v1');
  t.same(names(c), ['v1  (90% now)', 'v2  (10% now)', 'v3']);
  t.equal((c[0] as { disabled?: string }).disabled, '(stable)');
});

t.test('actionChoices and revisionChoices: what cannot be done says why', async (t) => {
  const fresh = actionChoices(target('reviews', ['v1', 'v2']));
  t.same(
    fresh.map((c) => ('value' in c ? c.value : '')),
    ['canary', 'green', 'env', 'promote', 'rollback', 'status', 'history'],
  );
  const disabled = Object.fromEntries(fresh.map((c) => ['value' in c ? c.value : '', (c as { disabled?: string }).disabled]));
  t.same(disabled, {
    canary: undefined,
    green: undefined,
    env: undefined,
    promote: '(nothing routed yet)',
    rollback: '(no earlier revision)',
    status: undefined,
    history: undefined,
  });
  const single = Object.fromEntries(
    actionChoices(target('db', ['v1'])).map((c) => ['value' in c ? c.value : '', (c as { disabled?: string }).disabled]),
  );
  t.equal(single.canary, '(needs two versions)');
  const history = [
    { revision: 1, at: '2026-11-26T09:00:00.000Z', user: 'alice', change: 'before kubectl-mesh', routes: [], subsets: [], roles: {} },
    { revision: 2, at: '2026-11-26T10:00:00.000Z', user: 'bob', change: 'canary 20%: v1 80% / v2 20%', routes: [], subsets: [], roles: {} },
  ];
  const routed = target('reviews', ['v1', 'v2'], [primary('reviews', { v1: 80, v2: 20 })], history);
  t.notOk(
    actionChoices(routed).some((c) => (c as { disabled?: string }).disabled),
    'everything possible',
  );
  const revs = revisionChoices(routed);
  t.same(
    names(revs),
    ['  2  2026-11-26 10:00:00Z  bob  canary 20%: v1 80% / v2 20%', '  1  2026-11-26 09:00:00Z  alice  before kubectl-mesh'],
    'newest first',
  );
  t.equal((revs[0] as { disabled?: string }).disabled, '(current)');
});
