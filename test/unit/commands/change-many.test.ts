// The all-or-nothing write path of `env NAME` across services, against an in-memory Source that keeps
// resourceVersions like an API server and can be told to fail a given write: one refusal writes
// nothing; a write failing part-way restores the services already changed; a failing restore says
// what is left and how to finish.
import { PassThrough } from 'node:stream';
import t from 'tap';
import { createContext, type Context } from '../../../src/context.js';
import { ConflictError, ForbiddenError, MeshError } from '../../../src/errors.js';
import { runEnvDelete, runEnvMany } from '../../../src/commands/run/env-many.js';
import type { Plan, Write } from '../../../src/routing/plan.js';
import type { Obj } from '../../../src/routing/types.js';
import type { Inventory } from '../../../src/routing/workloads.js';
import type { Source } from '../../../src/source/source.js';
import { writeOptions, type WriteOptions } from '../../../src/commands/support/options.js';
import { deployment, pod, service } from '../builders.js';

type Fail = (w: Write, n: number) => MeshError | undefined;

/** An in-memory cluster: lists return copies, writes check resourceVersions, `fail` can refuse any write. */
function memorySource(objects: Obj[], fail: Fail = () => undefined) {
  const store = new Map<string, Obj>();
  let rv = 100;
  const key = (kind: string | undefined, o: Obj) => `${kind}/${o.metadata.namespace}/${o.metadata.name}`;
  for (const o of objects) store.set(key(o.kind, o), { ...o, metadata: { ...o.metadata, resourceVersion: String(rv++) } });
  let writes = 0;
  const log: string[] = [];
  const of = (kind: string) => [...store.values()].filter((o) => o.kind === kind).map((o) => structuredClone(o));
  const source: Source = {
    live: true,
    defaultNamespace: 'shop',
    user: 'alice',
    async inventory(): Promise<Inventory> {
      return {
        services: of('Service'),
        deployments: of('Deployment'),
        pods: of('Pod'),
        hpas: [],
        virtualServices: of('VirtualService'),
        destinationRules: of('DestinationRule'),
        httpRoutes: of('HTTPRoute'),
      };
    },
    async apply(plan: Plan): Promise<Obj[]> {
      const out: Obj[] = [];
      for (const w of plan.writes) {
        const o = (w.after ?? w.before)!;
        const k = key(w.kind, o);
        const err = fail(w, ++writes);
        if (err) throw err;
        const have = store.get(k);
        if (w.action === 'create' && have) throw new ConflictError(`${k} already exists`);
        if (w.action !== 'create' && have?.metadata.resourceVersion !== o.metadata.resourceVersion) throw new ConflictError(`${k} changed`);
        log.push(`${w.action} ${k}`);
        if (w.action === 'delete') {
          store.delete(k);
          continue;
        }
        const stored = {
          ...structuredClone(w.after!),
          kind: w.kind,
          metadata: { ...structuredClone(w.after!.metadata), resourceVersion: String(rv++) },
        };
        store.set(k, stored);
        out.push(stored);
      }
      return out;
    },
  };
  return { source, store, log, spec: (kind: string, name: string) => store.get(`${kind}/shop/${name}`)?.spec };
}

/** Services a, b, c, d: a–c have a uat version (Ready unless listed), d has none. */
function app(unready: string[] = []): Obj[] {
  return ['a', 'b', 'c', 'd'].flatMap((name) => {
    const versions = name === 'd' ? ['v1', 'v2'] : ['v1', 'uat'];
    return [
      { ...service(name), metadata: { ...service(name).metadata, labels: { tier: name === 'a' ? 'web' : 'api' } } },
      ...versions.map((v, i) => deployment(name, v, `2026-01-0${i + 1}T00:00:00Z`)),
      ...versions.map((v) => pod(name, v, 0, !(v === 'uat' && unready.includes(name)))),
    ];
  });
}

/** A context, and the write options a verb would build from the same flags. */
function ctxFor(
  flags: Record<string, string | boolean | string[]> = {},
): Context & { opts: WriteOptions; out: () => string; err: () => string } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const all = { namespace: 'shop', ...flags };
  const ctx = createContext({ stdout, stderr, stdin: new PassThrough() }, { PATH: '/nonexistent' }, all);
  return Object.assign(
    { ...ctx, now: () => new Date('2026-11-27T10:00:00Z') },
    { opts: writeOptions(all), out: () => out, err: () => err },
  );
}

/** The write options of a run without flags. */
const defaults = writeOptions({ namespace: 'shop' });
const uat = { env: 'uat', headers: [{ name: 'x-env', type: 'exact' as const, value: 'uat' }], version: 'uat', scope: {} };
const envRoute = (spec: any, env = 'uat') => spec?.http?.find((r: any) => r.name === `mesh-env-${env}`);

t.test('every service with the version gets its header route; the others are left alone', async (t) => {
  const m = memorySource(app());
  const ctx = ctxFor();
  t.equal(await runEnvMany(ctx, uat, ctx.opts, m.source), 0, ctx.err());
  for (const s of ['a', 'b', 'c']) t.equal(envRoute(m.spec('VirtualService', s))?.route[0].destination.subset, 'uat', `${s} routes uat`);
  t.notOk(m.spec('VirtualService', 'd'), 'd has no uat version: untouched');
  t.same(
    m.log,
    [
      'create DestinationRule/shop/a',
      'create VirtualService/shop/a',
      'create DestinationRule/shop/b',
      'create VirtualService/shop/b',
      'create DestinationRule/shop/c',
      'create VirtualService/shop/c',
    ],
    'make-before-break per service, services in name order',
  );
  t.match(ctx.out(), /env uat: 3 services changed, 0 unchanged/);
  const meta = JSON.parse(m.store.get('VirtualService/shop/a')!.metadata.annotations!['kubectl-mesh.io/environments']);
  t.same(meta, { uat: { createdBy: 'alice', createdAt: '2026-11-27T10:00:00.000Z' } }, 'who and when, on the object we own');

  const again = ctxFor();
  const before = m.log.length;
  t.equal(await runEnvMany(again, uat, again.opts, m.source), 0);
  t.equal(m.log.length, before, 'a re-run writes nothing');
  t.match(again.out(), /a: env uat: x-env=uat → uat \(unchanged\)/);
});

t.test('--selector and --services narrow the services', async (t) => {
  const m = memorySource(app());
  t.equal(await runEnvMany(ctxFor(), { ...uat, scope: { selector: [{ key: 'tier', op: 'eq', value: 'api' }] } }, defaults, m.source), 0);
  t.same(
    ['a', 'b', 'c'].map((s) => !!m.spec('VirtualService', s)),
    [false, true, true],
  );
  t.equal(await runEnvMany(ctxFor(), { ...uat, scope: { services: ['a'] } }, defaults, m.source), 0);
  t.ok(m.spec('VirtualService', 'a'));
  await t.rejects(runEnvMany(ctxFor(), { ...uat, scope: { services: ['d'] } }, defaults, m.source), {
    exitCode: 3,
    message: /shop\/d has no Deployment with version=uat \(versions: v1, v2\)/,
  });
});

t.test('one service without Ready pods for its version: nothing is written, the message lists it', async (t) => {
  const m = memorySource(app(['b', 'c']));
  await t.rejects(runEnvMany(ctxFor(), uat, defaults, m.source), {
    exitCode: 4,
    message:
      /^env uat: 2 of 3 services refused, so nothing was written: shop\/b: subset uat \(0\/1 pods Ready\) of shop\/b .*; shop\/c: subset uat/,
  });
  t.same(m.log, [], 'not one write');
});

t.test('the single-service refusals hold across services: a co-managed object, an HTTPRoute on the host', async (t) => {
  const argo: Obj = {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: { name: 'b', namespace: 'shop', annotations: { 'argo-rollouts.argoproj.io/managed-by-rollouts': 'b' } },
    spec: { host: 'b.shop.svc.cluster.local', subsets: [{ name: 'v1', labels: { version: 'v1' } }] },
  };
  const gamma: Obj = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'c-split', namespace: 'shop' },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'c', port: 9080 }], rules: [{ backendRefs: [{ name: 'c', port: 9080 }] }] },
  };
  const m = memorySource([...app(), argo, gamma]);
  await t.rejects(runEnvMany(ctxFor(), uat, defaults, m.source), {
    exitCode: 5,
    message:
      /^env uat: 2 of 3 services refused, so nothing was written: shop\/b: .*Argo Rollouts.*; shop\/c: HTTPRoute shop\/c-split also routes shop\/c/,
  });
  t.same(m.log, [], 'not one write');
  const forced = ctxFor({ force: true });
  t.equal(await runEnvMany(forced, uat, forced.opts, m.source), 0, forced.err());
  t.match(forced.err(), /warning: .*Argo Rollouts.*writing anyway \(--force\)/);
  t.match(forced.err(), /warning: HTTPRoute shop\/c-split also routes shop\/c/);
  t.ok(envRoute(m.spec('VirtualService', 'c')), '--force writes');
});

t.test('a write failing part-way: the services already changed are put back as they were', async (t) => {
  const m = memorySource(app());
  t.equal(await runEnvMany(ctxFor(), uat, defaults, m.source), 0);
  const before = ['a', 'b', 'c'].map((s) => structuredClone(m.spec('VirtualService', s)));
  const metaBefore = m.store.get('VirtualService/shop/a')!.metadata.annotations;
  // The header changes on all three VirtualServices: the third write is refused.
  let n = 0;
  const failing = memorySource([], (w) =>
    w.kind === 'VirtualService' && ++n === 3 ? new ForbiddenError('virtualservices "c" is forbidden') : undefined,
  );
  for (const [k, o] of m.store) failing.store.set(k, o);
  const ctx = ctxFor();
  const err = await runEnvMany(
    ctx,
    { ...uat, headers: [{ name: 'x-stage', type: 'exact', value: 'uat' }] },
    ctx.opts,
    failing.source,
  ).catch((e) => e);
  t.equal(err.exitCode, 6, 'the exit code of the failure');
  t.match(
    err.message,
    /^env uat: virtualservices "c" is forbidden; restored shop\/b, shop\/a to their previous routing; nothing of this change is left$/,
  );
  t.same(
    ['a', 'b', 'c'].map((s) => failing.spec('VirtualService', s)),
    before,
    'every service routes as before',
  );
  t.same(failing.store.get('VirtualService/shop/a')!.metadata.annotations, metaBefore, 'history and metadata as before');
  t.match(ctx.err(), /restoring shop\/b to its previous routing/);
});

t.test('a restore that fails too: what is left and the command that finishes the job', async (t) => {
  const m = memorySource(app(), (w, n) => {
    if (n === 5) return new MeshError('etcd timeout', 1); // c's DestinationRule
    if (n === 6 && w.action === 'delete') return new MeshError('connection reset', 7); // restoring b
    return undefined;
  });
  const err = await runEnvMany(ctxFor(), uat, defaults, m.source).catch((e) => e);
  t.equal(err.exitCode, 1);
  t.match(
    err.message,
    /etcd timeout; restored shop\/a, but still changed: VirtualService shop\/b, DestinationRule shop\/b \(restore failed: connection reset\)/,
  );
  t.match(err.hint, /finish the job with: kubectl mesh rollback b -n shop/);
  t.notOk(m.spec('VirtualService', 'a'), 'a was restored (its objects did not exist before)');
  t.ok(m.spec('VirtualService', 'b'), 'b is what is left');
});

t.test('a lost race (409) re-reads and re-plans that service', async (t) => {
  let raced = false;
  const m = memorySource(app(), (w) => {
    if (!raced && w.kind === 'VirtualService' && w.after?.metadata.name === 'b') {
      raced = true;
      return new ConflictError('conflict');
    }
    return undefined;
  });
  const ctx = ctxFor();
  t.equal(await runEnvMany(ctx, uat, ctx.opts, m.source), 0, ctx.err());
  t.match(ctx.err(), /someone else changed shop\/b meanwhile; re-reading/);
  t.ok(envRoute(m.spec('VirtualService', 'b')));
});

t.test('--delete removes the environment from every service it routes, and nothing else', async (t) => {
  const m = memorySource(app());
  t.equal(await runEnvMany(ctxFor(), uat, defaults, m.source), 0);
  t.equal(
    await runEnvMany(
      ctxFor(),
      { ...uat, env: 'dev', headers: [{ name: 'x-env', type: 'exact', value: 'dev' }], scope: { services: ['a'] } },
      defaults,
      m.source,
    ),
    0,
  );
  t.equal(await runEnvDelete(ctxFor(), ['uat'], {}, defaults, m.source), 0);
  for (const s of ['a', 'b', 'c']) t.notOk(envRoute(m.spec('VirtualService', s)), `${s}: uat gone`);
  t.ok(envRoute(m.spec('VirtualService', 'a'), 'dev'), 'dev stays');
  t.same(JSON.parse(m.store.get('VirtualService/shop/a')!.metadata.annotations!['kubectl-mesh.io/environments']), {
    dev: { createdBy: 'alice', createdAt: '2026-11-27T10:00:00.000Z' },
  });
  await t.rejects(runEnvDelete(ctxFor(), ['uat'], {}, defaults, m.source), {
    exitCode: 3,
    message: /environment "uat" has no route in namespace shop/,
  });
});

t.test('a broken metadata annotation: one warning, skipped, and replaced by a readable one', async (t) => {
  const m = memorySource(app());
  t.equal(await runEnvMany(ctxFor(), uat, defaults, m.source), 0);
  const a = m.store.get('VirtualService/shop/a')!;
  a.metadata.annotations = { ...a.metadata.annotations, 'kubectl-mesh.io/environments': '{not json' };
  const ctx = ctxFor();
  t.equal(await runEnvMany(ctx, { ...uat, expires: '2026-11-28T10:00:00.000Z' }, ctx.opts, m.source), 0, ctx.err());
  t.equal(
    ctx.err().match(/warning: annotation kubectl-mesh.io\/environments on VirtualService shop\/a is not valid JSON; ignored/g)?.length,
    1,
    'one warning',
  );
  t.same(
    JSON.parse(m.store.get('VirtualService/shop/a')!.metadata.annotations!['kubectl-mesh.io/environments']).uat.expires,
    '2026-11-28T10:00:00.000Z',
  );
});

t.test('a new service whose other versions are equally old: refused without --stable, never a guess by name', async (t) => {
  const web = (created: string[]) => [
    service('w'),
    ...['v1', 'uat', 'dev'].map((v, i) => deployment('w', v, created[i])),
    ...['v1', 'uat', 'dev'].map((v) => pod('w', v, 0, true)),
  ];
  const catchAll = (m: ReturnType<typeof memorySource>) => {
    const spec: any = m.spec('VirtualService', 'w');
    return spec?.http?.find((r: any) => r.name === 'mesh-primary')?.route[0].destination.subset;
  };
  const sameSecond = memorySource(web(['2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z']));
  await t.rejects(runEnvMany(ctxFor(), uat, defaults, sameSecond.source), {
    exitCode: 2,
    message:
      /shop\/w: cannot tell which version of shop\/w keeps the requests without the header of env uat: dev, v1 were created at the same time$/,
    hint: /^pass --stable VERSION;/,
  });
  t.same(sameSecond.log, [], 'nothing written');
  t.equal(await runEnvMany(ctxFor(), { ...uat, stable: 'v1' }, defaults, sameSecond.source), 0);
  t.equal(catchAll(sameSecond), 'v1', '--stable says which');
  const v1First = memorySource(web(['2026-01-01T00:00:00Z', '2026-01-02T00:00:00Z', '2026-01-02T00:00:00Z']));
  t.equal(await runEnvMany(ctxFor(), uat, defaults, v1First.source), 0);
  t.equal(catchAll(v1First), 'v1', 'the oldest other version when there is one');
});
