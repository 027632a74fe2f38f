// The write path every routing verb shares (src/commands/support/change.ts), run through main() against
// a fake KubeClient: make-before-break write order, the re-read and re-plan after a 409, the bounded
// number of attempts, the readiness and analysis gates, server dry runs and a write failing half-way.
// istioctl is pointed at a path that does not exist: only the built-in checks run.
import t from 'tap';
import type { Obj } from '../../../src/kube/resources.js';
import { ExitCode } from '../../../src/errors.js';
import { deployment, hpa, pod, service } from '../builders.js';
import { FakeKube } from '../fake-kube.js';
import { runMain } from '../run-main.js';

const env = { ISTIOCTL: '/nonexistent/istioctl', PATH: '/nonexistent', HOME: '/nonexistent' };

/** The demo's reviews: a Service, v1 (older) and v2 with two Ready pods and an HPA each. */
function reviews(opts: { v2Ready?: boolean } = {}): Obj[] {
  return [
    service('reviews'),
    ...['v1', 'v2'].flatMap((v, i) => [
      deployment('reviews', v, `2026-01-0${i + 1}T00:00:00Z`),
      hpa('reviews', v),
      pod('reviews', v, 0, v === 'v1' || opts.v2Ready !== false),
      pod('reviews', v, 1, v === 'v1' || opts.v2Ready !== false),
    ]),
  ] as Obj[];
}

const mesh = (kube: FakeKube, ...argv: string[]) =>
  runMain([...argv, '-n', 'shop'], env, { kube: async () => kube, now: () => new Date('2026-11-27T10:00:00Z') });

const weightsOf = (vs: Obj | undefined): Record<string, number> => {
  const http =
    (vs?.spec as { http?: { name?: string; route?: { destination: { subset?: string }; weight?: number }[] }[] } | undefined)?.http ?? [];
  const primary = http.find((r) => r.name === 'mesh-primary');
  return Object.fromEntries((primary?.route ?? []).map((d) => [d.destination.subset, d.weight ?? 100]));
};
const routeNames = (vs: Obj | undefined): string[] => ((vs?.spec as { http?: { name?: string }[] })?.http ?? []).map((r) => r.name ?? '');

t.test('a first canary creates the DestinationRule before the VirtualService that routes to its subsets', async (t) => {
  const kube = new FakeKube(reviews());
  const r = await mesh(kube, 'canary', '20', 'reviews');
  t.equal(r.code, 0, r.stderr);
  t.same(kube.writes(), ['create DestinationRule shop/reviews', 'create VirtualService shop/reviews']);
  t.same(weightsOf(kube.object('VirtualService', 'shop', 'reviews')), { v1: 80, v2: 20 });
  t.match(r.stdout, /^destinationrule\/reviews created\nvirtualservice\/reviews created\n/);
});

t.test('promote --prune stops routing to the old subset before the DestinationRule drops it', async (t) => {
  const kube = new FakeKube(reviews());
  t.equal((await mesh(kube, 'canary', '20', 'reviews')).code, 0);
  const before = kube.writes().length;
  const r = await mesh(kube, 'promote', 'reviews', '--prune');
  t.equal(r.code, 0, r.stderr);
  t.same(kube.writes().slice(before), ['replace VirtualService shop/reviews', 'replace DestinationRule shop/reviews']);
  t.same(weightsOf(kube.object('VirtualService', 'shop', 'reviews')), { v2: 100 });
});

t.test('a write that loses a race (409) re-reads, re-plans on the new state, and keeps the other edit', async (t) => {
  const kube = new FakeKube(reviews());
  t.equal((await mesh(kube, 'canary', '10', 'reviews')).code, 0);
  let raced = 0;
  // Someone adds a route of their own between our read and our write, once.
  kube.prependReactor('replace', 'VirtualService', (action, k) => {
    if (raced++) return undefined;
    const vs = k.object('VirtualService', 'shop', 'reviews')!;
    (vs.spec as { http: object[] }).http.unshift({
      name: 'user-debug',
      match: [{ uri: { prefix: '/debug' } }],
      route: [{ destination: { host: 'reviews' } }],
    });
    k.put(vs);
    t.not(
      action.obj!.metadata.resourceVersion,
      k.object('VirtualService', 'shop', 'reviews')!.metadata.resourceVersion,
      'our write carries the version we read',
    );
    return undefined; // the store now answers 409: the resourceVersion we send is stale
  });
  const lists = () => kube.actions.filter((a) => a.verb === 'list' && a.kind === 'VirtualService').length;
  const listsBefore = lists();
  const r = await mesh(kube, 'canary', '30', 'reviews');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /someone else changed shop\/reviews meanwhile; re-reading \(attempt 2 of 5\)/);
  t.equal(lists() - listsBefore, 2, 'read twice');
  const vs = kube.object('VirtualService', 'shop', 'reviews');
  t.same(weightsOf(vs), { v1: 70, v2: 30 }, 'our change is in force');
  t.same(routeNames(vs), ['user-debug', 'mesh-primary'], 'and the route added meanwhile is kept, first');
});

t.test('two first canaries at once: the one whose create gets AlreadyExists re-reads, then changes what the other wrote', async (t) => {
  const other = new FakeKube(reviews());
  t.equal((await mesh(other, 'canary', '50', 'reviews')).code, 0);
  const kube = new FakeKube(reviews());
  let raced = 0;
  kube.prependReactor('create', 'DestinationRule', (_a, k) => {
    if (raced++) return undefined;
    // The other run's writes landed between our read and our first write.
    k.put(other.object('DestinationRule', 'shop', 'reviews')!);
    k.put(other.object('VirtualService', 'shop', 'reviews')!);
    return undefined;
  });
  const r = await mesh(kube, 'canary', '20', 'reviews');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /re-reading \(attempt 2 of 5\)/);
  t.same(
    kube.writes(),
    ['create DestinationRule shop/reviews', 'replace VirtualService shop/reviews'],
    'the second plan starts from their objects',
  );
  t.same(weightsOf(kube.object('VirtualService', 'shop', 'reviews')), { v1: 80, v2: 20 });
});

t.test('a create that gets AlreadyExists after our first write re-reads and replaces what the other run created', async (t) => {
  const other = new FakeKube(reviews());
  t.equal((await mesh(other, 'canary', '50', 'reviews')).code, 0);
  const kube = new FakeKube(reviews());
  let raced = 0;
  // Our DestinationRule is written; the other run's VirtualService lands before ours.
  kube.prependReactor('create', 'VirtualService', (_a, k) => {
    if (!raced++) k.put(other.object('VirtualService', 'shop', 'reviews')!);
    return undefined;
  });
  const r = await mesh(kube, 'canary', '20', 'reviews');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /someone else changed shop\/reviews meanwhile; re-reading \(attempt 2 of 5\)/);
  t.same(kube.writes(), [
    'create DestinationRule shop/reviews',
    'create VirtualService shop/reviews',
    'replace VirtualService shop/reviews',
  ]);
  t.same(weightsOf(kube.object('VirtualService', 'shop', 'reviews')), { v1: 80, v2: 20 });
});

t.test('an update that loses a race after our first write re-reads too, and writes in the same order', async (t) => {
  const kube = new FakeKube(reviews());
  t.equal((await mesh(kube, 'canary', '20', 'reviews')).code, 0);
  let raced = 0;
  // promote --prune: the VirtualService is replaced; someone edits the DestinationRule before we write it.
  kube.prependReactor('replace', 'DestinationRule', (_a, k) => {
    if (raced++) return undefined;
    const dr = k.object('DestinationRule', 'shop', 'reviews')!;
    k.put({ ...dr, metadata: { ...dr.metadata, labels: { team: 'x' } } });
    return undefined; // the store now answers 409
  });
  const before = kube.writes().length;
  const r = await mesh(kube, 'promote', 'reviews', '--prune');
  t.equal(r.code, 0, r.stderr);
  t.match(r.stderr, /re-reading \(attempt 2 of 5\)/);
  t.notMatch(r.stderr, /then writing/, 'no half-way failure');
  t.same(
    kube.writes().slice(before),
    [
      'replace VirtualService shop/reviews',
      'replace DestinationRule shop/reviews',
      'replace VirtualService shop/reviews',
      'replace DestinationRule shop/reviews',
    ],
    'the re-plan writes routes before subsets again',
  );
  t.same(weightsOf(kube.object('VirtualService', 'shop', 'reviews')), { v2: 100 });
  const dr = kube.object('DestinationRule', 'shop', 'reviews')!;
  t.same(dr.metadata.labels, { team: 'x' }, 'the edit made meanwhile is kept');
  t.same(
    (dr.spec as { subsets: { name: string }[] }).subsets.map((s) => s.name),
    ['v2'],
    'and the old subset is pruned',
  );
});

t.test('a create race that never stops: five attempts, then exit 5 with the one-line message of a conflict', async (t) => {
  const kube = new FakeKube(reviews());
  kube.prependReactor('create', 'VirtualService', () => ({
    status: 409,
    reason: 'AlreadyExists',
    message: 'virtualservices.networking.istio.io "reviews" already exists',
  }));
  const r = await mesh(kube, 'canary', '20', 'reviews');
  t.equal(r.code, ExitCode.conflict);
  t.equal(kube.writes().filter((w) => w === 'create VirtualService shop/reviews').length, 5);
  t.equal(r.stderr.match(/re-reading/g)?.length, 4);
  const last = r.stderr.trimEnd().split('\n').pop();
  t.equal(
    last,
    'error: virtualservices.networking.istio.io "reviews" already exists (it was created meanwhile; re-run the command to start from the current state)',
  );
  t.ok(kube.object('DestinationRule', 'shop', 'reviews'), 'the DestinationRule written first stands (it routes nothing)');
});

t.test("conflicts that never stop: five attempts, then exit 5 with the server's message", async (t) => {
  const kube = new FakeKube(reviews());
  t.equal((await mesh(kube, 'canary', '10', 'reviews')).code, 0);
  kube.prependReactor('replace', 'VirtualService', () => ({ status: 409, reason: 'Conflict', message: 'the object has been modified' }));
  const before = kube.writes().length;
  const r = await mesh(kube, 'canary', '30', 'reviews');
  t.equal(r.code, ExitCode.conflict);
  t.equal(
    kube
      .writes()
      .slice(before)
      .filter((w) => w === 'replace VirtualService shop/reviews').length,
    5,
  );
  t.equal(r.stderr.match(/re-reading/g)?.length, 4);
  t.match(r.stderr, /^error: the object has been modified/m);
  t.same(weightsOf(kube.object('VirtualService', 'shop', 'reviews')), { v1: 90, v2: 10 }, 'nothing changed');
});

t.test('other failures are not retried', async (t) => {
  const kube = new FakeKube(reviews());
  t.equal((await mesh(kube, 'canary', '10', 'reviews')).code, 0);
  kube.prependReactor('replace', 'VirtualService', () => ({
    status: 403,
    reason: 'Forbidden',
    message: 'virtualservices.networking.istio.io "reviews" is forbidden',
  }));
  const before = kube.writes().length;
  const r = await mesh(kube, 'canary', '30', 'reviews');
  t.equal(r.code, ExitCode.forbidden);
  t.equal(kube.writes().length - before, 1, 'one attempt');
  t.notMatch(r.stderr, /re-reading/);
});

t.test('readiness gate: a canary without Ready pods writes nothing; --force writes with a warning', async (t) => {
  const kube = new FakeKube(reviews({ v2Ready: false }));
  const r = await mesh(kube, 'canary', '20', 'reviews');
  t.equal(r.code, ExitCode.precondition);
  t.match(
    r.stderr,
    /error: subset v2 \(0\/2 pods Ready\) of shop\/reviews would receive traffic but has no Ready pods.*\(wait until its pods are Ready, or pass --force\)/,
  );
  t.same(kube.writes(), [], 'nothing written');

  const forced = await mesh(kube, 'canary', '20', 'reviews', '--force');
  t.equal(forced.code, 0, forced.stderr);
  t.match(forced.stderr, /warning: subset v2 \(0\/2 pods Ready\)/);
  t.same(kube.writes(), ['create DestinationRule shop/reviews', 'create VirtualService shop/reviews']);
});

t.test("analysis gate: our route behind a user's catch-all (IST0130) writes nothing", async (t) => {
  const kube = new FakeKube(reviews());
  t.equal((await mesh(kube, 'canary', '10', 'reviews')).code, 0);
  const vs = kube.object('VirtualService', 'shop', 'reviews')!;
  (vs.spec as { http: object[] }).http.unshift({ name: 'everything', route: [{ destination: { host: 'reviews', subset: 'v1' } }] });
  kube.put(vs);
  const before = kube.writes().length;
  const r = await mesh(kube, 'canary', '30', 'reviews');
  t.equal(r.code, ExitCode.precondition);
  t.match(
    r.stderr,
    /^error: .*would never match: route "everything" \(http\[0\], not ours\) takes every request first \(IST0130\); nothing was written/m,
  );
  t.equal(kube.writes().length, before, 'nothing written');
  t.equal((await mesh(kube, 'canary', '30', 'reviews', '--force')).code, 0, '--force writes anyway');
});

t.test('--dry-run=server sends every write as a dry run and changes nothing', async (t) => {
  const kube = new FakeKube(reviews());
  const r = await mesh(kube, 'canary', '20', 'reviews', '--dry-run=server');
  t.equal(r.code, 0, r.stderr);
  t.same(kube.writes(), ['create DestinationRule shop/reviews (dry run)', 'create VirtualService shop/reviews (dry run)']);
  t.equal(kube.object('VirtualService', 'shop', 'reviews'), undefined);
  t.match(r.stdout, /virtualservice\/reviews created \(server dry run\)/);
});

t.test('a write failing half-way: the earlier write stands and the message says how to finish', async (t) => {
  const kube = new FakeKube(reviews());
  kube.prependReactor('create', 'VirtualService', () => ({
    status: 500,
    reason: 'InternalError',
    message: 'etcdserver: request timed out',
  }));
  const r = await mesh(kube, 'canary', '20', 'reviews');
  t.equal(r.code, ExitCode.failed);
  t.match(
    r.stderr,
    /^error: wrote DestinationRule shop\/reviews, then writing VirtualService shop\/reviews failed: .*etcdserver: request timed out \(traffic is safe as it is; fix the cause and run the same command again to finish\)$/m,
  );
  t.ok(kube.object('DestinationRule', 'shop', 'reviews'), 'the DestinationRule is there (it routes nothing yet)');
  t.equal(kube.object('VirtualService', 'shop', 'reviews'), undefined);
});
