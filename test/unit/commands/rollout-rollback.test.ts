// A rollout's automatic rollback goes back to the routing from before the rollout (its baseline
// revision), however many steps it wrote: run through main() against a fake KubeClient, a clock that
// races ahead (no real waiting) and a Prometheus on loopback whose canary success rate drops at the
// last step. istioctl is pointed at a path that does not exist: only the built-in checks run.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { HISTORY_LIMIT } from '../../../src/model/names.js';
import type { Obj } from '../../../src/kube/resources.js';
import { readRollout } from '../../../src/rollout/state.js';
import { readHistory } from '../../../src/routing/history.js';
import type { VirtualService } from '../../../src/routing/types.js';
import { deployment, destinationRule, pod, service, virtualService } from '../builders.js';
import { FakeKube } from '../fake-kube.js';
import { runMain } from '../run-main.js';

const env = { ISTIOCTL: '/nonexistent/istioctl', PATH: '/nonexistent', HOME: '/nonexistent' };

/** reviews v1 and v2 with Ready pods, and the user's own routing: a debug route and a catch-all to v1. */
const objects = (): Obj[] =>
  [
    service('reviews'),
    ...['v1', 'v2'].flatMap((v, i) => [
      deployment('reviews', v, `2026-01-0${i + 1}T00:00:00Z`),
      pod('reviews', v, 0),
      pod('reviews', v, 1),
    ]),
    virtualService('reviews', [
      { name: 'user-debug', match: [{ uri: { prefix: '/debug' } }], route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
      { route: [{ destination: { host: 'reviews', subset: 'v1' } }] },
    ]),
    destinationRule('reviews', ['v1']),
  ] as Obj[];

/** Answers the start-up probe, then the canary's success rate: 100%, or 50% from step `failFrom` (1-based) on. */
async function prometheusOnLoopback(kube: FakeKube, failFrom: number): Promise<{ url: string; close: () => Promise<void> }> {
  const server = http.createServer((req, res) => {
    const query = new URL(req.url!, 'http://x').searchParams.get('query');
    const step = (readRollout(kube.object('VirtualService', 'shop', 'reviews'))?.step ?? -1) + 1;
    const result =
      query === 'vector(1)'
        ? [{ metric: {}, value: [0, '1'] }]
        : [{ metric: { destination_workload: 'reviews-v2', metric: 'success-rate' }, value: [0, step >= failFrom ? '50' : '100'] }];
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}

const mesh = (kube: FakeKube, clock: () => Date, ...argv: string[]) =>
  runMain([...argv, '-n', 'shop'], env, { kube: async () => kube, now: clock });

/** A clock one second further on each time it is read: every hold and check is due at once. */
const racingClock = () => {
  let ms = Date.parse('2026-11-27T10:00:00Z');
  return () => new Date((ms += 1000));
};

const vsOf = (kube: FakeKube) => kube.object('VirtualService', 'shop', 'reviews') as VirtualService;

t.test('a rollout of more steps than the history keeps still rolls back to exactly the routing from before it', async (t) => {
  const kube = new FakeKube(objects());
  const clock = racingClock();
  // An earlier release: the service has history before the rollout starts.
  t.equal((await mesh(kube, clock, 'canary', '10', 'reviews')).code, 0);
  const before = vsOf(kube);
  const baseline = readHistory(before).at(-1)!.revision;
  const drBefore = kube.object('DestinationRule', 'shop', 'reviews')!.spec;

  const steps = Array.from({ length: HISTORY_LIMIT + 2 }, (_, i) => 15 + i * 5);
  const prom = await prometheusOnLoopback(kube, steps.length);
  t.teardown(prom.close);
  const r = await mesh(
    kube,
    clock,
    'canary',
    'reviews',
    '--steps',
    steps.join(','),
    '--interval',
    '0s',
    '--check-every',
    '1s',
    '--analysis',
    'success-rate>=99',
    '--compare-stable=false',
    '--max-failures',
    '1',
    '--prometheus',
    prom.url,
  );
  t.equal(r.code, 4, r.stderr);
  t.match(r.stderr, `rolled back to revision ${baseline} (the routing before the rollout)`);

  const after = vsOf(kube);
  t.strictSame(after.spec, before.spec, 'the routes (and every other field) are as before the rollout');
  t.strictSame(kube.object('DestinationRule', 'shop', 'reviews')!.spec, drBefore);
  t.equal(readRollout(after)?.phase, 'failed');
  const revisions = readHistory(after).map((x) => x.revision);
  t.ok(revisions.includes(baseline), `the baseline is still in the history: ${revisions.join(',')}`);
  t.equal(readHistory(after).at(-1)!.change, `rollback to revision ${baseline}`);

  // Once the rollout is over, the next write trims the history to its usual length again.
  t.equal((await mesh(kube, clock, 'canary', '20', 'reviews')).code, 0);
  t.equal(readHistory(vsOf(kube)).length, HISTORY_LIMIT);
});
