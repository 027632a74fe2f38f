// canary --steps … --wait against the real istiod: each step's weight reaches the connected proxy
// (test/xds-probe) and is acknowledged before that step's hold starts, and the next step comes no
// sooner than --interval after that. A proxy that never acknowledges (--no-ack) stops the rollout at
// the step it was sent: exit 4 naming the proxy, the weight left written, the rollout recorded paused
// at that step (so `--resume` holds it rather than writing it again).
// Run by wait.test.ts, after its own cases: see there why they share one file.
import t from 'tap';
import { readRollout } from '../../src/rollout/state.js';
import { jsonLines, start, stepArgs } from './rollout-support.js';
import { createApp, createNamespace, deleteNamespace, mesh, scratchNamespace, vsOf, weights } from './support.js';
import { istiodAddress, Probe, ProbeSet, type Push } from './xds.js';

const ns = scratchNamespace('e2e-rollout-wait');
const xds = () => ['--xds-address', istiodAddress(), '--xds-plaintext'];
const cluster = (subset: string) => `outbound|9080|${subset}|reviews.${ns}.svc.cluster.local`;
const probes = new ProbeSet(ns, 'reviews');
const probe = (name: string, noAck = false): Promise<Probe> => probes.connect(name, noAck);

/** The first push that gives the canary v2 `weight`% on our primary route. */
const pushWith = (p: Probe, weight: number): Push | undefined =>
  p.pushes.find((x) => {
    const split = x.routes?.find((r) => r.name === 'mesh-primary')?.weightedClusters;
    return (
      split?.length === 2 &&
      split.some((c) => c.cluster === cluster('v1') && c.weight === 100 - weight) &&
      split.some((c) => c.cluster === cluster('v2') && c.weight === weight)
    );
  });

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  await createApp(ns, 'reviews', ['v1', 'v2']);
});
t.teardown(async () => {
  await probes.stopAll();
  await deleteNamespace(ns);
});

t.test("with --wait each step's hold starts once the proxy acknowledged that step's weight", async (t) => {
  const p = await probe('synced');
  const run = start([...stepArgs(ns, 'reviews', '20,60', '3s'), '--stable', 'v1', '--canary', 'v2', '--wait=30s', ...xds(), '-o', 'json']);
  const code = await run.exit;
  t.equal(code, 0, run.stderr());
  const steps = jsonLines(run.stdout()).filter((e) => e.event === 'step');
  t.same(
    steps.map((e) => e.weight),
    [20, 60],
  );
  t.equal(run.stderr().match(/mesh: (\d+)\/\1 prox(?:y|ies) serving the service have the change/g)?.length, 2, 'one wait per step');
  for (const e of steps) {
    const push = pushWith(p, e.weight);
    t.ok(push, `the proxy got ${e.weight}% for v2`);
    if (!push) continue;
    // The step event is emitted when its hold starts (src/commands/support/rollout-run.ts).
    t.ok(push.receivedAt! <= Date.parse(e.at), `${e.weight}%: pushed at ${new Date(push.receivedAt!).toISOString()}, hold from ${e.at}`);
  }
  const second = pushWith(p, 60);
  if (second)
    t.ok(
      second.receivedAt! - Date.parse(steps[0].at) >= 3000 - 50,
      `the second step came ${second.receivedAt! - Date.parse(steps[0].at)} ms after the first one's hold began (--interval 3s)`,
    );
  t.equal(readRollout(await vsOf('reviews', ns))?.phase, 'done');
  await p.stop();
});

t.test('a proxy that never acknowledges stops the rollout at the step it was sent, recorded paused there', async (t) => {
  await probe('stuck', true);
  const run = start([...stepArgs(ns, 'reviews', '30,70', '1s'), '--stable', 'v1', '--canary', 'v2', '--wait=3s', ...xds(), '-o', 'json']);
  const code = await run.exit;
  t.equal(code, 4, run.stderr());
  t.match(
    run.stderr(),
    /error: \d+ of \d+ prox(?:y|ies) still without the change after 3s: (?:.*, )?stuck\.e2e-rollout-wait-\w+ \(routes sent, not acknowledged\).*; the change is written/,
  );
  const events = jsonLines(run.stdout());
  t.notOk(
    events.some((e) => e.event === 'step'),
    'no step held: the only step written never reached the proxy',
  );
  const vs = await vsOf('reviews', ns);
  t.same(weights(vs), { v1: 70, v2: 30 }, 'the first step is written and stays');
  const state = readRollout(vs);
  t.equal(state?.phase, 'paused');
  t.equal(state?.step, 0, 'paused at the step whose weight is in force');
  t.match(state?.reason, /step 1 \(30%\) is written, but \d+ of \d+ prox(?:y|ies) still without the change after 3s/);
  t.match(
    events.find((e) => e.event === 'paused'),
    { step: 1, resume: `kubectl mesh canary reviews -n ${ns} --resume` },
  );

  // The proxy gone, --resume holds step 1 (it is not written again) and carries on.
  await probes.stopAll();
  const resumed = await mesh(['canary', 'reviews', '-n', ns, '--resume', '--wait=30s', ...xds(), '-o', 'json']);
  t.equal(resumed.code, 0, resumed.stderr);
  t.same(
    jsonLines(resumed.stdout)
      .filter((e) => e.event === 'step')
      .map((e) => e.weight),
    [70],
  );
  t.same(weights(await vsOf('reviews', ns)), { v1: 30, v2: 70 });
});
