// kubectl mesh status: the table, -o json|yaml, warnings (pods not Ready, hand edits = drift, weights
// not summing to 100), -A, and the readiness gate that keeps canary from sending traffic to no pods.
import t from 'tap';
import { parse } from 'yaml';
import {
  createApp,
  createNamespace,
  deleteNamespace,
  errorLines,
  kubectl,
  mesh,
  must,
  resourceVersions,
  scratchNamespace,
  setReady,
  vsOf,
  weights,
} from './support.js';

const ns = scratchNamespace('e2e-status');
const other = `${ns}-b`;

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  await createNamespace(other, { 'istio-injection': 'enabled' });
  await createApp(ns, 'reviews', ['v1', 'v2']);
  await createApp(ns, 'details', ['v1', 'v2'], { hpa: false, replicas: 1 });
  await createApp(other, 'cart', ['v1', 'v2']);
  await must(mesh(['canary', '20', 'reviews', '-n', ns]), 'canary');
  await must(mesh(['green', 'reviews', '-n', ns]), 'green');
});
t.teardown(async () => {
  await deleteNamespace(ns);
  await deleteNamespace(other);
});

t.test('table: one block per service with hosts, subsets, roles, traffic, pods, HPAs, environments', async (t) => {
  const r = await mesh(['status', '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  const blocks = r.stdout.trimEnd().split('\n\n');
  t.equal(blocks.length, 2, 'details and reviews');
  const [details, reviews] = blocks as [string, string];
  t.match(details, new RegExp(`^${ns}/details  no VirtualService`));
  t.match(details, /^ {2}v1 +░{20} +0% +1\/1 +-$/m, 'no HPA: -');
  const lines = reviews.split('\n');
  t.equal(lines[0], `${ns}/reviews  vs/reviews rev 3  hosts reviews.${ns}.svc.cluster.local  gateways mesh`);
  t.match(lines[1], /^ {2}SUBSET +ROLE +TRAFFIC +WEIGHT +READY +HPA$/);
  t.match(lines[2], /^ {2}v1 +stable +█{16}░{4} +80% +2\/2 +2\.\.10 \(now 2\)$/);
  t.match(lines[3], /^ {2}v2 +canary +█{4}░{16} +20% +2\/2 +2\.\.10 \(now 2\)$/);
  t.equal(lines[4], '  env green: x-env=green → v2');
  t.equal(lines.length, 5, 'no warnings');
  t.notMatch(r.stdout, /\u001b\[/, 'no colour when stdout is not a terminal');
});

t.test('-o json and -o yaml carry the same model', async (t) => {
  const j = await mesh(['status', '-n', ns, '-o', 'json']);
  t.equal(j.code, 0, j.stderr);
  const all = JSON.parse(j.stdout);
  t.ok(Array.isArray(all), 'a list for a namespace');
  t.same(
    all.map((s: any) => s.service),
    ['details', 'reviews'],
  );
  const one = JSON.parse((await mesh(['status', 'reviews', '-n', ns, '-o', 'json'])).stdout);
  t.equal(one.service, 'reviews', 'one object for one service');
  t.match(one, {
    namespace: ns,
    virtualService: 'reviews',
    destinationRule: 'reviews',
    hosts: [`reviews.${ns}.svc.cluster.local`],
    gateways: ['mesh'],
    roles: { stable: 'v1', canary: 'v2' },
    revision: 3,
    otherRoutes: 0,
    warnings: [],
    environments: [{ name: 'green', subset: 'v2' }],
  });
  t.same(
    one.subsets.map((s: any) => [s.subset, s.weight, s.ready, s.total, s.deployment, s.hpa.min, s.hpa.max]),
    [
      ['v1', 80, 2, 2, 'reviews-v1', 2, 10],
      ['v2', 20, 2, 2, 'reviews-v2', 2, 10],
    ],
  );
  const y = await mesh(['status', 'reviews', '-n', ns, '-o', 'yaml']);
  t.equal(y.code, 0, y.stderr);
  t.same(parse(y.stdout), one, 'yaml = json');
});

t.test('pods that are not Ready: status warns and canary refuses to send them traffic', async (t) => {
  await setReady(ns, 'app=reviews,version=v2', false);
  t.teardown(() => setReady(ns, 'app=reviews,version=v2', true).then(() => undefined));
  const st = JSON.parse((await mesh(['status', 'reviews', '-n', ns, '-o', 'json'])).stdout);
  t.same(st.subsets.find((s: any) => s.subset === 'v2').ready, 0);
  t.match(st.warnings, [/subset v2 receives traffic but has no Ready pods \(2 pods\)/]);
  const table = await mesh(['status', 'reviews', '-n', ns]);
  t.match(table.stdout, /^ {2}v2 +canary .* 0\/2 /m);
  t.match(table.stdout, /^ {2}! subset v2 receives traffic but has no Ready pods/m);

  const before = await resourceVersions(ns);
  const c = await mesh(['canary', '50', 'reviews', '-n', ns]);
  t.equal(c.code, 4, c.stderr);
  t.match(c.stderr, /v2 \(0\/2 pods Ready\).*no Ready pods.*--force/);
  t.equal(errorLines(c.stderr).length, 1);
  t.same(await resourceVersions(ns), before, 'nothing written');
  // Taking traffic away from the broken subset is always allowed, and --force overrides the gate.
  const down = await mesh(['canary', '10', 'reviews', '-n', ns]);
  t.equal(down.code, 0, `less traffic to v2 is fine: ${down.stderr}`);
  const forced = await mesh(['canary', '20', 'reviews', '-n', ns, '--force']);
  t.equal(forced.code, 0, forced.stderr);
  t.same(weights(await vsOf('reviews', ns)), { v1: 80, v2: 20 });
});

t.test('a hand edit of our routes shows as drift; weights that do not sum to 100 read as relative shares', async (t) => {
  const r = await kubectl([
    'patch',
    'virtualservice',
    'reviews',
    '-n',
    ns,
    '--type=json',
    '-p',
    JSON.stringify([{ op: 'replace', path: '/spec/http/1/route/0/weight', value: 70 }]),
  ]);
  t.equal(r.code, 0, r.stderr);
  const st = JSON.parse((await mesh(['status', 'reviews', '-n', ns, '-o', 'json'])).stdout);
  t.notMatch(st.warnings.join('\n'), /weights of the primary route/, '70/20 is valid for Istio: relative weights');
  t.same(
    st.subsets.map((x: { weight: number }) => x.weight).sort((a: number, b: number) => a - b),
    [22.22, 77.78],
    'shown as shares of 90',
  );
  t.match(st.warnings.join('\n'), /edited since kubectl-mesh last wrote them \(drift\)/);
  const table = await mesh(['status', '-n', ns]);
  t.match(table.stdout, /! .*drift/);
  // The next change rewrites the weights to sum to 100, and the drift warning goes.
  t.equal((await mesh(['canary', '30', 'reviews', '-n', ns])).code, 0);
  t.same(weights(await vsOf('reviews', ns)), { v1: 70, v2: 30 });
  t.same(JSON.parse((await mesh(['status', 'reviews', '-n', ns, '-o', 'json'])).stdout).warnings, []);
});

t.test('a foreign catch-all in front of our routes is flagged', async (t) => {
  const vs = await vsOf('reviews', ns);
  vs.spec.http.unshift({ name: 'everything', route: [{ destination: { host: `reviews.${ns}.svc.cluster.local`, subset: 'v1' } }] });
  await must(kubectl(['replace', '-f', '-'], { input: JSON.stringify(vs) }), 'replace');
  t.teardown(async () => {
    const v = await vsOf('reviews', ns);
    v.spec.http = v.spec.http.filter((r: any) => r.name !== 'everything');
    await must(kubectl(['replace', '-f', '-'], { input: JSON.stringify(v) }), 'replace');
  });
  const st = JSON.parse((await mesh(['status', 'reviews', '-n', ns, '-o', 'json'])).stdout);
  t.equal(st.otherRoutes, 1);
  t.match(st.warnings.join('\n'), /route "everything" \(http\[0\], not ours\) takes every request/);
});

t.test('-A lists every namespace', async (t) => {
  const r = await mesh(['status', '-A', '-o', 'json']);
  t.equal(r.code, 0, r.stderr);
  const seen = JSON.parse(r.stdout).map((s: any) => `${s.namespace}/${s.service}`);
  for (const s of [`${ns}/reviews`, `${ns}/details`, `${other}/cart`]) t.ok(seen.includes(s), s);
  const table = await mesh(['status', '-A']);
  t.match(table.stdout, new RegExp(`^${other}/cart `, 'm'));
  t.match(table.stdout, new RegExp(`^${ns}/reviews `, 'm'));
  const bad = await mesh(['status', 'reviews', '-A']);
  t.equal(bad.code, 2, 'SERVICE and -A do not go together');
  t.equal(errorLines(bad.stderr).length, 1);
});

t.test('an empty namespace says so', async (t) => {
  const empty = `${ns}-empty`;
  await createNamespace(empty);
  t.teardown(() => deleteNamespace(empty));
  const r = await mesh(['status', '-n', empty]);
  t.equal(r.code, 0, r.stderr);
  t.equal(r.stdout, 'No services with versions or routing found.\n');
  t.same(JSON.parse((await mesh(['status', '-n', empty, '-o', 'json'])).stdout), []);
});
