// Environments across services (kubectl mesh env NAME without SERVICE): one header route per service
// that has a version for the environment, all or nothing; env list / NAME / --delete / prune / --ttl;
// the refusal that writes nothing, the part-way failure that restores, the RBAC-limited user, -A, and
// offline -f DIR. Each test file namespace is its own (see scratchNamespace).
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import {
  applyObjects,
  createApp,
  createNamespace,
  deleteNamespace,
  errorLines,
  historyOf,
  kubectl,
  mesh,
  resourceVersions,
  scratchNamespace,
  setReady,
  vsOf,
} from './support.js';

const ns = scratchNamespace('e2e-envs');
const restoreNs = `${ns}-r`;
const userNs = `${ns}-u`;
const wide = `wide-${process.pid.toString(36)}`;
const app = (name: string, versions: string[]) => createApp(ns, name, versions, { replicas: 1, hpa: false });
const routeOf = (vs: any, env: string) => (vs?.spec?.http ?? []).find((r: any) => r.name === `mesh-env-${env}`);
const subsetOf = async (svc: string, env: string, where = ns) => routeOf(await vsOf(svc, where), env)?.route?.[0]?.destination?.subset;
const list = async (args: string[]) => {
  const r = await mesh(['env', 'list', ...args, '-o', 'json']);
  if (r.code !== 0) throw new Error(`env list failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as any[];
};
const userRoute = {
  name: 'user-api',
  match: [{ uri: { prefix: '/api' } }],
  route: [{ destination: { host: 's3' } }],
  retries: { attempts: 3, perTryTimeout: '2s' },
};

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  // Five services: three with a uat version, two with a dev version (s1 has both), s5 with neither.
  // v1 older than dev: the baseline of a new service is its oldest other version, refused when two are as old.
  await createApp(ns, 's1', ['v1', 'uat', 'dev'], { replicas: 1, hpa: false, apart: true });
  await app('s2', ['v1', 'uat']);
  await app('s3', ['v1', 'uat']);
  await app('s4', ['v1', 'dev']);
  await app('s5', ['v1']);
  // s3 already has a VirtualService of the user's: its route must survive byte-for-byte.
  await applyObjects([
    {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 's3', namespace: ns },
      spec: { hosts: ['s3'], http: [userRoute, { name: 'default', route: [{ destination: { host: 's3' } }] }] },
    },
  ]);
});
t.teardown(async () => {
  for (const n of [ns, restoreNs, userNs]) await deleteNamespace(n);
});

t.test('env uat with no SERVICE: a header route on every service with a uat version, no other service touched', async (t) => {
  const r = await mesh(['env', 'uat', '-n', ns, '--header', 'x-env=uat']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /env uat: 3 services changed, 0 unchanged/);
  for (const s of ['s1', 's2', 's3']) t.equal(await subsetOf(s, 'uat'), 'uat', `${s} routes x-env=uat to uat`);
  t.same(routeOf(await vsOf('s1', ns), 'uat').match, [{ headers: { 'x-env': { exact: 'uat' } } }]);
  t.equal(await vsOf('s4', ns), undefined, 's4 has no uat version: nothing written');
  t.equal(await vsOf('s5', ns), undefined, 's5 neither');
  const s3 = await vsOf('s3', ns);
  t.same(
    s3.spec.http.map((h: any) => h.name),
    ['user-api', 'mesh-env-uat', 'default'],
    "above the user's catch-all, below the user's own route",
  );
  t.same(s3.spec.http[0], userRoute, "the user's route byte-for-byte");
  const meta = JSON.parse((await vsOf('s1', ns)).metadata.annotations['kubectl-mesh.io/environments']);
  t.equal(meta.uat.createdBy, historyOf(await vsOf('s1', ns)).at(-1).user, 'who created it, on the VirtualService');
});

t.test('env dev, then env list: the matrix, and who falls back to the baseline', async (t) => {
  const r = await mesh(['env', 'dev', '-n', ns, '--header', 'x-env=dev']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /env dev: 2 services changed/);
  const envs = await list(['-n', ns]);
  t.same(
    envs.map((e) => e.name),
    ['dev', 'uat'],
  );
  const [dev, uat] = envs;
  t.same(
    uat.services.map((s: any) => [s.service, s.subset, s.headers, `${s.ready}/${s.pods}`]),
    [
      ['s1', 'uat', 'x-env=uat', '1/1'],
      ['s2', 'uat', 'x-env=uat', '1/1'],
      ['s3', 'uat', 'x-env=uat', '1/1'],
    ],
  );
  t.same(uat.baseline, [`${ns}/s4`, `${ns}/s5`]);
  t.same(
    dev.services.map((s: any) => s.service),
    ['s1', 's4'],
  );
  t.same(dev.baseline, [`${ns}/s2`, `${ns}/s3`, `${ns}/s5`]);
  t.match(uat, { createdBy: /\S/, createdAt: /^\d{4}-/, expired: false });
  const table = await mesh(['env', 'list', '-n', ns]);
  t.equal(table.code, 0, table.stderr);
  t.match(table.stdout, /^ENVIRONMENT\s+SERVICE\s+HEADER\s+SUBSET\s+READY\s+AGE\s+CREATED BY\s+EXPIRES$/m);
  t.match(table.stdout, new RegExp(`^uat\\s+${ns}/s2\\s+x-env=uat\\s+uat\\s+1/1\\s`, 'm'));
  t.match(table.stdout, new RegExp(`^dev: baseline for ${ns}/s2, ${ns}/s3, ${ns}/s5$`, 'm'));
  const one = await mesh(['env', 'uat', '-n', ns, '-o', 'json']);
  t.equal(one.code, 0, one.stderr);
  t.equal(JSON.parse(one.stdout).name, 'uat', 'env NAME alone shows that environment');
  const shown = await mesh(['env', 'uat', '-n', ns]);
  t.notMatch(shown.stdout, /^dev /m, 'and only it');
});

t.test('a fourth service gains a uat version: the same command picks it up, the rest stay unchanged', async (t) => {
  await app('s4', ['uat']);
  const r = await mesh(['env', 'uat', '-n', ns, '--header', 'x-env=uat']);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /env uat: 1 service changed, 3 unchanged/);
  t.match(r.stdout, /s1: env uat: x-env=uat → uat \(unchanged\)/);
  t.equal(await subsetOf('s4', 'uat'), 'uat');
  t.equal(await subsetOf('s4', 'dev'), 'dev', 'dev on s4 stays');
  const before = await resourceVersions(ns);
  const again = await mesh(['env', 'uat', '-n', ns, '--header', 'x-env=uat']);
  t.equal(again.code, 0, again.stderr);
  t.equal(again.stdout.match(/\(unchanged\)/g)?.length, 4, 'all four unchanged');
  t.same(await resourceVersions(ns), before, 'nothing written');
});

t.test('all or nothing: a uat version without Ready pods refuses the whole environment', async (t) => {
  await app('s5', ['uat']);
  await setReady(ns, 'app=s5,version=uat', false);
  const before = await resourceVersions(ns);
  const r = await mesh(['env', 'uat', '-n', ns, '--header', 'x-env=uat2']);
  t.equal(r.code, 4, r.stderr);
  t.equal(errorLines(r.stderr).length, 1, r.stderr);
  t.match(r.stderr, new RegExp(`env uat: 1 of 5 services refused, so nothing was written: ${ns}/s5: subset uat \\(0/1 pods Ready\\)`));
  t.same(await resourceVersions(ns), before, 'not one service changed, though four were fine');
  t.equal(await subsetOf('s5', 'uat'), undefined);
  t.same(routeOf(await vsOf('s1', ns), 'uat').match, [{ headers: { 'x-env': { exact: 'uat' } } }], 'the old header everywhere');
  const some = await mesh(['env', 'uat', '-n', ns, '--header', 'x-env=uat', '--services', 's1,s2']);
  t.equal(some.code, 0, `--services leaves s5 out: ${some.stderr}`);
});

t.test('bad input: one line, the right exit code, nothing written', async (t) => {
  const before = await resourceVersions(ns);
  const cases: [string[], number, RegExp][] = [
    [['env', 'UAT', '--header', 'x-env=uat'], 2, /environment name "UAT" is invalid/],
    [['env', 'uat', '--header', 'x-env'], 2, /header "x-env" is not name=value/],
    [['env', 'uat', '--header', 'x-env=uat', '--ttl', 'soon'], 2, /--ttl "soon" is not a duration/],
    [
      ['env', 'qa', '--header', 'x-env=qa'],
      3,
      /no service in namespace \S+ has a Deployment with version=qa \(versions there: dev, uat, v1/,
    ],
    [
      ['env', 'qa', '--version', 'uat', '--header', 'x-env=uat', '--services', 's1'],
      5,
      /header x-env=uat is already used by environment "uat" on \S+\/s1/,
    ],
    [['env', 'uat', '--header', 'x-env=uat', '--services', 'nope'], 3, /service nope not found/],
  ];
  for (const [args, code, message] of cases) {
    const r = await mesh([...args, '-n', ns]);
    t.equal(r.code, code, `${args.join(' ')}: exit ${code} (${r.stderr.trim()})`);
    t.equal(errorLines(r.stderr).length, 1, `${args.join(' ')}: one error line`);
    t.match(r.stderr, message, args.join(' '));
  }
  t.same(await resourceVersions(ns), before, 'nothing written');
});

t.test('env dev --delete: gone from every service it touched; every other route as it was', async (t) => {
  const s1 = await vsOf('s1', ns);
  const s3 = await vsOf('s3', ns);
  const r = await mesh(['env', 'dev', '--delete', '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, /env dev --delete: 2 services changed/);
  const after = await vsOf('s1', ns);
  t.same(
    after.spec.http,
    s1.spec.http.filter((h: any) => h.name !== 'mesh-env-dev'),
    's1: only the dev route went',
  );
  t.notOk(JSON.parse(after.metadata.annotations['kubectl-mesh.io/environments']).dev, 'and its metadata');
  t.equal(await subsetOf('s4', 'dev'), undefined);
  t.equal(await subsetOf('s4', 'uat'), 'uat');
  t.equal((await vsOf('s3', ns)).metadata.resourceVersion, s3.metadata.resourceVersion, 's3 (no dev) untouched');
  const again = await mesh(['env', 'dev', '--delete', '-n', ns]);
  t.equal(again.code, 3, 'not there any more: not found');
  t.match(again.stderr, /environment "dev" has no route in namespace/);
});

t.test('preview environments: --ttl records an expiry, env list shows it expired, env prune removes it', async (t) => {
  await app('s2', ['pr-7']);
  const r = await mesh(['env', 'pr-7', '-n', ns, '--header', 'x-env=pr-7', '--ttl', '12s']);
  t.equal(r.code, 0, r.stderr);
  t.equal(await subsetOf('s2', 'pr-7'), 'pr-7');
  const fresh = (await list(['-n', ns])).find((e) => e.name === 'pr-7');
  t.match(fresh, { expired: false, expires: /^\d{4}-/ });
  const nothing = await mesh(['env', 'prune', '-n', ns]);
  t.equal(nothing.code, 0, nothing.stderr);
  t.match(nothing.stdout, /no expired environments/, 'not yet expired: nothing pruned');
  const deadline = Date.now() + 40_000;
  while (!(await list(['-n', ns])).find((e) => e.name === 'pr-7')?.expired && Date.now() < deadline)
    await new Promise((res) => setTimeout(res, 500));
  const table = await mesh(['env', 'list', '-n', ns]);
  t.match(table.stdout, /^pr-7\s.*expired \d+s ago$/m, 'env list shows it expired');
  const pruned = await mesh(['env', 'prune', '-n', ns]);
  t.equal(pruned.code, 0, pruned.stderr);
  t.match(pruned.stderr, /expired: pr-7/);
  t.equal(await subsetOf('s2', 'pr-7'), undefined, 'pruned');
  t.equal(await subsetOf('s2', 'uat'), 'uat', 'uat stays');
  const before = await resourceVersions(ns);
  const idle = await mesh(['env', 'prune', '-n', ns]);
  t.equal(idle.code, 0);
  t.match(idle.stdout, /no expired environments/);
  t.same(await resourceVersions(ns), before, 'writes nothing when nothing expired');
});

t.test('a write failing part-way: the services already changed are restored, and the error says so', async (t) => {
  await createNamespace(restoreNs, { 'istio-injection': 'enabled' });
  for (const s of ['a', 'b', 'c']) await createApp(restoreNs, s, ['v1', 'uat'], { replicas: 1, hpa: false });
  t.equal((await mesh(['env', 'uat', '-n', restoreNs, '--header', 'x-env=uat'])).code, 0);
  // A user who may read everything but update only the VirtualServices of a and b: the third write fails.
  const read = ['get', 'list', 'watch'];
  await applyObjects([
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'env-limited', namespace: restoreNs },
      rules: [
        { apiGroups: ['networking.istio.io'], resources: ['virtualservices', 'destinationrules'], verbs: read },
        { apiGroups: ['networking.istio.io'], resources: ['virtualservices'], verbs: ['update'], resourceNames: ['a', 'b'] },
        { apiGroups: [''], resources: ['services', 'pods'], verbs: read },
        { apiGroups: ['apps'], resources: ['deployments'], verbs: read },
        { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: read },
      ],
    },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'env-limited', namespace: restoreNs },
      subjects: [{ kind: 'User', name: 'env-limited', apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'env-limited' },
    },
  ]);
  const before = await Promise.all(['a', 'b', 'c'].map((s) => vsOf(s, restoreNs)));
  const r = await mesh(['env', 'uat', '-n', restoreNs, '--header', 'x-env=stage', '--as', 'env-limited']);
  t.equal(r.code, 6, r.stderr);
  t.equal(errorLines(r.stderr).length, 1, r.stderr);
  t.match(r.stderr, /"c" is forbidden: User "env-limited" cannot update resource "virtualservices"/);
  t.match(r.stderr, new RegExp(`restored ${restoreNs}/b, ${restoreNs}/a to their previous routing; nothing of this change is left`));
  const after = await Promise.all(['a', 'b', 'c'].map((s) => vsOf(s, restoreNs)));
  t.same(
    after.map((v) => v.spec),
    before.map((v) => v.spec),
    'every service routes as before',
  );
  t.same(
    after.map((v) => v.metadata.annotations),
    before.map((v) => v.metadata.annotations),
    'history and metadata as before',
  );
  t.not(after[0].metadata.resourceVersion, before[0].metadata.resourceVersion, 'a was written, then put back');
});

t.test('the RBAC-limited mesh-user: where the role is bound it works; -A and other namespaces are refused', async (t) => {
  await createNamespace(userNs, { 'istio-injection': 'enabled' });
  for (const s of ['a', 'b']) await createApp(userNs, s, ['v1', 'uat'], { replicas: 1, hpa: false });
  await applyObjects([
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'kubectl-mesh-mesh-user', namespace: userNs },
      subjects: [{ kind: 'User', name: 'mesh-user', apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'kubectl-mesh' },
    },
  ]);
  const asUser = ['--context', 'mesh-user'];
  const r = await mesh(['env', 'uat', '-n', userNs, '--header', 'x-env=uat', '--ttl', '8h', ...asUser]);
  t.equal(r.code, 0, r.stderr);
  t.equal(historyOf(await vsOf('a', userNs)).at(-1).user, 'mesh-user');
  const envs = await mesh(['env', 'list', '-n', userNs, '-o', 'json', ...asUser]);
  t.equal(envs.code, 0, envs.stderr);
  t.match(JSON.parse(envs.stdout)[0], { name: 'uat', createdBy: 'mesh-user', expires: /\S/ });
  const before = await resourceVersions(ns);
  for (const args of [
    ['env', 'list', '-A'],
    ['env', 'uat', '-n', ns, '--header', 'x-env=uat'],
    ['env', 'uat', '--delete', '-n', ns],
  ]) {
    const x = await mesh([...args, ...asUser]);
    t.equal(x.code, 6, `${args.join(' ')}: forbidden (${x.stderr.trim()})`);
    t.equal(errorLines(x.stderr).length, 1);
  }
  t.same(await resourceVersions(ns), before, 'nothing written where mesh-user is not bound');
  t.equal((await mesh(['env', 'uat', '--delete', '-n', userNs, ...asUser])).code, 0);
});

t.test('-A: one environment across namespaces, listed and deleted across them', async (t) => {
  await app('s3', [wide]);
  await createApp(restoreNs, 'b', [wide], { replicas: 1, hpa: false });
  const r = await mesh(['env', wide, '-A', '--header', `x-env=${wide}`]);
  t.equal(r.code, 0, r.stderr);
  t.match(r.stdout, new RegExp(`env ${wide}: 2 services changed`));
  t.equal(await subsetOf('s3', wide), wide);
  t.equal(await subsetOf('b', wide, restoreNs), wide);
  const found = (await list(['-A'])).find((e) => e.name === wide);
  t.same(found.services.map((s: any) => `${s.namespace}/${s.service}`).sort(), [`${ns}/s3`, `${restoreNs}/b`].sort());
  const del = await mesh(['env', wide, '--delete', '-A']);
  t.equal(del.code, 0, del.stderr);
  t.equal(await subsetOf('s3', wide), undefined);
  t.equal(await subsetOf('b', wide, restoreNs), undefined);
  t.equal(await subsetOf('s3', 'uat'), 'uat', 'other environments stay');
});

t.test('offline -f DIR: the environment written into the files, listed from them, no cluster needed', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-e2e-envs-'));
  const home = mkdtempSync(path.join(os.tmpdir(), 'mesh-e2e-envs-home-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(home, { recursive: true, force: true });
  });
  const offline = 'offline-shop';
  for (const [name, versions] of [
    ['a', ['v1', 'uat']],
    ['b', ['v1', 'uat']],
    ['c', ['v1']],
  ] as [string, string[]][]) {
    const docs = [
      {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name, namespace: offline },
        spec: { selector: { app: name }, ports: [{ port: 80 }] },
      },
      ...versions.map((v, i) => ({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `${name}-${v}`, namespace: offline, creationTimestamp: `2026-01-0${i + 1}T00:00:00Z` },
        spec: {
          selector: { matchLabels: { app: name, version: v } },
          template: { metadata: { labels: { app: name, version: v } }, spec: { containers: [{ name, image: 'x' }] } },
        },
      })),
    ];
    writeFileSync(path.join(dir, `${name}.yaml`), `# ${name}: kept as written\n${docs.map((d) => JSON.stringify(d)).join('\n---\n')}\n`);
  }
  const noCluster = { env: { KUBECONFIG: path.join(home, 'no-such-kubeconfig'), HOME: home } };
  const printed = await mesh(['env', 'uat', '-f', dir, '--header', 'x-env=uat'], noCluster);
  t.equal(printed.code, 0, printed.stderr);
  t.same(
    parseAllDocuments(printed.stdout)
      .map((d) => d.toJS())
      .map((o: any) => `${o.kind}/${o.metadata.name}`),
    ['DestinationRule/a', 'VirtualService/a', 'DestinationRule/b', 'VirtualService/b'],
  );
  t.match(printed.stderr, /offline: printed, nothing written/);
  const r = await mesh(['env', 'uat', '-f', dir, '--header', 'x-env=uat', '--in-place'], noCluster);
  t.equal(r.code, 0, r.stderr);
  t.match(readFileSync(path.join(dir, 'a.yaml'), 'utf8'), /^# a: kept as written\n/);
  t.match(readFileSync(path.join(dir, 'a.yaml'), 'utf8'), /name: mesh-env-uat/);
  t.notMatch(readFileSync(path.join(dir, 'c.yaml'), 'utf8'), /VirtualService/, 'c has no uat version');
  t.same(readdirSync(dir).sort(), ['a.yaml', 'b.yaml', 'c.yaml']);
  const envs = await mesh(['env', 'list', '-f', dir, '-o', 'json'], noCluster);
  t.equal(envs.code, 0, envs.stderr);
  t.same(
    JSON.parse(envs.stdout).map((e: any) => [e.name, e.services.map((s: any) => s.service), e.baseline]),
    [['uat', ['a', 'b'], [`${offline}/c`]]],
  );
  const del = await mesh(['env', 'uat', '--delete', '-f', dir, '--in-place'], noCluster);
  t.equal(del.code, 0, del.stderr);
  const vsB = parseAllDocuments(readFileSync(path.join(dir, 'b.yaml'), 'utf8'))
    .map((d) => d.toJS())
    .find((o: any) => o?.kind === 'VirtualService');
  t.same(
    vsB.spec.http.map((h: any) => h.name),
    ['mesh-primary'],
    'the route is gone from the file',
  );
  const none = await kubectl(['get', 'namespace', offline]);
  t.not(none.code, 0, 'the cluster never heard of it');
});
