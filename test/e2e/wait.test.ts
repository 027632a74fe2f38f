// --wait against the real istiod: a proxy that acknowledges pushes (test/xds-probe) makes the wait end
// once it has the new routes; a stuck one (--no-ack) makes it time out with exit 4, naming the proxy,
// the change written and the pruning / HPA scale-down not done. An unreachable istiod stops the write.
// A VirtualService without exportTo reaches proxies in every namespace, so every connected proxy counts
// for a wait: the counts below allow other test files' (acknowledging) proxies, and the cases with a
// stuck proxy share this file with rollout-wait-cases.ts, so that one file's stuck proxy never holds up
// the other's wait when e2e runs two files at once. Each case disconnects its proxies when it ends.
import t from 'tap';
import {
  createApp,
  createNamespace,
  deleteNamespace,
  drOf,
  hpaOf,
  mesh,
  resourceVersions,
  scratchNamespace,
  vsOf,
  weights,
} from './support.js';
import { istiodAddress, Probe, ProbeSet } from './xds.js';

const ns = scratchNamespace('e2e-wait');
const xds = () => ['--xds-address', istiodAddress(), '--xds-plaintext'];
const cluster = (subset: string) => `outbound|9080|${subset}|reviews.${ns}.svc.cluster.local`;
const probes = new ProbeSet(ns, 'reviews');
const probe = (name: string, noAck = false): Promise<Probe> => probes.connect(name, noAck);

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  await createApp(ns, 'reviews', ['v1', 'v2'], { hpa: { min: 2, max: 10 } });
});
t.teardown(async () => {
  await probes.stopAll();
  await deleteNamespace(ns);
});

t.test('--wait returns once the connected proxy acknowledged the new routes', async (t) => {
  const p = await probe('synced');
  const r = await mesh(['canary', '20', 'reviews', '-n', ns, '--stable', 'v1', '--canary', 'v2', '--yes', '--wait=30s', ...xds()]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /mesh: (\d+) of \1 prox(?:y|ies) synced/, 'one plain progress line per event (not a terminal)');
  t.match(r.stderr, /mesh: (\d+)\/\1 prox(?:y|ies) serving the service have the change \(\d+\.\d+s after the write\)/);
  t.notMatch(r.stderr, /\u001b/, 'no escape codes when stderr is not a terminal');
  const last = p.pushes.at(-1)!;
  t.same(
    last.routes?.find((x) => x.name === 'mesh-primary')?.weightedClusters,
    [
      { cluster: cluster('v1'), weight: 80 },
      { cluster: cluster('v2'), weight: 20 },
    ],
    'by the time --wait returned, the proxy had 80/20',
  );
  await p.stop();
});

t.test('a stuck proxy: exit 4 naming it, the change stays written', async (t) => {
  t.teardown(() => probes.stopAll());
  await probe('stuck', true);
  const r = await mesh(['canary', '40', 'reviews', '-n', ns, '--yes', '--wait=3s', ...xds()]);
  t.equal(r.code, 4, r.stderr);
  t.match(
    r.stderr,
    /error: \d+ of \d+ prox(?:y|ies) still without the change after 3s: (?:.*, )?stuck\.e2e-wait-\w+ \(routes sent, not acknowledged\).*; the change is written/,
  );
  t.same(weights(await vsOf('reviews', ns)), { v1: 60, v2: 40 }, 'written');
});

t.test('with --wait, HPA scale-down and subset pruning wait until the proxies have the routes', async (t) => {
  t.teardown(() => probes.stopAll());
  await probe('stuck-hpa', true); // a proxy that never has the routes: what is left to do must wait for it
  const half = await mesh(['canary', '50', 'reviews', '-n', ns, '--scale-hpa', '--yes']);
  t.equal(half.code, 0, half.stderr);
  t.same(
    [(await hpaOf('reviews-v1', ns)).spec.maxReplicas, (await hpaOf('reviews-v2', ns)).spec.maxReplicas],
    [5, 5],
    'HPAs at half (baseline 2..10)',
  );
  const scaled = await mesh(['canary', '90', 'reviews', '-n', ns, '--scale-hpa', '--yes', '--wait=2s', ...xds()]);
  t.equal(scaled.code, 4, scaled.stderr);
  t.match(scaled.stderr, /not done yet: scale down HPA reviews-v1/);
  t.same(weights(await vsOf('reviews', ns)), { v1: 10, v2: 90 }, 'routes written');
  t.equal((await hpaOf('reviews-v2', ns)).spec.maxReplicas, 9, 'the canary HPA grew first (make-before-break)');
  t.equal((await hpaOf('reviews-v1', ns)).spec.maxReplicas, 5, 'the stable HPA is not scaled down while a proxy may still send it 50%');

  const pruned = await mesh(['promote', 'reviews', '-n', ns, '--prune', '--yes', '--wait=2s', ...xds()]);
  t.equal(pruned.code, 4, pruned.stderr);
  t.match(pruned.stderr, /not done yet: update DestinationRule reviews/);
  t.same(weights(await vsOf('reviews', ns)), { v2: 100 }, 'promoted');
  t.same(
    (await drOf('reviews', ns)).spec.subsets.map((s: any) => s.name).sort(),
    ['v1', 'v2'],
    'v1 not pruned while a proxy may still route to it',
  );

  await probes.stopAll();
  const again = await mesh(['promote', 'reviews', '-n', ns, '--prune', '--yes', '--wait=30s', ...xds()]);
  t.equal(again.code, 0, again.stderr);
  t.same(
    (await drOf('reviews', ns)).spec.subsets.map((s: any) => s.name),
    ['v2'],
    'pruned once nothing is stale',
  );
});

t.test('istiod unreachable: nothing is written', async (t) => {
  const before = await resourceVersions(ns);
  const r = await mesh([
    'canary',
    '30',
    'reviews',
    '-n',
    ns,
    '--stable',
    'v2',
    '--canary',
    'v1',
    '--yes',
    '--wait=5s',
    '--xds-address',
    '127.0.0.1:1',
    '--xds-plaintext',
  ]);
  t.equal(r.code, 8, r.stderr);
  t.match(r.stderr, /error: cannot ask istiod whether proxies have the change: .*nothing was written/);
  t.same(await resourceVersions(ns), before);
});

t.test('status shows how many proxies are in sync when istiod answers', async (t) => {
  t.teardown(() => probes.stopAll());
  await probe('status');
  const r = await mesh(['status', 'reviews', '-n', ns, ...xds()]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /mesh: synced (\d+)\/\1 prox/);
  const j = JSON.parse((await mesh(['status', 'reviews', '-n', ns, '-o', 'json', ...xds()])).stdout);
  t.ok(j.proxies.total >= 1 && j.proxies.synced === j.proxies.total, JSON.stringify(j.proxies));
  const none = await mesh(['status', 'reviews', '-n', ns, '--xds-address', '127.0.0.1:1', '--xds-plaintext']);
  t.equal(none.code, 0, 'an unreachable istiod does not fail status');
  t.notMatch(none.stdout, /mesh: synced/);
  const notAsked = await mesh(['status', 'reviews', '-n', ns]);
  t.notMatch(notAsked.stdout, /mesh: synced/, 'without --proxies or an xDS address, istiod is not asked');
});

// canary --steps … --wait (see the top of this file for why it runs here).
await import('./rollout-wait-cases.js');
