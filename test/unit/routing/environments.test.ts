// Environments across services (pure): discovery by version, the metadata annotation (bad shapes
// tolerated), the list view with baseline services and expiry, header conflicts, label selectors.
import t from 'tap';
import { planEnv } from '../../../src/routing/env.js';
import { readEnvMeta, withEnvMeta } from '../../../src/routing/env-meta.js';
import { environmentsOf, routing, withVersion } from '../../../src/routing/environments.js';
import { parseSelector, selectorMatches } from '../../../src/routing/selector.js';
import { resolveTarget, type Target } from '../../../src/routing/target.js';
import { renderEnvironments } from '../../../src/ui/env-view.js';
import { virtualService, who, workload } from '../builders.js';

const header = (value: string) => [{ name: 'x-env', type: 'exact' as const, value }];
const scope = { where: 'namespace shop' };

t.test('withVersion: services with a Deployment of that version, in name order; none is an error listing what exists', async (t) => {
  const ws = [workload('b', ['v1', 'uat']), workload('a', ['v1', 'uat', 'dev']), workload('c', ['v1'])];
  t.same(
    withVersion(ws, scope, 'uat', 'version').map((w) => w.service.metadata.name),
    ['a', 'b'],
  );
  t.throws(() => withVersion(ws, scope, 'qa', 'version'), {
    exitCode: 3,
    message: 'no service in namespace shop has a Deployment with version=qa',
    hint: /versions there: dev, uat, v1/,
  });
  t.throws(() => withVersion(ws, { ...scope, services: ['c'] }, 'uat', 'version'), {
    exitCode: 3,
    message: /shop\/c has no Deployment with version=uat \(versions: v1\)/,
  });
  t.throws(() => withVersion(ws, { ...scope, services: ['zz'] }, 'uat', 'version'), {
    exitCode: 3,
    message: 'service zz not found in namespace shop',
  });
});

t.test('metadata annotation: written per environment, kept in place, broken shapes skipped with one problem', async (t) => {
  const vs = virtualService('reviews', []);
  const one = withEnvMeta(vs, 'uat', { createdBy: 'alice', createdAt: '2026-11-27T10:00:00Z' });
  const two = withEnvMeta(one, 'dev', { createdBy: 'bob', createdAt: '2026-11-27T11:00:00Z', expires: '2026-11-28T11:00:00Z' });
  t.same(Object.keys(readEnvMeta(two).meta), ['uat', 'dev']);
  const renewed = withEnvMeta(two, 'uat', { createdBy: 'alice', createdAt: '2026-11-27T10:00:00Z' });
  t.equal(
    renewed.metadata.annotations!['kubectl-mesh.io/environments'],
    two.metadata.annotations!['kubectl-mesh.io/environments'],
    'same entry: same bytes',
  );
  t.notOk(withEnvMeta(withEnvMeta(two, 'uat', undefined), 'dev', undefined).metadata.annotations, 'the last one gone: no annotation left');
  const broken = (raw: string) =>
    readEnvMeta({ ...vs, metadata: { ...vs.metadata, annotations: { 'kubectl-mesh.io/environments': raw } } });
  t.match(broken('{'), { meta: {}, problem: /is not valid JSON; ignored/ });
  t.match(broken('[1]'), { meta: {}, problem: /is not a JSON object/ });
  t.match(
    broken('{"uat":{"createdBy":"a","createdAt":"2026-11-27T10:00:00Z"},"dev":{"createdBy":5},"qa":{"createdBy":"a","createdAt":"x"}}'),
    { meta: { uat: { createdBy: 'a' } }, problem: /unreadable entries \(dev, qa\)/ },
  );
});

const routed = (name: string, versions: string[], envs: [string, string][], created = '2026-11-27T10:00:00Z', expires?: string): Target => {
  let t = resolveTarget(workload(name, versions), 'version');
  for (const [env, subset] of envs) {
    const plan = planEnv(t, { env, headers: header(env), subset, stable: 'v1', ...who, at: created, ...(expires ? { expires } : {}) });
    t = resolveTarget(workload(name, versions, { vs: [plan.virtualService!], dr: [plan.destinationRule!] }), 'version');
  }
  return t;
};

t.test('environmentsOf: environments × services, who and when, expiry, and the services left on the baseline', async (t) => {
  const targets = [
    routed(
      'a',
      ['v1', 'uat', 'pr-1'],
      [
        ['uat', 'uat'],
        ['pr-1', 'pr-1'],
      ],
      '2026-11-27T09:00:00Z',
      '2026-11-27T12:00:00Z',
    ),
    routed('b', ['v1', 'uat'], [['uat', 'uat']], '2026-11-27T08:00:00Z'),
    routed('c', ['v1', 'v2'], []),
  ];
  const { environments, warnings } = environmentsOf(targets, new Date('2026-11-27T13:00:00Z'));
  t.same(warnings, []);
  t.same(
    environments.map((e) => [e.name, e.services.map((s) => s.service), e.baseline]),
    [
      ['pr-1', ['a'], ['shop/b', 'shop/c']],
      ['uat', ['a', 'b'], ['shop/c']],
    ],
  );
  const pr = environments[0];
  t.match(pr, { headers: ['x-env=pr-1'], createdBy: 'alice', expires: '2026-11-27T12:00:00Z', expired: true });
  t.match(pr.services[0], { subset: 'pr-1', ready: 2, pods: 2 });
  t.match(
    environments[1],
    { createdAt: '2026-11-27T08:00:00Z', expired: false },
    'the earliest creation; not every service expires, so uat does not',
  );
});

t.test('pods unknown (offline): environments without readiness, shown as - rather than 0/0', async (t) => {
  const targets = [routed('a', ['v1', 'uat'], [['uat', 'uat']])];
  const now = new Date('2026-11-27T13:00:00Z');
  const offline = environmentsOf(targets, now, { podsKnown: false }).environments;
  t.same(offline[0].services[0], { namespace: 'shop', service: 'a', headers: 'x-env=uat', subset: 'uat' }, 'no ready, no pods');
  const row = (text: string) => text.split('\n')[1].split(/\s{2,}/);
  t.equal(row(renderEnvironments(offline, now, false))[4], '-');
  t.equal(row(renderEnvironments(environmentsOf(targets, now).environments, now, false))[4], '2/2', 'live: ready/all');
});

t.test('routing: the services that route an environment (for --delete); none is an error naming the existing ones', async (t) => {
  const targets = [routed('a', ['v1', 'uat'], [['uat', 'uat']]), routed('b', ['v1', 'dev'], [['dev', 'dev']])];
  t.same(
    routing(targets, scope, ['uat']).map((x) => x.ref.name),
    ['a'],
  );
  t.throws(() => routing(targets, scope, ['qa']), { name: 'NotFoundError', exitCode: 3, hint: 'existing environments: dev, uat' });
});

t.test('a header another environment uses on the service is a conflict (exit 5) naming it', async (t) => {
  const a = routed('a', ['v1', 'uat', 'qa'], [['uat', 'uat']]);
  t.throws(() => planEnv(a, { env: 'qa', headers: header('uat'), subset: 'qa', ...who }), {
    exitCode: 5,
    message: 'header x-env=uat is already used by environment "uat" on shop/a',
  });
  t.ok(planEnv(a, { env: 'uat', headers: header('uat'), subset: 'uat', ...who }), 'its own header is not a conflict');
});

t.test('label selectors: equality, inequality, existence; anything else is a usage error', async (t) => {
  const sel = parseSelector('tier=api, team!=ops,canary,!legacy');
  t.ok(selectorMatches(sel, { tier: 'api', canary: '' }));
  t.notOk(selectorMatches(sel, { tier: 'api', canary: '', legacy: 'y' }));
  t.notOk(selectorMatches(sel, { tier: 'api', team: 'ops', canary: '' }));
  t.notOk(selectorMatches(parseSelector('tier==web'), { tier: 'api' }));
  t.throws(() => parseSelector('tier in (a,b)'), { name: 'UsageError', exitCode: 2 });
  t.throws(() => parseSelector('=x'), { name: 'UsageError', exitCode: 2 });
});
