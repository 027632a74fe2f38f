// Environments across services, judged by Istio's own control plane: after each `kubectl mesh env …`
// without SERVICE, the routes istiod sends a sidecar (test/xds-probe) for every service of the namespace
// must be the ones we mean — the environment's header route first, to outbound|9080|<subset>|host, the
// weighted catch-all after it untouched, and no header route on a service without the environment's
// version. `env list` must say what Envoy does: members have the route, the baseline has none.
import t, { type Test } from 'tap';
import { createApp, createNamespace, deleteNamespace, mesh, scratchNamespace, vsOf } from './support.js';
import { expectedRoutes, normalised, routesNow, routesSettle, type EnvoyRoute } from './xds.js';

const ns = scratchNamespace('e2e-xlate-env');
const host = (svc: string) => `${svc}.${ns}.svc.cluster.local`;
const cluster = (svc: string, subset: string) => `outbound|9080|${subset}|${host(svc)}`;
const services = ['api', 'cache', 'db', 'web'];

const primary = (svc: string, ...split: [string, number][]): EnvoyRoute =>
  split.length === 1
    ? { name: 'mesh-primary', prefix: '/', cluster: cluster(svc, split[0][0]) }
    : { name: 'mesh-primary', prefix: '/', weightedClusters: split.map(([s, weight]) => ({ cluster: cluster(svc, s), weight })) };
const envRoute = (svc: string, env: string): EnvoyRoute => ({
  name: `mesh-env-${env}`,
  prefix: '/',
  headers: [{ name: 'x-env', exact: env }],
  cluster: cluster(svc, env),
});
/** A service without a VirtualService: Istio's own default route to the whole Service. */
const untouched = (svc: string): EnvoyRoute[] => [{ name: 'default', prefix: '/', cluster: `outbound|9080||${host(svc)}` }];

const api = primary('api', ['v1', 70], ['v2', 30]);
const db = primary('db', ['v1', 90], ['v2', 10]);
const web = primary('web', ['v1', 100]);

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  // Versions of different ages: web has no routing yet, and its baseline for uat and dev is its oldest other version.
  const app = (name: string, versions: string[]) => createApp(ns, name, versions, { replicas: 1, hpa: false, apart: true });
  // uat: api and web have a version for it; db and cache serve uat from their baseline. dev: web and db.
  await app('api', ['v1', 'v2', 'uat']);
  await app('db', ['v1', 'v2', 'dev']);
  await app('web', ['v1', 'uat', 'dev']);
  await app('cache', ['v1']);
  for (const [svc, weight] of [
    ['api', '30'],
    ['db', '10'],
  ]) {
    const r = await mesh(['canary', weight, svc, '--stable', 'v1', '--canary', 'v2', '-n', ns, '--yes']);
    if (r.code !== 0) throw new Error(`canary ${svc}: ${r.stderr}`);
  }
});
t.teardown(() => deleteNamespace(ns));

/** The catch-all route of each VirtualService there is, as written. */
async function catchAlls(): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const svc of services) {
    const route = (await vsOf(svc, ns))?.spec.http.find((h: any) => h.name === 'mesh-primary');
    if (route) out[svc] = route;
  }
  return out;
}

/** Every service's routes in Envoy are `want[svc]`, and its VirtualService says the same. */
async function envoyHas(t: Test, want: Record<string, EnvoyRoute[]>): Promise<void> {
  for (const svc of services) {
    const envoy = await routesSettle({ namespace: ns, host: svc }, want[svc]);
    t.same(envoy, want[svc], `${svc}: istiod sends these routes`);
    const vs = await vsOf(svc, ns);
    if (vs) t.same(expectedRoutes(vs), want[svc], `${svc}: the VirtualService says what we claim`);
    else t.same(want[svc], untouched(svc), `${svc}: no VirtualService, Istio's default route`);
  }
}

/** What Envoy has now for `svc` (called after envoyHas settled). */
const envoyNow = async (svc: string): Promise<EnvoyRoute[]> => normalised((await routesNow({ namespace: ns, host: svc })).routes) ?? [];

/** `env list -o json` agrees with Envoy: each member routes the header to its subset, the baseline has no route of it. */
async function listAgrees(t: Test, envs: string[]): Promise<void> {
  const r = await mesh(['env', 'list', '-n', ns, '-o', 'json']);
  t.equal(r.code, 0, `env list: ${r.stderr}`);
  const listed = JSON.parse(r.stdout) as any[];
  t.same(
    listed.map((e) => e.name),
    envs,
    'env list shows the environments',
  );
  for (const e of listed) {
    for (const s of e.services) {
      const route = (await envoyNow(s.service)).find((x) => x.name === `mesh-env-${e.name}`);
      t.same(
        route && { headers: route.headers, cluster: route.cluster },
        { headers: [{ name: 'x-env', exact: e.name }], cluster: cluster(s.service, s.subset) },
        `${e.name} on ${s.service}: listed ${s.headers} → ${s.subset}, Envoy agrees`,
      );
    }
    for (const b of e.baseline) {
      const svc = b.split('/')[1];
      t.notOk(
        (await envoyNow(svc)).some((x) => x.name === `mesh-env-${e.name}`),
        `${svc} listed as ${e.name}'s baseline: no header route in Envoy`,
      );
    }
  }
}

// Each case runs on what the one before left; `envs` is what env list shows afterwards.
const cases: [name: string, args: string[], want: Record<string, EnvoyRoute[]>, envs: string[]][] = [
  [
    'env uat: header route first on api and web, catch-alls as they were; db and cache get none',
    ['env', 'uat', '--header', 'x-env=uat'],
    { api: [envRoute('api', 'uat'), api], cache: untouched('cache'), db: [db], web: [envRoute('web', 'uat'), web] },
    ['uat'],
  ],
  [
    'env dev as well: two environments at once, in the order made, above the catch-all',
    ['env', 'dev', '--header', 'x-env=dev'],
    {
      api: [envRoute('api', 'uat'), api],
      cache: untouched('cache'),
      db: [envRoute('db', 'dev'), db],
      web: [envRoute('web', 'uat'), envRoute('web', 'dev'), web],
    },
    ['dev', 'uat'],
  ],
  [
    'env uat --delete: its header routes gone on every service; dev and the catch-alls untouched',
    ['env', 'uat', '--delete'],
    { api: [api], cache: untouched('cache'), db: [envRoute('db', 'dev'), db], web: [envRoute('web', 'dev'), web] },
    ['dev'],
  ],
  [
    'env dev --delete: back to the catch-alls alone',
    ['env', 'dev', '--delete'],
    { api: [api], cache: untouched('cache'), db: [db], web: [web] },
    [],
  ],
];

t.test('before any environment: the canaries only', (t) =>
  envoyHas(t, { api: [api], cache: untouched('cache'), db: [db], web: untouched('web') }),
);

for (const [name, args, want, envs] of cases) {
  t.test(name, async (t) => {
    const before = await catchAlls();
    const r = await mesh([...args, '-n', ns, '--yes']);
    t.equal(r.code, 0, `kubectl mesh ${args.join(' ')}: ${r.stderr}`);
    const after = await catchAlls();
    for (const svc of Object.keys(before)) t.same(after[svc], before[svc], `${svc}: the catch-all route as it was, field for field`);
    await envoyHas(t, want);
    await listAgrees(t, envs);
  });
}
