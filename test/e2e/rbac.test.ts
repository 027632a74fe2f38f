// Least privilege: the mesh-user context (ClusterRole kubectl-mesh, bound per namespace) can release where
// it is bound and nowhere else; refusals are one `error:` line with exit code 6 (ExitCode.forbidden) and
// nothing written. --as/--as-group impersonation reaches the API server.
import t from 'tap';
import {
  applyObjects,
  createApp,
  createNamespace,
  deleteNamespace,
  errorLines,
  mesh,
  resourceVersions,
  scratchNamespace,
  vsOf,
  weights,
} from './support.js';

const FORBIDDEN = 6;
const bound = scratchNamespace('e2e-rbac');
const unbound = `${bound}-x`;
const readonly = `${bound}-ro`;
const asMeshUser = ['--context', 'mesh-user'];

const binding = (ns: string, role: { kind: string; name: string }) => ({
  apiVersion: 'rbac.authorization.k8s.io/v1',
  kind: 'RoleBinding',
  metadata: { name: 'kubectl-mesh-mesh-user', namespace: ns },
  subjects: [{ kind: 'User', name: 'mesh-user', apiGroup: 'rbac.authorization.k8s.io' }],
  roleRef: { apiGroup: 'rbac.authorization.k8s.io', ...role },
});

t.before(async () => {
  for (const ns of [bound, unbound, readonly]) {
    await createNamespace(ns, { 'istio-injection': 'enabled' });
    await createApp(ns, 'reviews', ['v1', 'v2']);
  }
  // bound: the role from manifests/rbac.yaml, as in shop. readonly: may read what kubectl mesh reads, write
  // nothing (a Role of our own: the built-in "view" is aggregated by a controller this cluster does not run).
  const read = ['get', 'list', 'watch'];
  await applyObjects([
    binding(bound, { kind: 'ClusterRole', name: 'kubectl-mesh' }),
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'mesh-read', namespace: readonly },
      rules: [
        { apiGroups: ['networking.istio.io'], resources: ['virtualservices', 'destinationrules'], verbs: read },
        { apiGroups: [''], resources: ['services', 'pods'], verbs: read },
        { apiGroups: ['apps'], resources: ['deployments'], verbs: read },
        { apiGroups: ['autoscaling'], resources: ['horizontalpodautoscalers'], verbs: read },
      ],
    },
    binding(readonly, { kind: 'Role', name: 'mesh-read' }),
  ]);
});
t.teardown(async () => {
  for (const ns of [bound, unbound, readonly]) await deleteNamespace(ns);
});

t.test('mesh-user reads shop and may write there (server dry run: shop is left as it is)', async (t) => {
  const s = await mesh(['status', '-n', 'shop', ...asMeshUser]);
  t.equal(s.code, 0, s.stderr);
  t.match(s.stdout, /^shop\/reviews /m);
  const before = await resourceVersions('shop');
  const d = await mesh(['canary', '20', 'reviews', '-n', 'shop', '--dry-run=server', ...asMeshUser]);
  t.equal(d.code, 0, d.stderr);
  t.match(d.stdout, /virtualservice\/reviews (created|configured) \(server dry run\)/);
  t.same(await resourceVersions('shop'), before);
});

t.test('mesh-user releases in a namespace where the role is bound', async (t) => {
  const r = await mesh(['canary', '20', 'reviews', '-n', bound, '--scale-hpa', ...asMeshUser]);
  t.equal(r.code, 0, r.stderr);
  const vs = await vsOf('reviews', bound);
  t.same(weights(vs), { v1: 80, v2: 20 });
  t.equal(JSON.parse(vs.metadata.annotations['kubectl-mesh.io/history']).at(-1).user, 'mesh-user', 'history names the user');
  for (const args of [['green', 'reviews'], ['promote', 'reviews'], ['rollback', 'reviews'], ['history', 'reviews'], ['status']]) {
    const x = await mesh([...args, '-n', bound, ...asMeshUser]);
    t.equal(x.code, 0, `${args.join(' ')}: ${x.stderr}`);
  }
});

t.test('mesh-user in a namespace without a binding: one forbidden line, exit 6, nothing written', async (t) => {
  const before = await resourceVersions(unbound);
  for (const args of [['canary', '20', 'reviews'], ['status'], ['green', 'reviews'], ['history', 'reviews']]) {
    const r = await mesh([...args, '-n', unbound, ...asMeshUser]);
    t.equal(r.code, FORBIDDEN, `${args[0]}: exit 6 (${r.stderr.trim()})`);
    t.same(errorLines(r.stderr).length, 1, `${args[0]}: one error line`);
    t.equal(r.stderr.trim().split('\n').length, 1, `${args[0]}: nothing else on stderr`);
    t.match(r.stderr, /^error: .*forbidden: User "mesh-user" cannot list resource "[a-z]+".* in the namespace "[^"]+"/);
    t.match(r.stderr, /manifests\/rbac\.yaml/, 'the hint names the role to bind');
    t.equal(r.stdout, '', 'nothing on stdout');
  }
  t.same(await resourceVersions(unbound), before, 'nothing written');
  t.equal(await vsOf('reviews', unbound), undefined);
});

t.test('may read but not write: refused at the first write, exit 6, nothing written', async (t) => {
  const st = await mesh(['status', '-n', readonly, ...asMeshUser]);
  t.equal(st.code, 0, `reading works: ${st.stderr}`);
  const before = await resourceVersions(readonly);
  const r = await mesh(['canary', '20', 'reviews', '-n', readonly, ...asMeshUser]);
  t.equal(r.code, FORBIDDEN, r.stderr);
  t.same(errorLines(r.stderr).length, 1, r.stderr);
  t.match(r.stderr, /cannot create resource "destinationrules"/);
  t.same(await resourceVersions(readonly), before, 'nothing written (the DestinationRule write was the first and was refused)');
});

t.test('--as impersonates: system:anonymous is refused, mesh-user is confined, --as-group widens', async (t) => {
  const anon = await mesh(['status', '-n', bound, '--as', 'system:anonymous']);
  t.equal(anon.code, FORBIDDEN, anon.stderr);
  t.match(anon.stderr, /^error: .*User "system:anonymous" cannot/m);
  t.same(errorLines(anon.stderr).length, 1);

  const asUser = await mesh(['status', '-n', unbound, '--as', 'mesh-user']);
  t.equal(asUser.code, FORBIDDEN, "admin --as mesh-user has mesh-user's rights, not admin's");
  t.match(asUser.stderr, /User "mesh-user" cannot list/);
  const asUserOk = await mesh(['status', '-n', bound, '--as', 'mesh-user']);
  t.equal(asUserOk.code, 0, asUserOk.stderr);

  const group = await mesh(['status', '-n', unbound, '--as', 'someone', '--as-group', 'system:masters']);
  t.equal(group.code, 0, `--as-group system:masters may: ${group.stderr}`);
  const noGroup = await mesh(['status', '-n', unbound, '--as', 'someone']);
  t.equal(noGroup.code, FORBIDDEN, 'without the group: refused');

  const history = await mesh(['canary', '30', 'reviews', '-n', bound, '--as', 'mesh-user']);
  t.equal(history.code, 0, history.stderr);
  t.equal(
    JSON.parse((await vsOf('reviews', bound)).metadata.annotations['kubectl-mesh.io/history']).at(-1).user,
    'mesh-user',
    'history records the impersonated user',
  );

  const cannot = await mesh(['status', '-n', bound, '--as', 'admin', ...asMeshUser]);
  t.equal(cannot.code, FORBIDDEN, 'mesh-user may not impersonate');
  t.match(cannot.stderr, /cannot impersonate/);
});
