// kubectl mesh canary against the real cluster: created objects, weights, roles, flags, dry runs, diffs,
// -o json, errors that write nothing, and HPA scaling. One namespace of its own, removed at the end.
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
  resourceVersions,
  scratchNamespace,
  vsOf,
  weights,
} from './support.js';

const ns = scratchNamespace('e2e-canary');
const fqdn = (svc: string) => `${svc}.${ns}.svc.cluster.local`;
const sum = (w: Record<string, number>) => Object.values(w).reduce((a, b) => a + b, 0);

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  await createApp(ns, 'reviews', ['v1', 'v2'], { hpa: { min: 4, max: 20 } });
  await createApp(ns, 'tri', ['v1', 'v2', 'v3']);
  await createApp(ns, 'fresh', ['v1', 'v2']);
});
t.teardown(() => deleteNamespace(ns));

t.test('first canary creates the DestinationRule and the VirtualService (FQDN hosts, weights sum to 100, history)', async (t) => {
  t.equal(await vsOf('reviews', ns), undefined, 'no VirtualService before');
  const r = await mesh(['canary', '20', 'reviews', '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /destinationrule\/reviews created\nvirtualservice\/reviews created\n/, 'DR reported before VS');
  const dr = await drOf('reviews', ns);
  const vs = await vsOf('reviews', ns);
  t.equal(dr.spec.host, fqdn('reviews'));
  t.same(dr.spec.subsets, [
    { name: 'v1', labels: { version: 'v1' } },
    { name: 'v2', labels: { version: 'v2' } },
  ]);
  t.same(vs.spec.hosts, [fqdn('reviews')]);
  t.equal(vs.spec.http.length, 1);
  t.equal(vs.spec.http[0].name, 'mesh-primary');
  for (const d of vs.spec.http[0].route) t.equal(d.destination.host, fqdn('reviews'), 'destination host is the FQDN');
  t.same(weights(vs), { v1: 80, v2: 20 });
  t.equal(sum(weights(vs)), 100);
  t.equal(vs.metadata.labels['app.kubernetes.io/managed-by'], 'kubectl-mesh');
  const history = historyOf(vs);
  t.same(
    history.map((h) => h.revision),
    [1, 2],
  );
  t.equal(history[0].change, 'before kubectl-mesh');
  t.same(history[0].absent, { virtualService: true, destinationRule: true });
  t.match(history[1].change, /canary 20%/);
  t.same(history[1].roles, { stable: 'v1', canary: 'v2' });
  t.equal(history[1].user, 'admin', 'the kubeconfig user is recorded');
});

t.test('weights are written as integers that sum to 100 at every step', async (t) => {
  for (const w of [0, 1, 33, 99, 50]) {
    const r = await mesh(['canary', String(w), 'reviews', '-n', ns]);
    t.equal(r.code, 0, r.stderr);
    const vs = await vsOf('reviews', ns);
    t.same(weights(vs), { v1: 100 - w, v2: w }, `canary ${w}`);
    t.ok(Object.values(weights(vs)).every(Number.isInteger), 'integers');
  }
});

t.test('the same weight again changes nothing', async (t) => {
  const before = await resourceVersions(ns);
  const r = await mesh(['canary', '50', 'reviews', '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /unchanged/);
  t.same(await resourceVersions(ns), before, 'no write');
});

t.test('canary 100 shifts all traffic but does not promote', async (t) => {
  const r = await mesh(['canary', '100', 'reviews', '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  let vs = await vsOf('reviews', ns);
  t.same(weights(vs), { v1: 0, v2: 100 });
  t.same(historyOf(vs).at(-1).roles, { stable: 'v1', canary: 'v2' }, 'v1 is still the stable subset');
  t.same(
    (await drOf('reviews', ns)).spec.subsets.map((s: any) => s.name),
    ['v1', 'v2'],
    'both subsets kept',
  );
  const status = JSON.parse((await mesh(['status', 'reviews', '-n', ns, '-o', 'json'])).stdout);
  t.same(status.roles, { stable: 'v1', canary: 'v2' });
  // The next canary step still counts from v1 as stable.
  t.equal((await mesh(['canary', '30', 'reviews', '-n', ns])).code, 0);
  vs = await vsOf('reviews', ns);
  t.same(weights(vs), { v1: 70, v2: 30 });
});

t.test('three versions without --stable/--canary: exit 2 naming the flags, nothing written', async (t) => {
  const before = await resourceVersions(ns);
  const r = await mesh(['canary', '20', 'tri', '-n', ns]);
  t.equal(r.code, 2, r.stderr);
  t.equal(errorLines(r.stderr).length, 1, r.stderr);
  t.match(r.stderr, /^error: .*3 versions.*--stable.*--canary/m);
  t.equal(await vsOf('tri', ns), undefined);
  t.same(await resourceVersions(ns), before);
});

t.test('--stable/--canary pick the subsets among three versions', async (t) => {
  const r = await mesh(['canary', '30', 'tri', '-n', ns, '--stable', 'v1', '--canary', 'v3']);
  t.equal(r.code, 0, r.stderr);
  const vs = await vsOf('tri', ns);
  t.same(weights(vs), { v1: 70, v3: 30 });
  t.same(
    (await drOf('tri', ns)).spec.subsets.map((s: any) => s.name),
    ['v1', 'v3'],
    'only the subsets in use are created',
  );
  t.same(historyOf(vs).at(-1).roles, { stable: 'v1', canary: 'v3' });
  // The recorded roles are used next time: no flags needed any more.
  const again = await mesh(['canary', '60', 'tri', '-n', ns]);
  t.equal(again.code, 0, again.stderr);
  t.same(weights(await vsOf('tri', ns)), { v1: 40, v3: 60 });
  // Switching the canary to v2 adds that subset.
  const v2 = await mesh(['canary', '10', 'tri', '-n', ns, '--stable', 'v1', '--canary', 'v2']);
  t.equal(v2.code, 0, v2.stderr);
  t.same(weights(await vsOf('tri', ns)), { v1: 90, v2: 10 });
  t.same(
    (await drOf('tri', ns)).spec.subsets.map((s: any) => s.name),
    ['v1', 'v3', 'v2'],
  );
});

t.test('an unknown subset fails with IST0101 and writes nothing', async (t) => {
  const before = await resourceVersions(ns);
  const r = await mesh(['canary', '20', 'tri', '-n', ns, '--stable', 'v1', '--canary', 'v9']);
  t.not(r.code, 0);
  t.equal(r.code, 3, 'not found');
  t.match(r.stderr, /IST0101/);
  t.match(r.stderr, /v9/);
  t.equal(errorLines(r.stderr).length, 1, r.stderr);
  t.same(await resourceVersions(ns), before, 'resourceVersions unchanged');
  const same = await mesh(['canary', '20', 'tri', '-n', ns, '--stable', 'v1', '--canary', 'v1']);
  t.equal(same.code, 2, 'the same subset twice is a usage error');
  t.same(await resourceVersions(ns), before);
});

t.test('--dry-run=client prints the objects and writes nothing', async (t) => {
  const before = await resourceVersions(ns);
  const r = await mesh(['canary', '25', 'fresh', '-n', ns, '--dry-run=client']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /kind: DestinationRule[\s\S]*---\n[\s\S]*kind: VirtualService/, 'DR then VS as YAML');
  t.match(r.stdout, /weight: 75[\s\S]*weight: 25/);
  t.match(r.stderr, /nothing was written/);
  t.equal(await vsOf('fresh', ns), undefined);
  t.equal(await drOf('fresh', ns), undefined);
  // On an existing VirtualService, -o json prints the would-be object.
  const j = await mesh(['canary', '45', 'reviews', '-n', ns, '--dry-run=client', '-o', 'json']);
  t.equal(j.code, 0, j.stderr);
  t.same(weights(JSON.parse(j.stdout)), { v1: 55, v2: 45 });
  t.same(await resourceVersions(ns), before);
  t.same(weights(await vsOf('reviews', ns)), { v1: 70, v2: 30 }, 'live weights unchanged');
});

t.test('--dry-run=server has the API server validate and writes nothing', async (t) => {
  const before = await resourceVersions(ns);
  const r = await mesh(['canary', '25', 'fresh', '-n', ns, '--dry-run=server']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /destinationrule\/fresh created \(server dry run\)/);
  t.match(r.stdout, /virtualservice\/fresh created \(server dry run\)/);
  t.equal(await vsOf('fresh', ns), undefined);
  t.equal(await drOf('fresh', ns), undefined);
  const upd = await mesh(['canary', '45', 'reviews', '-n', ns, '--dry-run=server', '-o', 'json']);
  t.equal(upd.code, 0, upd.stderr);
  const shown = JSON.parse(upd.stdout);
  t.same(weights(shown), { v1: 55, v2: 45 }, "the server's answer is printed");
  t.ok(shown.metadata.uid, 'as returned by the server');
  t.same(await resourceVersions(ns), before);
});

t.test('--diff shows the change', async (t) => {
  const before = await resourceVersions(ns);
  const d = await mesh(['canary', '40', 'reviews', '-n', ns, '--diff', '--dry-run=client']);
  t.equal(d.code, 0, d.stderr);
  t.match(d.stdout, /^--- VirtualService .*\/reviews \(replace\)$/m);
  t.match(d.stdout, /^- +weight: 70$/m);
  t.match(d.stdout, /^\+ +weight: 60$/m);
  t.match(d.stdout, /^- +weight: 30$/m);
  t.match(d.stdout, /^\+ +weight: 40$/m);
  t.notMatch(d.stdout, /kubectl-mesh\.io\/history/, 'the history annotation is not part of the diff');
  t.same(await resourceVersions(ns), before, 'with --dry-run nothing is written');
  const w = await mesh(['canary', '40', 'reviews', '-n', ns, '--diff']);
  t.equal(w.code, 0, w.stderr);
  t.match(w.stdout, /^\+ +weight: 40$/m);
  t.same(weights(await vsOf('reviews', ns)), { v1: 60, v2: 40 }, 'without --dry-run the change is written');
});

t.test('-o json prints the written objects', async (t) => {
  const r = await mesh(['canary', '50', 'reviews', '-n', ns, '-o', 'json']);
  t.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  const live = await vsOf('reviews', ns);
  t.equal(out.kind, 'VirtualService', 'one object: not a List');
  t.equal(out.metadata.resourceVersion, live.metadata.resourceVersion, 'as stored');
  t.same(out.spec, live.spec);
  t.notOk(out.metadata.managedFields, 'no managedFields');
  // A first canary writes two objects: a List.
  const two = await mesh(['canary', '10', 'fresh', '-n', ns, '-o', 'json']);
  t.equal(two.code, 0, two.stderr);
  const list = JSON.parse(two.stdout);
  t.equal(list.kind, 'List');
  t.same(
    list.items.map((o: any) => o.kind),
    ['DestinationRule', 'VirtualService'],
  );
  t.equal(list.items[1].metadata.resourceVersion, (await vsOf('fresh', ns)).metadata.resourceVersion);
});

t.test('--scale-hpa scales HPA min/max in proportion to the weights; promote restores them', async (t) => {
  const r = await mesh(['canary', '20', 'reviews', '-n', ns, '--scale-hpa']);
  t.equal(r.code, 0, r.stderr);
  const v1 = await hpaOf('reviews-v1', ns);
  const v2 = await hpaOf('reviews-v2', ns);
  // Baseline 4..20: v1 at 80% → 4..16 (ceil), v2 at 20% → 1..4.
  t.same([v1.spec.minReplicas, v1.spec.maxReplicas], [4, 16]);
  t.same([v2.spec.minReplicas, v2.spec.maxReplicas], [1, 4]);
  t.same(JSON.parse(v1.metadata.annotations['kubectl-mesh.io/hpa-baseline']), { min: 4, max: 20 });
  t.same(
    v1.spec.metrics,
    [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
    'metrics untouched',
  );
  // A second step scales from the recorded baseline, not from the scaled values.
  t.equal((await mesh(['canary', '50', 'reviews', '-n', ns, '--scale-hpa'])).code, 0);
  t.same([(await hpaOf('reviews-v1', ns)).spec.minReplicas, (await hpaOf('reviews-v1', ns)).spec.maxReplicas], [2, 10]);
  t.same([(await hpaOf('reviews-v2', ns)).spec.minReplicas, (await hpaOf('reviews-v2', ns)).spec.maxReplicas], [2, 10]);
  t.equal((await mesh(['canary', '75', 'reviews', '-n', ns, '--scale-hpa'])).code, 0);
  t.same([(await hpaOf('reviews-v1', ns)).spec.minReplicas, (await hpaOf('reviews-v1', ns)).spec.maxReplicas], [1, 5]);
  t.same([(await hpaOf('reviews-v2', ns)).spec.minReplicas, (await hpaOf('reviews-v2', ns)).spec.maxReplicas], [3, 15]);
  const p = await mesh(['promote', 'reviews', '-n', ns]);
  t.equal(p.code, 0, p.stderr);
  for (const name of ['reviews-v1', 'reviews-v2']) {
    const h = await hpaOf(name, ns);
    t.same([h.spec.minReplicas, h.spec.maxReplicas], [4, 20], `${name} back to its baseline`);
    t.notOk(h.metadata.annotations?.['kubectl-mesh.io/hpa-baseline'], `${name}: baseline annotation removed`);
  }
  t.same(weights(await vsOf('reviews', ns)), { v2: 100 });
});
