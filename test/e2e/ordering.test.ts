// Make-before-break, proven on the wire: with -v=6 every API request is logged in order, so the write
// sequence of each verb is visible. Adding a subset: DestinationRule first, then the VirtualService.
// Removing one: VirtualService first, then the DestinationRule. HPAs grow before traffic moves to them
// and shrink after it has left. The API server's resourceVersions (etcd revisions, increasing) agree.
import t from 'tap';
import { createApp, createNamespace, deleteNamespace, drOf, hpaOf, requests, resourceOf, scratchNamespace, vsOf } from './support.js';

const ns = scratchNamespace('e2e-order');

async function writes(args: string[]): Promise<string[]> {
  const { result, lines } = await requests([...args, '-n', ns]);
  if (result.code !== 0) throw new Error(`kubectl mesh ${args.join(' ')}: ${result.stderr}`);
  return lines.filter((l) => l.method !== 'GET').map((l) => `${l.method} ${resourceOf(l.url)}`);
}

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  await createApp(ns, 'reviews', ['v1', 'v2', 'v3'], { hpa: { min: 2, max: 10 } });
});
t.teardown(() => deleteNamespace(ns));

t.test('first canary: POST DestinationRule, then POST VirtualService', async (t) => {
  t.same(await writes(['canary', '20', 'reviews', '--stable', 'v1', '--canary', 'v2']), ['POST destinationrules', 'POST virtualservices']);
  const dr = await drOf('reviews', ns);
  const vs = await vsOf('reviews', ns);
  t.ok(Number(dr.metadata.resourceVersion) < Number(vs.metadata.resourceVersion), 'the server stored the DR first');
});

t.test('a weight change alone writes only the VirtualService', async (t) => {
  t.same(await writes(['canary', '40', 'reviews']), ['PUT virtualservices/reviews']);
});

t.test('a new subset (canary v3): PUT DestinationRule, then PUT VirtualService', async (t) => {
  t.same(await writes(['canary', '10', 'reviews', '--stable', 'v1', '--canary', 'v3']), [
    'PUT destinationrules/reviews',
    'PUT virtualservices/reviews',
  ]);
  const dr = await drOf('reviews', ns);
  const vs = await vsOf('reviews', ns);
  t.ok(Number(dr.metadata.resourceVersion) < Number(vs.metadata.resourceVersion), 'the server stored the DR first');
});

t.test('--scale-hpa from unscaled to 80/20: both HPAs shrink, so both after the VirtualService', async (t) => {
  t.same(await writes(['canary', '20', 'reviews', '--scale-hpa']), [
    'PUT virtualservices/reviews',
    'PUT horizontalpodautoscalers/reviews-v1',
    'PUT horizontalpodautoscalers/reviews-v3',
  ]);
});

t.test('--scale-hpa from 80/20 to 50/50: v3 grows first, v1 shrinks last', async (t) => {
  t.same(await writes(['canary', '50', 'reviews', '--scale-hpa']), [
    'PUT horizontalpodautoscalers/reviews-v3',
    'PUT virtualservices/reviews',
    'PUT horizontalpodautoscalers/reviews-v1',
  ]);
  const v1 = await hpaOf('reviews-v1', ns);
  const v3 = await hpaOf('reviews-v3', ns);
  t.same([v1.spec.minReplicas, v1.spec.maxReplicas, v3.spec.minReplicas, v3.spec.maxReplicas], [1, 5, 1, 5]);
  t.ok(Number(v3.metadata.resourceVersion) < Number((await vsOf('reviews', ns)).metadata.resourceVersion), 'grown before the routes');
  t.ok(Number(v1.metadata.resourceVersion) > Number((await vsOf('reviews', ns)).metadata.resourceVersion), 'shrunk after the routes');
});

t.test('env to a subset not in the DestinationRule: DR first', async (t) => {
  t.same(
    await writes(['env', 'qa', 'reviews', '--header', 'x-env=qa', '--subset', 'v2']),
    ['PUT virtualservices/reviews'],
    'v2 is still defined: only the VirtualService',
  );
  await writes(['env', 'qa', 'reviews', '--delete']);
});

t.test('promote --prune: PUT VirtualService (stop routing to v1), then PUT DestinationRule (remove v1)', async (t) => {
  const w = await writes(['promote', 'reviews', '--prune']);
  t.same(
    w.filter((x) => !x.includes('horizontalpodautoscalers')),
    ['PUT virtualservices/reviews', 'PUT destinationrules/reviews'],
  );
  t.ok(w.indexOf('PUT virtualservices/reviews') < w.indexOf('PUT destinationrules/reviews'));
  t.notOk(
    (await drOf('reviews', ns)).spec.subsets.some((s: any) => s.name === 'v1'),
    'v1 pruned',
  );
  const dr = await drOf('reviews', ns);
  const vs = await vsOf('reviews', ns);
  t.ok(Number(vs.metadata.resourceVersion) < Number(dr.metadata.resourceVersion), 'the server stored the VS first');
});

t.test('rollback to a revision that used the pruned subset: DR first (restore v1), then VS', async (t) => {
  const w = await writes(['rollback', 'reviews']);
  const routing = w.filter((x) => !x.includes('horizontalpodautoscalers'));
  t.same(routing, ['PUT destinationrules/reviews', 'PUT virtualservices/reviews']);
  t.ok(
    (await drOf('reviews', ns)).spec.subsets.some((s: any) => s.name === 'v1'),
    'v1 is back',
  );
});

t.test('rollback to before kubectl-mesh: DELETE VirtualService, then DELETE DestinationRule', async (t) => {
  const w = await writes(['rollback', 'reviews', '--to-revision', '1']);
  const routing = w.filter((x) => !x.includes('horizontalpodautoscalers'));
  t.same(routing, ['DELETE virtualservices/reviews', 'DELETE destinationrules/reviews']);
  t.equal(await vsOf('reviews', ns), undefined);
  t.equal(await drOf('reviews', ns), undefined);
});
