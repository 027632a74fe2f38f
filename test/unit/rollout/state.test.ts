import t from 'tap';
import { startRollout } from '../../../src/rollout/machine.js';
import { planWithRollout, readRollout, ROLLOUT_ANNOTATION, withRollout } from '../../../src/rollout/state.js';
import type { Plan } from '../../../src/routing/plan.js';
import type { Obj } from '../../../src/routing/types.js';

const state = startRollout(
  {
    id: 'r1',
    owner: 'me',
    service: 'reviews',
    namespace: 'shop',
    user: 'alice',
    policy: {
      steps: [{ weight: 10 }, { pause: true }, { weight: 100 }],
      intervalMs: 1000,
      checkEveryMs: 500,
      promote: false,
      gates: [],
      compareStable: true,
      maxRegression: [],
      noDataTimeoutMs: 1000,
      maxFailures: 2,
    },
    roles: { stable: 'v1', canary: 'v2' },
    workloads: { stable: 'reviews-v1', canary: 'reviews-v2' },
    baselineRevision: 1,
  },
  new Date('2026-11-27T10:00:00Z'),
);
const vs: Obj = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: 'shop', annotations: { keep: 'me' } },
  spec: { hosts: ['reviews'] },
};

t.test('round trip through the annotation, other annotations kept', async (t) => {
  const annotated = withRollout(vs, state);
  t.equal(annotated.metadata.annotations!.keep, 'me');
  t.strictSame(readRollout(annotated), state);
  t.strictSame(withRollout(annotated, undefined).metadata.annotations, { keep: 'me' });
});

t.test('bad shapes read as no rollout, never a crash', async (t) => {
  const raw = JSON.stringify(state);
  const cases: [string, string][] = [
    ['not JSON', '{'],
    ['a list', '[]'],
    ['null', 'null'],
    ['a number', '5'],
    ['unknown phase', JSON.stringify({ ...state, phase: 'dancing' })],
    ['step out of range', JSON.stringify({ ...state, step: 7 })],
    ['steps not a list', JSON.stringify({ ...state, policy: { ...state.policy, steps: 'x' } })],
    ['a weight over 100', JSON.stringify({ ...state, policy: { ...state.policy, steps: [{ weight: 300 }] } })],
    ['check interval 0', JSON.stringify({ ...state, policy: { ...state.policy, checkEveryMs: 0 } })],
    ['a bad time', JSON.stringify({ ...state, stepStartedAt: 'yesterday' })],
    ['no roles', JSON.stringify({ ...state, roles: null })],
    [
      'custom gate without query',
      JSON.stringify({ ...state, policy: { ...state.policy, gates: [{ name: 'x', metric: 'custom', op: '<=', threshold: 1 }] } }),
    ],
  ];
  for (const [what, text] of cases)
    t.equal(readRollout({ ...vs, metadata: { ...vs.metadata, annotations: { [ROLLOUT_ANNOTATION]: text } } }), undefined, what);
  t.ok(readRollout({ ...vs, metadata: { ...vs.metadata, annotations: { [ROLLOUT_ANNOTATION]: raw } } }));
  const badChecks = readRollout({
    ...vs,
    metadata: { ...vs.metadata, annotations: { [ROLLOUT_ANNOTATION]: JSON.stringify({ ...state, lastChecks: [{ nope: 1 }] }) } },
  });
  t.equal(badChecks?.lastChecks, undefined, 'malformed check results are dropped, the rollout kept');
  t.equal(readRollout(undefined), undefined);
});

t.test("the state rides on the plan's VirtualService write, or gets a write of its own", async (t) => {
  const after = { ...vs, spec: { hosts: ['reviews'], http: [] } };
  const plan: Plan = {
    namespace: 'shop',
    service: 'reviews',
    summary: 's',
    receiving: [],
    writes: [{ action: 'replace', kind: 'VirtualService', before: vs, after }],
    virtualService: after,
  };
  const p = planWithRollout(plan, vs, state);
  t.equal(p.writes.length, 1);
  t.strictSame(readRollout(p.writes[0].after), state);
  t.strictSame(p.writes[0].after!.spec, after.spec, 'routing unchanged by the hook');
  const unchanged: Plan = { ...plan, writes: [], virtualService: vs };
  const q = planWithRollout(unchanged, vs, state);
  t.equal(q.writes.length, 1);
  t.equal(q.writes[0].action, 'replace');
  t.strictSame(readRollout(q.writes[0].after), state);
  const del: Plan = { ...plan, writes: [{ action: 'delete', kind: 'VirtualService', before: vs }] };
  t.equal(planWithRollout(del, vs, state), del, 'a deleted VirtualService takes the state with it');
});
