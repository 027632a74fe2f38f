// We own only routes named mesh-…: on a user's VirtualService with retries, timeouts, fault injection,
// mirroring, header rewrites and a route to a foreign host, canary → green → promote → rollback must keep
// every route and field we do not manage byte-for-byte (compared as the JSON the API server returns).
import t, { type Test } from 'tap';
import {
  applyObjects,
  createApp,
  createNamespace,
  deleteNamespace,
  drOf,
  historyOf,
  mesh,
  scratchNamespace,
  vsOf,
  weights,
} from './support.js';

const ns = scratchNamespace('e2e-fields');
const svc = 'ratings';

const userVs = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: svc, namespace: ns, labels: { team: 'ratings' }, annotations: { 'example.com/owner': 'ratings-team' } },
  spec: {
    hosts: [svc],
    exportTo: ['.'],
    http: [
      {
        name: 'user-retries',
        match: [{ uri: { prefix: '/admin' } }],
        route: [{ destination: { host: svc, subset: 'v1' } }],
        retries: { attempts: 5, perTryTimeout: '1s', retryOn: '5xx,reset,connect-failure' },
        timeout: '6s',
      },
      {
        name: 'user-fault',
        match: [{ headers: { 'x-chaos': { exact: 'on' } } }],
        route: [{ destination: { host: svc, subset: 'v1', port: { number: 9080 } }, headers: { response: { add: { 'x-chaos': 'yes' } } } }],
        fault: { delay: { percentage: { value: 50 }, fixedDelay: '2s' }, abort: { percentage: { value: 10 }, httpStatus: 503 } },
      },
      {
        name: 'legacy',
        match: [{ uri: { prefix: '/legacy' } }],
        rewrite: { uri: '/' },
        route: [{ destination: { host: `legacy.${ns}.svc.cluster.local`, port: { number: 8080 } }, weight: 100 }],
        corsPolicy: { allowOrigins: [{ exact: 'https://example.com' }], allowMethods: ['GET'], maxAge: '24h' },
        headers: { request: { set: { 'x-legacy': 'true' } } },
      },
      {
        route: [{ destination: { host: svc, port: { number: 9080 } }, headers: { request: { add: { 'x-via': 'catch-all' } } } }],
        retries: { attempts: 3, perTryTimeout: '2s' },
        timeout: '10s',
        mirror: { host: `ratings-shadow.${ns}.svc.cluster.local` },
        mirrorPercentage: { value: 5 },
      },
    ],
  },
};

const userDr = {
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: svc, namespace: ns },
  spec: {
    host: svc,
    trafficPolicy: {
      connectionPool: { http: { http1MaxPendingRequests: 100 } },
      outlierDetection: { consecutive5xxErrors: 5, interval: '10s', baseEjectionTime: '30s' },
    },
    subsets: [
      { name: 'v1', labels: { version: 'v1' }, trafficPolicy: { loadBalancer: { simple: 'ROUND_ROBIN' } } },
      { name: 'v2', labels: { version: 'v2' } },
    ],
  },
};

let original: any; // the VirtualService as the API server returned it, before kubectl-mesh
let originalDr: any;
const foreignNames = ['user-retries', 'user-fault', 'legacy'];
const byName = (vs: any, name: string) => vs.spec.http.find((r: any) => r.name === name);
const without = (o: any, ...keys: string[]) => Object.fromEntries(Object.entries(o).filter(([k]) => !keys.includes(k)));

/** Everything not ours is as it was: foreign routes, their order, the catch-all's other fields, top-level spec and metadata. */
function checkPreserved(t: Test, vs: any, dr: any, step: string) {
  for (const name of foreignNames) {
    t.equal(JSON.stringify(byName(vs, name)), JSON.stringify(byName(original, name)), `${step}: route ${name} byte-for-byte`);
  }
  const order = vs.spec.http.map((r: any) => r.name).filter((n: string) => foreignNames.includes(n));
  t.same(order, foreignNames, `${step}: foreign routes keep their order`);
  const foreignIdx = foreignNames.map((n) => vs.spec.http.findIndex((r: any) => r.name === n));
  const ownedIdx = vs.spec.http.map((r: any, i: number) => (r.name?.startsWith('mesh-') ? i : -1)).filter((i: number) => i >= 0);
  t.ok(
    ownedIdx.every((i: number) => i > Math.max(...foreignIdx)),
    `${step}: our routes come after the user's match routes`,
  );
  const primary = byName(vs, 'mesh-primary') ?? vs.spec.http.find((r: any) => !r.name);
  t.equal(
    JSON.stringify(without(primary, 'name', 'route')),
    JSON.stringify(without(original.spec.http[3], 'route')),
    `${step}: the catch-all keeps retries, timeout, mirror, mirrorPercentage`,
  );
  for (const d of primary.route) {
    t.same(d.destination.port, { number: 9080 }, `${step}: the destination port of the catch-all is kept`);
    t.same(d.headers, { request: { add: { 'x-via': 'catch-all' } } }, `${step}: destination headers kept`);
  }
  t.equal(JSON.stringify(without(vs.spec, 'http')), JSON.stringify(without(original.spec, 'http')), `${step}: hosts, exportTo untouched`);
  t.same(vs.metadata.labels, original.metadata.labels, `${step}: labels untouched (not relabelled as ours)`);
  t.equal(vs.metadata.annotations['example.com/owner'], 'ratings-team', `${step}: user annotation kept`);
  t.equal(JSON.stringify(dr.spec.trafficPolicy), JSON.stringify(originalDr.spec.trafficPolicy), `${step}: DR trafficPolicy byte-for-byte`);
  t.equal(JSON.stringify(dr.spec.subsets[0]), JSON.stringify(originalDr.spec.subsets[0]), `${step}: DR subset v1 with its trafficPolicy`);
  t.equal(dr.spec.host, svc, `${step}: DR host as the user wrote it`);
}

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  await createApp(ns, svc, ['v1', 'v2', 'v3']);
  // The foreign destinations exist (else analysis rightly reports IST0101 on the user's routes).
  const plain = (name: string) => ({
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, namespace: ns },
    spec: { ports: [{ name: 'http', port: 8080 }] },
  });
  await applyObjects([plain('legacy'), plain('ratings-shadow'), userVs, userDr]);
  original = await vsOf(svc, ns);
  originalDr = await drOf(svc, ns);
});
t.teardown(() => deleteNamespace(ns));

t.test('canary adopts the catch-all and keeps everything else', async (t) => {
  const r = await mesh(['canary', '20', svc, '-n', ns, '--stable', 'v1', '--canary', 'v3']);
  t.equal(r.code, 0, r.stderr);
  const vs = await vsOf(svc, ns);
  const dr = await drOf(svc, ns);
  t.same(
    vs.spec.http.map((r: any) => r.name),
    [...foreignNames, 'mesh-primary'],
  );
  t.same(weights(vs), { v1: 80, v3: 20 });
  t.same(
    dr.spec.subsets.map((s: any) => s.name),
    ['v1', 'v2', 'v3'],
    "v3 added after the user's subsets",
  );
  checkPreserved(t, vs, dr, 'canary');
});

t.test('green adds a header route above the catch-all and keeps everything else', async (t) => {
  const r = await mesh(['green', svc, '-n', ns, '--header', 'x-env=green']);
  t.equal(r.code, 0, r.stderr);
  const vs = await vsOf(svc, ns);
  t.same(
    vs.spec.http.map((r: any) => r.name),
    [...foreignNames, 'mesh-env-green', 'mesh-primary'],
  );
  t.same(byName(vs, 'mesh-env-green').match, [{ headers: { 'x-env': { exact: 'green' } } }]);
  t.equal(byName(vs, 'mesh-env-green').route[0].destination.subset, 'v3', 'to the canary');
  checkPreserved(t, vs, await drOf(svc, ns), 'green');
});

t.test('promote keeps everything else', async (t) => {
  const r = await mesh(['promote', svc, '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  const vs = await vsOf(svc, ns);
  t.same(
    vs.spec.http.map((r: any) => r.name),
    [...foreignNames, 'mesh-primary'],
    'the green route (to v3) is gone',
  );
  t.same(weights(vs), { v3: 100 });
  checkPreserved(t, vs, await drOf(svc, ns), 'promote');
});

t.test('promote --prune keeps v1: a user route still sends traffic to it', async (t) => {
  // promote again is a no-op for routes; --prune would remove the old stable, but user-retries uses v1.
  const r = await mesh(['promote', svc, '-n', ns, '--prune']);
  t.equal(r.code, 0, r.stderr);
  const dr = await drOf(svc, ns);
  t.ok(
    dr.spec.subsets.some((s: any) => s.name === 'v1'),
    'v1 still defined',
  );
  checkPreserved(t, await vsOf(svc, ns), dr, 'promote --prune');
});

t.test('rollback keeps everything else', async (t) => {
  const r = await mesh(['rollback', svc, '-n', ns]);
  t.equal(r.code, 0, r.stderr);
  const vs = await vsOf(svc, ns);
  t.same(
    vs.spec.http.map((r: any) => r.name),
    [...foreignNames, 'mesh-env-green', 'mesh-primary'],
    'green is back',
  );
  t.same(weights(vs), { v1: 80, v3: 20 });
  checkPreserved(t, vs, await drOf(svc, ns), 'rollback');
});

t.test("rollback to the first revision gives the user's VirtualService back byte-for-byte", async (t) => {
  const r = await mesh(['rollback', svc, '-n', ns, '--to-revision', '1']);
  t.equal(r.code, 0, r.stderr);
  const vs = await vsOf(svc, ns);
  t.equal(JSON.stringify(vs.spec), JSON.stringify(original.spec), 'spec identical to before kubectl-mesh');
  t.ok(vs, "the user's VirtualService is not deleted");
  t.ok(historyOf(vs).length > 1, 'history is kept');
  const dr = await drOf(svc, ns);
  t.ok(dr, "the user's DestinationRule is not deleted");
  t.equal(JSON.stringify(dr.spec.trafficPolicy), JSON.stringify(originalDr.spec.trafficPolicy));
});
