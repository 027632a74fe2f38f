// kubectl mesh green / env: header routes above the weighted catch-all (first match wins), several named
// environments side by side, match types, --delete, and header input that is refused before any write.
import t from 'tap';
import {
  createApp,
  createNamespace,
  deleteNamespace,
  drOf,
  errorLines,
  mesh,
  resourceVersions,
  scratchNamespace,
  vsOf,
  weights,
} from './support.js';

const ns = scratchNamespace('e2e-env');
const names = (vs: any) => vs.spec.http.map((r: any) => r.name ?? '(unnamed)');
const route = (vs: any, name: string) => vs.spec.http.find((r: any) => r.name === name);

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  await createApp(ns, 'reviews', ['v1', 'v2']);
  await createApp(ns, 'tri', ['v1', 'v2', 'v3']);
});
t.teardown(() => deleteNamespace(ns));

t.test('green on a service without routing: header route first, then a catch-all to stable', async (t) => {
  const r = await mesh(['green', 'reviews', '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  const vs = await vsOf('reviews', ns);
  t.same(names(vs), ['mesh-env-green', 'mesh-primary']);
  t.same(route(vs, 'mesh-env-green').match, [{ headers: { 'x-env': { exact: 'green' } } }], 'default header x-env=green');
  t.same(
    route(vs, 'mesh-env-green').route,
    [{ destination: { host: `reviews.${ns}.svc.cluster.local`, subset: 'v2' } }],
    'to the newer version',
  );
  t.same(weights(vs), { v1: 100 }, 'everyone else to the older version');
  t.same((await drOf('reviews', ns)).spec.subsets.map((s: any) => s.name).sort(), ['v1', 'v2']);
});

t.test('green with another header replaces the route in place', async (t) => {
  const r = await mesh(['green', 'reviews', '-n', ns, '--header', 'X-Release=Green']);
  t.equal(r.code, 0, r.stderr);
  const vs = await vsOf('reviews', ns);
  t.same(names(vs), ['mesh-env-green', 'mesh-primary'], 'still one green route');
  t.same(route(vs, 'mesh-env-green').match, [{ headers: { 'x-release': { exact: 'Green' } } }], 'name lowercased, value kept');
});

t.test('several environments, each above the weighted catch-all', async (t) => {
  t.equal((await mesh(['canary', '10', 'tri', '-n', ns, '--stable', 'v1', '--canary', 'v2'])).code, 0);
  const uat = await mesh(['env', 'uat', 'tri', '-n', ns, '--header', 'x-env=uat', '--subset', 'v3']);
  t.equal(uat.code, 0, uat.stderr);
  const dev = await mesh(['env', 'dev', 'tri', '-n', ns, '--header', 'x-env=dev', '--header', 'x-team=payments', '--subset', 'v2']);
  t.equal(dev.code, 0, dev.stderr);
  const vs = await vsOf('tri', ns);
  t.same(names(vs), ['mesh-env-uat', 'mesh-env-dev', 'mesh-primary'], 'catch-all last');
  t.same(route(vs, 'mesh-env-uat').route[0].destination.subset, 'v3');
  t.same(
    route(vs, 'mesh-env-dev').match,
    [{ headers: { 'x-env': { exact: 'dev' }, 'x-team': { exact: 'payments' } } }],
    'all headers in one match: AND',
  );
  t.same(weights(vs), { v1: 90, v2: 10 }, 'the weights are untouched');
  t.ok(
    (await drOf('tri', ns)).spec.subsets.some((s: any) => s.name === 'v3'),
    'v3 subset added for uat',
  );
  const status = JSON.parse((await mesh(['status', 'tri', '-n', ns, '-o', 'json'])).stdout);
  t.same(
    status.environments.map((e: any) => [e.name, e.subset]),
    [
      ['uat', 'v3'],
      ['dev', 'v2'],
    ],
  );
});

t.test('--match regex and prefix; exact values are literal', async (t) => {
  const beta = await mesh(['env', 'beta', 'tri', '-n', ns, '--header', 'user-agent=.*Beta.*', '--match', 'regex', '--subset', 'v3']);
  t.equal(beta.code, 0, beta.stderr);
  const canary = await mesh(['env', 'cohort', 'tri', '-n', ns, '--header', 'x-user=team-', '--match', 'prefix', '--subset', 'v2']);
  t.equal(canary.code, 0, canary.stderr);
  const dots = await mesh(['env', 'dots', 'tri', '-n', ns, '--header', 'x-ver=1.2.*', '--subset', 'v2']);
  t.equal(dots.code, 0, dots.stderr);
  const vs = await vsOf('tri', ns);
  t.same(route(vs, 'mesh-env-beta').match, [{ headers: { 'user-agent': { regex: '.*Beta.*' } } }]);
  t.same(route(vs, 'mesh-env-cohort').match, [{ headers: { 'x-user': { prefix: 'team-' } } }]);
  t.same(route(vs, 'mesh-env-dots').match, [{ headers: { 'x-ver': { exact: '1.2.*' } } }], 'not turned into a regex');
  t.equal(names(vs).at(-1), 'mesh-primary', 'catch-all still last');
});

t.test('env --delete removes that environment only', async (t) => {
  const r = await mesh(['env', 'uat', 'tri', '-n', ns, '--delete']);
  t.equal(r.code, 0, r.stderr);
  const vs = await vsOf('tri', ns);
  t.same(names(vs), ['mesh-env-dev', 'mesh-env-beta', 'mesh-env-cohort', 'mesh-env-dots', 'mesh-primary']);
  const g = await mesh(['green', 'reviews', '-n', ns, '--delete']);
  t.equal(g.code, 0, g.stderr);
  t.same(names(await vsOf('reviews', ns)), ['mesh-primary']);
  const before = await resourceVersions(ns);
  const again = await mesh(['env', 'uat', 'tri', '-n', ns, '--delete']);
  t.equal(again.code, 3, 'deleting an environment that is not there: not found');
  t.equal(errorLines(again.stderr).length, 1, again.stderr);
  t.match(again.stderr, /environment "uat" has no route/);
  t.same(await resourceVersions(ns), before, 'nothing written');
});

t.test('bad headers and environment names: exit 2, one error line, nothing written', async (t) => {
  const before = await resourceVersions(ns);
  const cases: [string[], RegExp][] = [
    [['green', 'reviews', '--header', 'x-env'], /not name=value/],
    [['green', 'reviews', '--header', '=green'], /not name=value/],
    [['green', 'reviews', '--header', 'x env=green'], /not an HTTP token/],
    [['green', 'reviews', '--header', 'x-env='], /empty value/],
    [['green', 'reviews', '--header', 'x-env=[a', '--match', 'regex'], /invalid regex/],
    [['green', 'reviews', '--header', 'x-env=(?=a)b', '--match', 'regex'], /lookaround/],
    [['green', 'reviews', '--header', 'x-env=a', '--match', 'glob'], /invalid value "glob" for --match/],
    [['env', 'UAT', 'tri', '--header', 'x-env=uat'], /environment name "UAT" is invalid/],
    [['env', 'uat', 'tri'], /missing --header/],
  ];
  for (const [args, message] of cases) {
    const r = await mesh([...args, '-n', ns]);
    t.equal(r.code, 2, `${args.join(' ')}: exit 2`);
    t.same(errorLines(r.stderr).length, 1, `${args.join(' ')}: one error line`);
    t.match(r.stderr, message, args.join(' '));
  }
  t.same(await resourceVersions(ns), before, 'nothing written');
});
