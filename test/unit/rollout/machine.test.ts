import t from 'tap';
import { evaluateCheck, overall } from '../../../src/rollout/evaluate.js';
import { enterStep, inProgress, nextAction, pause, recordCheck, resume, startRollout } from '../../../src/rollout/machine.js';
import type { MetricCheck, RolloutPolicy, RolloutState } from '../../../src/rollout/types.js';

const policy = (o: Partial<RolloutPolicy> = {}): RolloutPolicy => ({
  steps: [{ weight: 10 }, { weight: 50 }, { weight: 100 }],
  intervalMs: 10_000,
  checkEveryMs: 2_000,
  promote: true,
  gates: [{ name: 'success-rate', metric: 'success-rate', op: '>=', threshold: 99 }],
  compareStable: true,
  maxRegression: [],
  noDataTimeoutMs: 10_000,
  maxFailures: 2,
  ...o,
});
const T0 = Date.parse('2026-11-27T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000);
const start = (p = policy()): RolloutState =>
  startRollout(
    {
      id: 'r1',
      owner: 'me',
      service: 'reviews',
      namespace: 'shop',
      user: 'alice',
      policy: p,
      roles: { stable: 'v1', canary: 'v2' },
      workloads: { stable: 'reviews-v1', canary: 'reviews-v2' },
      baselineRevision: 3,
    },
    at(0),
  );
const pass: MetricCheck[] = [{ name: 'success-rate', canary: 100, stable: 100, verdict: 'pass' }];
const fail: MetricCheck[] = [{ name: 'success-rate', canary: 70, stable: 100, verdict: 'fail', reason: 'success-rate 70% < 99%' }];
const none: MetricCheck[] = [{ name: 'success-rate', verdict: 'inconclusive', reason: 'no data' }];

t.test('a healthy rollout: step, checks every check-every, next step after the interval, finish', async (t) => {
  let s = start();
  t.strictSame(nextAction(s, at(0)), { kind: 'step', index: 0 });
  s = enterStep(s, 0, at(0));
  t.strictSame(nextAction(s, at(1)), { kind: 'wait', until: T0 + 2000 });
  t.strictSame(nextAction(s, at(2)), { kind: 'check' });
  for (let k = 2; k <= 10; k += 2) s = recordCheck(s, pass, at(k));
  t.strictSame(nextAction(s, at(10)), { kind: 'step', index: 1 });
  s = enterStep(s, 1, at(10));
  t.equal(s.failures, 0);
  for (let k = 12; k <= 20; k += 2) s = recordCheck(s, pass, at(k));
  s = enterStep(s, 2, at(20));
  for (let k = 22; k <= 30; k += 2) s = recordCheck(s, pass, at(k));
  t.strictSame(nextAction(s, at(30)), { kind: 'finish' });
});

t.test('a step with gates holds past its interval until a check passes', async (t) => {
  let s = enterStep(start(), 0, at(0));
  s = recordCheck(s, fail, at(10));
  t.equal(nextAction(s, at(10)).kind, 'wait', 'a failed last check holds the step');
  t.strictSame(nextAction(s, at(12)), { kind: 'check' });
  s = recordCheck(s, pass, at(12));
  t.strictSame(nextAction(s, at(12)), { kind: 'step', index: 1 });
});

t.test('max-failures failed checks in a step → rollback naming the metric, value and threshold', async (t) => {
  let s = enterStep(start(), 0, at(0));
  s = recordCheck(s, fail, at(2));
  t.equal(nextAction(s, at(3)).kind, 'wait', 'one failure is tolerated');
  s = recordCheck(s, pass, at(4));
  s = recordCheck(s, fail, at(6));
  const a = nextAction(s, at(6));
  t.equal(a.kind, 'rollback');
  t.match((a as { reason: string }).reason, /2 failed checks at step 1\/3 \(10%\) \(--max-failures 2\): success-rate 70% < 99%/);
  t.equal(enterStep(s, 1, at(7)).failures, 0, 'the count is per step');
});

t.test('no data is inconclusive until --no-data-timeout, then a rollback', async (t) => {
  let s = enterStep(start(), 0, at(0));
  s = recordCheck(s, none, at(2));
  t.equal(s.noDataSince, at(2).toISOString());
  s = recordCheck(s, none, at(10));
  t.equal(s.failures, 0, 'not a failure');
  t.equal(nextAction(s, at(10)).kind, 'wait', 'holds, does not advance without data');
  s = recordCheck(s, none, at(12));
  const a = nextAction(s, at(12));
  t.equal(a.kind, 'rollback');
  t.match((a as { reason: string }).reason, /no data for 10s \(--no-data-timeout 10s\)/);
  const recovered = recordCheck(recordCheck(enterStep(start(), 0, at(0)), none, at(2)), pass, at(4));
  t.equal(recovered.noDataSince, undefined, 'a pass resets the no-data clock');
});

t.test('without gates a step just holds its interval', async (t) => {
  const s = enterStep(start(policy({ gates: [] })), 0, at(0));
  t.strictSame(nextAction(s, at(1)), { kind: 'wait', until: T0 + 10_000 });
  t.strictSame(nextAction(s, at(10)), { kind: 'step', index: 1 });
});

t.test('pause steps and resume', async (t) => {
  let s = start(policy({ steps: [{ weight: 10 }, { pause: true }, { weight: 100 }], gates: [] }));
  s = enterStep(s, 1, at(10));
  t.strictSame(nextAction(s, at(10)), { kind: 'pause' });
  s = pause(s, at(10), 'waiting at a pause step');
  t.ok(inProgress(s));
  t.strictSame(nextAction(s, at(11)), { kind: 'stopped' });
  s = resume(s, 'other', at(100));
  t.equal(s.owner, 'other');
  t.strictSame(nextAction(s, at(100)), { kind: 'step', index: 2 });
});

t.test('a step cut short (Ctrl-C) holds only what was left after --resume', async (t) => {
  let s = enterStep(start(policy({ gates: [] })), 0, at(0));
  s = pause(s, at(4), 'interrupted');
  t.equal(s.heldMs, 4000);
  s = resume(s, 'b', at(60));
  t.strictSame(nextAction(s, at(60)), { kind: 'wait', until: T0 + 66_000 });
});

t.test('evaluate: thresholds, regression vs stable, inconclusive without canary data', async (t) => {
  const p = policy({
    gates: [
      { name: 'success-rate', metric: 'success-rate', op: '>=', threshold: 99 },
      { name: 'p99', metric: 'p99', op: '<=', threshold: 500 },
      { name: 'queue', metric: 'custom', op: '<=', threshold: 5, query: 'q' },
    ],
    maxRegression: [{ metric: 'p99', allowance: 100 }],
  });
  const f = (m: Record<string, { canary?: number; stable?: number }>) => new Map(Object.entries(m));
  const ok = evaluateCheck(
    p,
    f({ 'success-rate': { canary: 99.5, stable: 99.9 }, p99: { canary: 120, stable: 100 }, queue: { canary: 1 } }),
  );
  t.equal(overall(ok), 'pass');
  const slow = evaluateCheck(
    p,
    f({ 'success-rate': { canary: 100, stable: 100 }, p99: { canary: 400, stable: 100 }, queue: { canary: 1 } }),
  );
  t.equal(overall(slow), 'fail', 'under the 500ms threshold but 300ms worse than stable');
  t.match(slow.find((c) => c.name === 'p99')!.reason, /p99 400ms vs stable 100ms: 300ms worse \(max regression 100ms\)/);
  const bad = evaluateCheck(p, f({ 'success-rate': { canary: 70.123, stable: 100 }, p99: { canary: 1, stable: 1 }, queue: { canary: 9 } }));
  t.match(bad.find((c) => c.name === 'success-rate')!.reason, 'success-rate 70.12% < 99% (threshold >= 99%)');
  t.match(bad.find((c) => c.name === 'queue')!.reason, 'queue 9 > 5');
  const empty = evaluateCheck(p, f({ p99: { stable: 100 } }));
  t.equal(overall(empty), 'inconclusive');
  t.notOk(
    empty.some((c) => c.verdict === 'fail'),
    'no canary data never fails by itself',
  );
  const noCompare = evaluateCheck(
    { ...p, compareStable: false },
    f({ 'success-rate': { canary: 100 }, p99: { canary: 400, stable: 1 }, queue: { canary: 0 } }),
  );
  t.equal(overall(noCompare), 'pass', '--compare-stable=false: only absolute thresholds');
});
