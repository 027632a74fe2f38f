// Rollouts through `kubectl mesh canary SERVICE --steps …` on the real API server, with the real
// Prometheus of the test bed scraping the traffic source (which simulates the sidecars' metrics).
// Healthy walk + promote with the -o json event stream, status during a rollout, a second --steps
// refused, pause + --resume, SIGTERM mid-step + --resume from another process, rollback aborts.
import t from 'tap';
import { jsonLines, prometheusUrl, start, stepArgs } from './rollout-support.js';
import { createApp, createNamespace, deleteNamespace, historyOf, mesh, vsOf, weights } from './support.js';

const ns = `e2e-rollout-${process.pid.toString(36)}`;
const fast = ['--interval', '3s', '--check-every', '1s', '--prometheus', prometheusUrl()];
const gates = ['--analysis', 'success-rate>=99', '--analysis', 'p99<=500ms'];
const rolloutOf = (vs: any) => JSON.parse(vs?.metadata?.annotations?.['kubectl-mesh.io/rollout'] ?? 'null');

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  for (const app of ['walk', 'pause', 'term', 'abort']) await createApp(ns, app, ['v1', 'v2']);
});
t.teardown(() => deleteNamespace(ns));

t.test('a healthy canary walks every step and promotes; -o json is one event per line', { timeout: 120_000 }, async (t) => {
  const r = await mesh(['canary', 'walk', '-n', ns, '--steps', '10,50,100', ...fast, ...gates, '--promote', '-o', 'json'], {
    timeoutMs: 90_000,
  });
  t.equal(r.code, 0, r.stderr);
  const events = jsonLines(r.stdout);
  t.ok(
    events.every((e) => e.namespace === ns && e.service === 'walk' && !Number.isNaN(Date.parse(e.at))),
    'every line is a JSON event',
  );
  t.same(
    events.filter((e) => e.event === 'step').map((e) => e.weight),
    [10, 50, 100],
    'all steps, in order',
  );
  const checks = events.filter((e) => e.event === 'check');
  t.ok(checks.length >= 3, `checks ran (${checks.length})`);
  const passed = checks.filter((e) => e.verdict === 'pass');
  t.ok(passed.length >= 3, 'each step cleared by a passing check');
  const sr = passed[0].checks.find((c: any) => c.name === 'success-rate');
  t.equal(sr.canary, 100, "the canary's success rate, measured by Prometheus");
  t.equal(sr.stable, 100, "and the stable's, side by side");
  t.ok(passed[0].checks.find((c: any) => c.name === 'p99').canary > 10, 'p99 from the histogram');
  t.same(
    events.slice(-2).map((e) => e.event),
    ['promoted', 'done'],
  );
  const vs = await vsOf('walk', ns);
  t.equal(weights(vs).v2, 100, 'promoted: all traffic to v2');
  t.notOk(weights(vs).v1, 'none to v1');
  t.same(
    historyOf(vs)
      .map((h: any) => h.change)
      .slice(-4),
    ['canary 10%: v1 90% / v2 10%', 'canary 50%: v1 50% / v2 50%', 'canary 100%: v1 0% / v2 100%', 'promote v2'],
    'each step went through the usual write path (history)',
  );
  t.equal(rolloutOf(vs).phase, 'done');
});

t.test('status shows the rollout and live metrics; a second --steps is refused', { timeout: 120_000 }, async (t) => {
  const run = start([...stepArgs(ns, 'pause', '20,pause,100', '8s'), '--prometheus', prometheusUrl(), ...gates, '-o', 'json']);
  await run.event((e) => e.event === 'check' && e.verdict === 'pass', 60_000);
  const st = await mesh(['status', 'pause', '-n', ns, '-o', 'json', '--prometheus', prometheusUrl()]);
  t.equal(st.code, 0, st.stderr);
  const model = JSON.parse(st.stdout);
  t.match(model.rollout, { phase: 'running', step: 1, steps: 3 });
  t.match(model.rollout.summary, /^step 1\/3 \(20%\), next step in \d+s, success-rate 100% \/ p99 \d+ms$/);
  const v2 = model.subsets.find((s: any) => s.subset === 'v2');
  t.ok(
    v2.metrics.rps > 0 && v2.metrics.successRate === 100 && v2.metrics.p99 > 0,
    `live metrics per subset (${JSON.stringify(v2.metrics)})`,
  );
  const table = await mesh(['status', '-n', ns, '--prometheus', prometheusUrl()]);
  t.match(table.stdout, /RPS\s+SUCCESS\s+P99/);
  t.match(table.stdout, /rollout: step 1\/3 \(20%\)/);
  const plain = await mesh(['status', 'pause', '-n', ns, '--no-metrics']);
  t.notMatch(plain.stdout, /RPS/, '--no-metrics: as before');

  const second = await mesh(['canary', 'pause', '-n', ns, '--steps', '50,100', ...fast]);
  t.equal(second.code, 5, 'a second rollout of the same service is refused');
  t.match(second.stderr, /error: a rollout of .*\/pause is already (running|paused) .*--resume.*rollback/);
  t.equal(await run.exit, 0, 'the pause step ends the command with 0 when nobody can answer');
  const paused = rolloutOf(await vsOf('pause', ns));
  t.match(paused, { phase: 'paused', step: 1, reason: 'waiting at a pause step' });
  t.same(weights(await vsOf('pause', ns)), { v1: 80, v2: 20 }, 'weights stay at the pause');

  const resumed = await mesh(['canary', 'pause', '-n', ns, '--resume', '--prometheus', prometheusUrl(), '-o', 'json'], {
    timeoutMs: 90_000,
  });
  t.equal(resumed.code, 0, resumed.stderr);
  const events = jsonLines(resumed.stdout);
  t.match(events[0], { event: 'started', resumed: true });
  t.same(
    events.filter((e) => e.event === 'step').map((e) => e.weight),
    [100],
    'carries on after the pause',
  );
  t.same(weights(await vsOf('pause', ns)), { v1: 0, v2: 100 });
  t.equal(rolloutOf(await vsOf('pause', ns)).phase, 'done');
  const again = await mesh(['canary', 'pause', '-n', ns, '--resume']);
  t.equal(again.code, 4);
  t.match(again.stderr, /no rollout of .*\/pause to resume \(the last one is done\)/);
});

t.test(
  'SIGTERM mid-step: weights stay, recorded paused, exit 130; --resume from another process finishes',
  { timeout: 120_000 },
  async (t) => {
    const run = start([...stepArgs(ns, 'term', '10,30,100', '6s'), '--prometheus', prometheusUrl(), ...gates, '-o', 'json']);
    await run.event((e) => e.event === 'step' && e.weight === 10);
    run.child.kill('SIGTERM');
    t.equal(await run.exit, 130, 'exit 130');
    const paused = jsonLines(run.stdout()).at(-1);
    t.match(paused, {
      event: 'paused',
      step: 1,
      reason: 'interrupted (SIGTERM)',
      resume: `kubectl mesh canary term -n ${ns} --resume`,
      rollback: `kubectl mesh rollback term -n ${ns}`,
    });
    const vs = await vsOf('term', ns);
    t.same(weights(vs), { v1: 90, v2: 10 }, "the current step's weights stay");
    const state = rolloutOf(vs);
    t.equal(state.phase, 'paused');
    t.ok(state.heldMs >= 0 && state.heldMs < 6_000, 'how long the step was held is recorded');
    const resumed = await mesh(['canary', 'term', '-n', ns, '--resume', '--prometheus', prometheusUrl(), '-o', 'json'], {
      timeoutMs: 100_000,
    });
    t.equal(resumed.code, 0, resumed.stderr);
    t.same(
      jsonLines(resumed.stdout)
        .filter((e) => e.event === 'step')
        .map((e) => e.weight),
      [30, 100],
      'from the recorded step on',
    );
    t.same(weights(await vsOf('term', ns)), { v1: 0, v2: 100 });
  },
);

t.test('rollback during a rollout aborts it; the running command stops', { timeout: 120_000 }, async (t) => {
  t.equal((await mesh(['canary', '5', 'abort', '-n', ns])).code, 0, 'a release before the rollout');
  const run = start([...stepArgs(ns, 'abort', '10,50,100', '30s'), '--prometheus', prometheusUrl(), ...gates, '-o', 'json']);
  await run.event((e) => e.event === 'check');
  const rb = await mesh(['rollback', 'abort', '-n', ns]);
  t.equal(rb.code, 0, rb.stderr);
  t.equal(await run.exit, 1, 'the rollout process stops');
  t.match(run.stderr(), /error: the rollout on .*\/abort was aborted: rolled back by admin/);
  const vs = await vsOf('abort', ns);
  t.match(rolloutOf(vs), { phase: 'aborted', reason: 'rolled back by admin' });
  t.same(weights(vs), { v1: 95, v2: 5 }, 'back to the revision before the rollout');
});
