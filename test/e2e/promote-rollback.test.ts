// kubectl mesh promote (and --prune), rollback (previous, --to-revision, back to before kubectl-mesh)
// and history, on one service through a whole release, in a namespace of its own.
import t from 'tap';
import {
  createApp,
  createNamespace,
  deleteNamespace,
  drOf,
  errorLines,
  historyOf,
  hpaOf,
  mesh,
  requests,
  resourceOf,
  resourceVersions,
  scratchNamespace,
  vsOf,
  weights,
} from './support.js';

const ns = scratchNamespace('e2e-release');
const subsets = async () => (await drOf('reviews', ns))?.spec?.subsets?.map((s: any) => s.name);
const routeNames = async () => (await vsOf('reviews', ns))?.spec?.http?.map((r: any) => r.name);

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  await createApp(ns, 'reviews', ['v1', 'v2'], { hpa: { min: 2, max: 10 } });
});
t.teardown(() => deleteNamespace(ns));

t.test('before any release: promote, rollback and history say so, and write nothing', async (t) => {
  const before = await resourceVersions(ns);
  const p = await mesh(['promote', 'reviews', '-n', ns]);
  t.equal(p.code, 4, p.stderr);
  t.match(p.stderr, /^error: no VirtualService routes .*reviews yet/m);
  const r = await mesh(['rollback', 'reviews', '-n', ns]);
  t.equal(r.code, 4, r.stderr);
  t.match(r.stderr, /no earlier routing revision/);
  const h = await mesh(['history', 'reviews', '-n', ns]);
  t.equal(h.code, 0, h.stderr);
  t.match(h.stdout, /No routing revisions recorded/);
  t.same(JSON.parse((await mesh(['history', 'reviews', '-n', ns, '-o', 'json'])).stdout), []);
  t.same(await resourceVersions(ns), before, 'nothing was written');
  t.notOk(
    Object.keys(before).some((k) => k.startsWith('VirtualService') || k.startsWith('DestinationRule')),
    'no routing objects',
  );
});

t.test('history records each change (table and -o json)', async (t) => {
  for (const args of [['canary', '20'], ['canary', '50', '--scale-hpa'], ['green']]) {
    const r = await mesh([args[0], ...(args[0] === 'green' ? ['reviews'] : [args[1], 'reviews', ...args.slice(2)]), '-n', ns]);
    t.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  }
  const j = await mesh(['history', 'reviews', '-n', ns, '-o', 'json']);
  t.equal(j.code, 0, j.stderr);
  const revs = JSON.parse(j.stdout);
  t.same(
    revs.map((r: any) => r.revision),
    [1, 2, 3, 4],
  );
  t.match(
    revs.map((r: any) => r.change),
    ['before kubectl-mesh', /canary 20%/, /canary 50%/, /env green/],
  );
  for (const r of revs) {
    t.equal(r.user, 'admin');
    t.ok(!Number.isNaN(Date.parse(r.at)), 'an ISO time');
  }
  t.equal(revs[2].scaled, true, 'revision 3 scaled the HPAs');
  t.same(revs, historyOf(await vsOf('reviews', ns)), 'the same as the annotation');
  const table = await mesh(['history', 'reviews', '-n', ns]);
  t.equal(table.code, 0, table.stderr);
  const lines = table.stdout.trimEnd().split('\n');
  t.match(lines[0], /^REVISION\s+WHEN\s+USER\s+CHANGE$/);
  t.equal(lines.length, 5);
  t.match(lines[4], /^4\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ\s+admin\s+env green/);
});

t.test('rollback goes to the previous revision', async (t) => {
  const r = await mesh(['rollback', 'reviews', '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /rolled back to revision 3/);
  t.same(await routeNames(), ['mesh-primary'], 'the green route is gone');
  t.same(weights(await vsOf('reviews', ns)), { v1: 50, v2: 50 });
  t.match(historyOf(await vsOf('reviews', ns)).at(-1).change, /rollback to revision 3/, 'a rollback is a revision too');
  const h1 = await hpaOf('reviews-v1', ns);
  t.same([h1.spec.minReplicas, h1.spec.maxReplicas], [1, 5], 'HPAs scaled as in revision 3');
});

t.test('promote: the canary takes 100%, the old subset stays for an instant rollback', async (t) => {
  t.equal((await mesh(['green', 'reviews', '-n', ns])).code, 0, 'a green route to v2 first');
  const r = await mesh(['promote', 'reviews', '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  const vs = await vsOf('reviews', ns);
  t.same(weights(vs), { v2: 100 });
  t.same(await routeNames(), ['mesh-primary'], 'the green route to v2 is redundant and removed');
  t.same(await subsets(), ['v1', 'v2'], 'v1 kept until --prune');
  t.same(historyOf(vs).at(-1).roles, { stable: 'v2' });
  t.match(historyOf(vs).at(-1).change, /^promote v2$/);
  const again = await mesh(['promote', 'reviews', '-n', ns]);
  t.equal(again.code, 0, again.stderr);
  t.match(again.stdout, /unchanged/, 'promoting twice changes nothing');
});

t.test('rollback --to-revision N', async (t) => {
  const r = await mesh(['rollback', 'reviews', '-n', ns, '--to-revision', '2']);
  t.match(r.stdout, /rolled back to revision 2/);
  t.equal(r.code, 0, r.stderr);
  t.same(weights(await vsOf('reviews', ns)), { v1: 80, v2: 20 });
  const h1 = await hpaOf('reviews-v1', ns);
  t.same([h1.spec.minReplicas, h1.spec.maxReplicas], [2, 10], 'revision 2 did not scale: HPAs back to baseline');
  t.notOk(h1.metadata.annotations?.['kubectl-mesh.io/hpa-baseline']);
  const before = await resourceVersions(ns);
  const missing = await mesh(['rollback', 'reviews', '-n', ns, '--to-revision', '99']);
  t.equal(missing.code, 3, missing.stderr);
  t.match(missing.stderr, /revision 99 .* is not in its history/);
  t.equal(errorLines(missing.stderr).length, 1);
  const bad = await mesh(['rollback', 'reviews', '-n', ns, '--to-revision', 'two']);
  t.equal(bad.code, 2, bad.stderr);
  const current = await mesh(['rollback', 'reviews', '-n', ns, '--to-revision', '8']);
  t.equal(current.code, 4, `already at revision 8: ${current.stderr}`);
  t.match(current.stderr, /already at revision 8/);
  t.same(await resourceVersions(ns), before, 'nothing written by the refused rollbacks');
});

t.test('promote --prune: routes stop using the old subset first, then it leaves the DestinationRule', async (t) => {
  t.same(weights(await vsOf('reviews', ns)), { v1: 80, v2: 20 }, 'from 80/20 (revision 2, restored)');
  const { result, lines } = await requests(['promote', 'reviews', '-n', ns, '--prune']);
  t.equal(result.code, 0, result.stderr);
  const writes = lines.filter((l) => l.method !== 'GET').map((l) => `${l.method} ${resourceOf(l.url)}`);
  t.same(writes, ['PUT virtualservices/reviews', 'PUT destinationrules/reviews'], 'VS write before DR write');
  t.same(await subsets(), ['v2'], 'v1 pruned');
  t.same(weights(await vsOf('reviews', ns)), { v2: 100 });
  t.match(historyOf(await vsOf('reviews', ns)).at(-1).change, /pruned v1/);
});

t.test('a new canary after a prune brings the subset back before routing to it', async (t) => {
  const { result, lines } = await requests(['canary', '20', 'reviews', '-n', ns]);
  t.equal(result.code, 0, result.stderr);
  t.same(weights(await vsOf('reviews', ns)), { v2: 80, v1: 20 }, 'v2 is now stable, v1 the canary');
  t.same(await subsets(), ['v2', 'v1']);
  const writes = lines.filter((l) => l.method !== 'GET').map((l) => `${l.method} ${resourceOf(l.url)}`);
  t.same(writes, ['PUT destinationrules/reviews', 'PUT virtualservices/reviews']);
});

t.test('rollback to before kubectl-mesh deletes the VirtualService, then the DestinationRule', async (t) => {
  const first = historyOf(await vsOf('reviews', ns))[0];
  t.equal(first.revision, 1, 'the baseline revision is still kept');
  const { result, lines } = await requests(['rollback', 'reviews', '-n', ns, '--to-revision', '1']);
  t.equal(result.code, 0, result.stderr);
  const writes = lines.filter((l) => l.method !== 'GET').map((l) => `${l.method} ${resourceOf(l.url)}`);
  t.same(
    writes.filter((w) => !w.includes('horizontalpodautoscalers')),
    ['DELETE virtualservices/reviews', 'DELETE destinationrules/reviews'],
  );
  t.equal(await vsOf('reviews', ns), undefined, 'VirtualService gone');
  t.equal(await drOf('reviews', ns), undefined, 'DestinationRule gone');
  for (const name of ['reviews-v1', 'reviews-v2']) {
    const h = await hpaOf(name, ns);
    t.same([h.spec.minReplicas, h.spec.maxReplicas], [2, 10], `${name} at its baseline`);
  }
  const status = JSON.parse((await mesh(['status', 'reviews', '-n', ns, '-o', 'json'])).stdout);
  t.notOk(status.virtualService, 'status: no VirtualService');
});

t.test('after more changes than the history keeps, the baseline (before kubectl-mesh) is still there', async (t) => {
  // The baseline is the only way back to no routing objects, so trimming the history keeps it.
  for (let w = 1; w <= 11; w++) t.equal((await mesh(['canary', String(w * 5), 'reviews', '-n', ns])).code, 0, `canary ${w * 5}`);
  const history = historyOf(await vsOf('reviews', ns));
  t.ok(history.length <= 10, `history stays bounded (${history.length} revisions)`);
  t.equal(history[0]?.change, 'before kubectl-mesh', 'the baseline revision is kept');
  const back = await mesh(['rollback', 'reviews', '-n', ns, '--to-revision', '1']);
  t.equal(back.code, 0, back.stderr);
  t.equal(await vsOf('reviews', ns), undefined, 'rolling back to it still removes what we created');
});
