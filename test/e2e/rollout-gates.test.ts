// Metric gates of `kubectl mesh canary SERVICE --steps …` against the test bed's real Prometheus
// (the traffic source plays the sidecars; its behaviour per Deployment comes from annotations):
// a failing canary rolled back to the pre-rollout routing, no data as inconclusive until the timeout,
// a p99 regression against stable, a custom PromQL gate, Prometheus lost mid-rollout or absent at
// the start; fine-grained weights that Istio's own validation accepts; plan-only and offline runs.
import net from 'node:net';
import { writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { istioctl } from './harness.js';
import { behave, jsonLines, prometheusUrl, rps, start, stepArgs } from './rollout-support.js';
import { applyObjects, createApp, createNamespace, deleteNamespace, hpaOf, mesh, resourceVersions, vsOf, weights } from './support.js';

const ns = `e2e-gates-${process.pid.toString(36)}`;
const prom = () => ['--prometheus', prometheusUrl()];
const rolloutOf = (vs: any) => JSON.parse(vs?.metadata?.annotations?.['kubectl-mesh.io/rollout'] ?? 'null');

let quietSince = 0;

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  for (const app of ['fail', 'quiet', 'slow', 'custom', 'lost', 'fine']) await createApp(ns, app, ['v1', 'v2']);
  await rps(ns, 'quiet', 0);
  quietSince = Date.now();
});
t.teardown(() => deleteNamespace(ns));

t.test(
  'error rate rising at step 2: rolled back to the routing before the rollout, exit 4, the metric named',
  { timeout: 120_000 },
  async (t) => {
    const userRoute = {
      name: 'user-admin',
      match: [{ uri: { prefix: '/admin' } }],
      route: [{ destination: { host: 'fail' } }],
      retries: { attempts: 3, perTryTimeout: '2s' },
    };
    await applyObjects([
      {
        apiVersion: 'networking.istio.io/v1',
        kind: 'VirtualService',
        metadata: { name: 'fail', namespace: ns },
        spec: { hosts: ['fail'], http: [userRoute] },
      },
    ]);
    const run = start([
      ...stepArgs(ns, 'fail', '10,50,100', '6s'),
      '--analysis',
      'success-rate>=99',
      '--scale-hpa',
      ...prom(),
      '-o',
      'json',
    ]);
    await run.event((e) => e.event === 'step' && e.weight === 50);
    t.equal((await hpaOf('fail-v2', ns)).spec.maxReplicas, 5, 'HPA scaled to the step (50% of 10)');
    await behave(ns, 'fail-v2', { errorRate: 0.3 });
    t.equal(await run.exit, 4, 'exit 4');
    const errors = run
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('error:'));
    t.equal(errors.length, 1);
    t.match(
      errors[0],
      /^error: rollout of .*\/fail failed: 2 failed checks at step 2\/3 \(50%\) \(--max-failures 2\): success-rate \d+(\.\d+)?% < 99% \(threshold >= 99%\); rolled back to revision 1/,
    );
    const events = jsonLines(run.stdout());
    t.notOk(
      events.some((e) => e.event === 'step' && e.weight === 100),
      'never reached 100%',
    );
    t.match(
      events.find((e) => e.event === 'rollback'),
      { toRevision: 1 },
    );
    const vs = await vsOf('fail', ns);
    t.same(vs.spec.http, [userRoute], "back to the user's routing: their route intact, ours gone");
    t.equal(rolloutOf(vs).phase, 'failed');
    for (const v of ['v1', 'v2']) {
      const hpa = await hpaOf(`fail-${v}`, ns);
      t.match(hpa.spec, { minReplicas: 2, maxReplicas: 10 }, `HPA fail-${v} restored`);
      t.notOk(hpa.metadata.annotations?.['kubectl-mesh.io/hpa-baseline'], 'baseline forgotten');
    }
  },
);

t.test('no canary traffic: checks are inconclusive, not failed, until --no-data-timeout', { timeout: 120_000 }, async (t) => {
  // The traffic it had before the annotation must be out of the 5s check window.
  await new Promise((r) => setTimeout(r, Math.max(0, quietSince + 7000 - Date.now())));
  const r = await mesh(
    [...stepArgs(ns, 'quiet', '10,100', '2s'), '--no-data-timeout', '6s', '--analysis', 'success-rate>=99', ...prom(), '-o', 'json'],
    { timeoutMs: 60_000 },
  );
  t.equal(r.code, 4, r.stderr);
  const checks = jsonLines(r.stdout).filter((e) => e.event === 'check');
  t.ok(checks.length >= 4, `several checks (${checks.length})`);
  t.ok(
    checks.every((c) => c.verdict === 'inconclusive' && c.failures === 0),
    'every check inconclusive, none counted as failed',
  );
  t.match(checks[0].checks[0].reason, /no data for the canary yet/);
  t.notOk(
    jsonLines(r.stdout).some((e) => e.event === 'step' && e.weight === 100),
    'a step without data does not advance',
  );
  t.match(r.stderr, /error: rollout of .*\/quiet failed: no data for [6-9]s \(--no-data-timeout 6s\)/);
});

t.test('a p99 regression against stable fails even under the absolute threshold', { timeout: 120_000 }, async (t) => {
  await behave(ns, 'slow-v2', { p99Ms: 400 });
  const r = await mesh(
    [...stepArgs(ns, 'slow', '20,100', '3s'), '--analysis', 'p99<=1000ms', '--max-regression', '100ms', '--max-failures', '1', ...prom()],
    { timeoutMs: 60_000 },
  );
  t.equal(r.code, 4, r.stderr);
  t.match(
    r.stderr,
    /error: rollout of .*\/slow failed: 1 failed check at step 1\/2 \(20%\) \(--max-failures 1\): p99 \d+ms vs stable \d+ms: [\d.]+ms worse \(max regression 100ms\)/,
  );
  t.match(
    r.stderr,
    /check at 20%: fail \(1 failed in this step\): p99 [3-4]\d\dms \(stable 2\dms\) fail/,
    'both figures shown side by side',
  );
});

t.test('a custom PromQL gate with placeholders', { timeout: 120_000 }, async (t) => {
  await behave(ns, 'custom-v2', { errorRate: 0.5 });
  const gate =
    'errors:sum(rate(istio_requests_total{reporter="destination",destination_workload_namespace="{{namespace}}",destination_workload="{{workload}}",response_code=~"5.."}[{{window}}]))<=0.1';
  const r = await mesh([...stepArgs(ns, 'custom', '50,100', '3s'), '--analysis', gate, '--max-failures', '1', ...prom(), '-o', 'json'], {
    timeoutMs: 60_000,
  });
  t.equal(r.code, 4, r.stderr);
  const failed = jsonLines(r.stdout).find((e) => e.event === 'check' && e.verdict === 'fail');
  const c = failed.checks.find((x: any) => x.name === 'errors');
  t.ok(c.canary > 0.1, `canary's 5xx rate from the user's query (${c.canary})`);
  t.match(r.stderr, /error: rollout of .*\/custom failed: .*errors \d+(\.\d+)? > 0.1/);
});

t.test(
  'Prometheus lost mid-rollout: inconclusive, holds the step, fails after the timeout; absent at the start: refused',
  { timeout: 120_000 },
  async (t) => {
    // A loopback relay in front of the real Prometheus: closing it is Prometheus going away.
    const target = new URL(prometheusUrl());
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((c) => {
      const up = net.connect(Number(target.port), target.hostname);
      sockets.add(c).add(up);
      c.pipe(up).pipe(c);
      const end = () => {
        c.destroy();
        up.destroy();
      };
      c.on('error', end);
      up.on('error', end);
    });
    await new Promise<void>((r) => relay.listen(0, '127.0.0.1', r));
    const url = `http://127.0.0.1:${(relay.address() as net.AddressInfo).port}`;
    const run = start([
      ...stepArgs(ns, 'lost', '10,100', '30s'),
      '--no-data-timeout',
      '5s',
      '--analysis',
      'success-rate>=99',
      '--prometheus',
      url,
      '-o',
      'json',
    ]);
    await run.event((e) => e.event === 'check' && e.verdict === 'pass');
    relay.close();
    for (const s of sockets) s.destroy();
    const lost = await run.event((e) => e.event === 'check' && /did not answer/.test(e.checks[0]?.reason ?? ''));
    t.match(lost, { verdict: 'inconclusive', failures: 0 });
    t.match(lost.checks[0].reason, /holding the current step/);
    t.same(weights(await vsOf('lost', ns)), { v1: 90, v2: 10 }, 'holds its step meanwhile');
    t.equal(await run.exit, 4);
    t.match(run.stderr(), /error: rollout of .*\/lost failed: no data for \d+s .*did not answer/);

    const before = await resourceVersions(ns);
    const refused = await mesh(['canary', 'quiet', '-n', ns, '--steps', '10,100', '--analysis', 'success-rate>=99', '--prometheus', url]);
    t.equal(refused.code, 7, 'unreachable');
    t.match(
      refused.stderr,
      /error: cannot start the rollout: Prometheus at http:\/\/127\.0\.0\.1:\d+ did not answer: .*nothing was written/,
    );
    t.same(await resourceVersions(ns), before, 'nothing written');
  },
);

t.test('fine-grained weights: 0.5% is written as 199/1, status reads shares, istioctl validate accepts it', async (t) => {
  const r = await mesh(['canary', '0.5', 'fine', '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  const vs = await vsOf('fine', ns);
  t.same(weights(vs), { v1: 199, v2: 1 });
  const st = JSON.parse((await mesh(['status', 'fine', '-n', ns, '-o', 'json', '--no-metrics'])).stdout);
  t.same(
    st.subsets.map((s: any) => [s.subset, s.weight]),
    [
      ['v1', 99.5],
      ['v2', 0.5],
    ],
  );
  t.same(st.warnings, []);
  const file = path.join(os.tmpdir(), `fine-${process.pid}.json`);
  writeFileSync(file, JSON.stringify(vs));
  const v = await istioctl(['validate', '-f', file]);
  t.equal(v.code, 0, `${v.stdout}${v.stderr}`);
  t.match(`${v.stdout}${v.stderr}`, /is valid/);
  // The same validation refuses what Istio refuses (a total of 0): it is a real check.
  const zero = {
    ...vs,
    spec: { ...vs.spec, http: vs.spec.http.map((r: any) => ({ ...r, route: r.route.map((d: any) => ({ ...d, weight: 0 })) })) },
  };
  writeFileSync(file, JSON.stringify(zero));
  const bad = await istioctl(['validate', '-f', file]);
  t.not(bad.code, 0, 'weights totalling 0 are refused by istioctl validate');
  t.match(`${bad.stdout}${bad.stderr}`, /total destination weight = 0/);
  t.equal((await mesh(['canary', '12.5', 'fine', '-n', ns])).code, 0);
  t.same(weights(await vsOf('fine', ns)), { v1: 7, v2: 1 }, '12.5% is 7/1');
  t.equal((await mesh(['analyze', 'fine', '-n', ns])).code, 0, 'our own checks accept relative weights');
});

t.test('--dry-run=client prints the plan and the queries; offline -f refuses --steps', async (t) => {
  const before = await resourceVersions(ns);
  const r = await mesh([
    'canary',
    'fine',
    '-n',
    ns,
    '--steps',
    '0.1,1,5,25,100',
    '--interval',
    '2m',
    '--analysis',
    'success-rate>=99',
    '--analysis',
    'p99<=500ms',
    ...prom(),
    '--dry-run=client',
  ]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /rollout of .*\/fine: 0\.1% → 1% → 5% → 25% → 100%/);
  t.match(
    r.stdout,
    /query: label_replace\(sum by \(destination_workload_namespace,destination_workload\) \(rate\(istio_requests_total\{reporter="destination",destination_workload_namespace="e2e-gates-[^"]+",destination_workload=~"fine-v2\|fine-v1",response_code!~"5\.\*"\}/,
  );
  t.same(await resourceVersions(ns), before, 'nothing written');
  const off = await mesh(['canary', 'reviews', '--steps', '10,100', '-f', 'manifests/demo']);
  t.equal(off.code, 2);
  t.match(off.stderr, /^error: a rollout needs a live cluster .* -f/m);
});
