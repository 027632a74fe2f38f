import t from 'tap';
import {
  judgeSync,
  parseProxyStatus,
  proxyName,
  scopeOf,
  scopeOfWrites,
  splitAtSync,
  splitJsonDocuments,
  syncedNow,
  type ProxySync,
} from '../../../src/routing/proxy-sync.js';
import type { Write } from '../../../src/routing/plan.js';
import type { Obj } from '../../../src/routing/types.js';

const RDS = 'type.googleapis.com/envoy.config.route.v3.RouteConfiguration';

// The shape istioctl 1.31 prints: one DiscoveryResponse per istiod, indented, one after another.
const entry = (id: string, ns: string, configs: object[]) => ({
  '@type': 'type.googleapis.com/envoy.service.status.v3.ClientConfig',
  node: { id, metadata: { CLUSTER_ID: 'Kubernetes', NAMESPACE: ns, ISTIO_VERSION: '1.31.0' } },
  genericXdsConfigs: configs,
});
const doc = (...resources: object[]) =>
  JSON.stringify(
    {
      versionInfo: 'x',
      resources,
      typeUrl: 'istio.io/debug/syncz',
      controlPlane: { identifier: '{"Component":"istiod","ID":"istiod-1"}' },
    },
    null,
    4,
  );
const probe = 'sidecar~10.255.0.1~probe.shop~shop.svc.cluster.local';
const gw = 'router~10.255.0.9~gw.istio-system~istio-system.svc.cluster.local';

t.test('parses concatenated documents from several istiods, old and new formats', async (t) => {
  const out =
    `${doc(entry(probe, 'shop', [{ typeUrl: RDS, configStatus: 'SYNCED', lastUpdated: '2026-11-27T09:00:00.123456Z' }]))}\n` +
    `${JSON.stringify({ resources: [{ node: { id: gw }, xdsConfig: [{ status: 'STALE', routeConfig: {} }] }] })}\n`;
  const r = parseProxyStatus(out);
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(r.proxies, [
    { id: probe, type: 'sidecar', namespace: 'shop', types: [{ kind: 'route', state: 'SYNCED', lastSent: '2026-11-27T09:00:00.123456Z' }] },
    { id: gw, type: 'router', namespace: 'istio-system', types: [{ kind: 'route', state: 'STALE' }] },
  ]);
});

t.test('no proxies connected: an empty answer, not an error', async (t) => {
  t.same(parseProxyStatus(JSON.stringify({ typeUrl: 'istio.io/debug/syncz' })), { ok: true, proxies: [] });
});

t.test('table output or junk is unreadable, never a guess', async (t) => {
  t.equal(parseProxyStatus('NAME  CLUSTER  CDS  LDS\nreviews-v1.shop  Kubernetes  SYNCED\n').ok, false);
  t.equal(parseProxyStatus('').ok, false);
  t.equal(parseProxyStatus('{"resources": [').ok, false);
  t.equal(parseProxyStatus('"just a string"').ok, false);
});

t.test('splitJsonDocuments respects braces inside strings', async (t) => {
  t.same(splitJsonDocuments('{"a":"}{"} [1,{"b":"]"}]'), [{ a: '}{' }, [1, { b: ']' }]]);
});

const px = (id: string, ns: string, types: ProxySync['types'], type = 'sidecar'): ProxySync => ({
  id: `${type}~1.1.1.1~${id}.${ns}~${ns}.svc.cluster.local`,
  type,
  namespace: ns,
  types,
});
const route = (state: 'SYNCED' | 'STALE' | 'ERROR' | 'NOT_SENT', lastSent?: string, error?: string) => ({
  kind: 'route' as const,
  state,
  ...(lastSent ? { lastSent } : {}),
  ...(error ? { error } : {}),
});
const vsScope = { proxyTypes: ['sidecar'], kinds: ['route' as const] };

t.test('a proxy counts once it acknowledged a push sent after the baseline', async (t) => {
  const before = [px('a', 'shop', [route('SYNCED', '2026-11-27T09:00:00Z')]), px('b', 'shop', [route('SYNCED', '2026-11-27T09:00:00Z')])];
  const now = [px('a', 'shop', [route('SYNCED', '2026-11-27T09:00:01.5Z')]), px('b', 'shop', [route('SYNCED', '2026-11-27T09:00:00Z')])];
  const v = judgeSync(before, now, vsScope);
  t.equal(v.total, 2);
  t.same(v.synced, [now[0].id]);
  t.same(v.stale, [{ id: now[1].id, why: 'no route push since the change yet' }]);
});

t.test('sent but not acknowledged, rejected, or not sent: stale, with the reason', async (t) => {
  const now = [
    px('stuck', 'shop', [route('STALE', '2026-11-27T09:00:02Z')]),
    px('nack', 'shop', [route('ERROR', '2026-11-27T09:00:02Z', 'bad route')]),
    px('new', 'shop', [route('NOT_SENT')]),
  ];
  const v = judgeSync([], now, vsScope);
  t.same(
    v.stale.map((s) => s.why),
    ['routes rejected: bad route', 'routes not sent yet', 'routes sent, not acknowledged'],
    'sorted by node id',
  );
  t.equal(v.synced.length, 0);
});

t.test('a proxy that connected after the baseline counts when in sync', async (t) => {
  const v = judgeSync([], [px('late', 'shop', [route('SYNCED', '2026-11-27T09:00:02Z')])], vsScope);
  t.same(v, { total: 1, synced: [px('late', 'shop', []).id], stale: [] });
});

t.test('only proxies in scope and watching an affected type are counted', async (t) => {
  const now = [
    px('other-ns', 'dev', [route('STALE')]),
    px('gateway', 'istio-system', [route('STALE')], 'router'),
    px('clusters-only', 'shop', [{ kind: 'cluster', state: 'STALE' }]),
    px('mine', 'shop', [route('SYNCED', '2026-11-27T09:00:02Z')]),
  ];
  const v = judgeSync([], now, { namespaces: ['shop'], proxyTypes: ['sidecar'], kinds: ['route'] });
  t.same(v, { total: 1, synced: [now[3].id], stale: [] });
});

const vs = (spec: Record<string, unknown>, ns = 'shop'): Obj => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name: 'reviews', namespace: ns },
  spec,
});
const dr = (spec: Record<string, unknown> = {}): Obj => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name: 'reviews', namespace: 'shop' },
  spec,
});

t.test('scope follows exportTo and gateways', async (t) => {
  t.same(scopeOf({ virtualService: vs({}) }), { proxyTypes: ['sidecar'], kinds: ['route'] });
  t.same(scopeOf({ virtualService: vs({ exportTo: ['.', 'dev'] }) }), {
    namespaces: ['shop', 'dev'],
    proxyTypes: ['sidecar'],
    kinds: ['route'],
  });
  t.same(scopeOf({ virtualService: vs({ gateways: ['istio-system/gw'] }) }), { proxyTypes: ['router'], kinds: ['route'] });
  t.same(scopeOf({ virtualService: vs({ gateways: ['mesh', 'gw'] }) }).proxyTypes, ['sidecar', 'router']);
  t.same(scopeOf({ destinationRule: dr({ exportTo: ['.'] }) }), {
    namespaces: ['shop'],
    proxyTypes: ['sidecar', 'router'],
    kinds: ['cluster'],
  });
  t.same(
    scopeOf({ virtualService: vs({ exportTo: ['.'] }), destinationRule: dr() }).namespaces,
    undefined,
    'a DR seen everywhere widens the scope',
  );
});

t.test('with --wait, pruning and scale-down wait for the routes', async (t) => {
  const w = (kind: Write['kind'], action: Write['action'] = 'replace'): Write => ({
    kind,
    action,
    after: kind === 'VirtualService' ? vs({}) : dr(),
    before: dr(),
  });
  const writes = [
    w('DestinationRule'),
    w('HorizontalPodAutoscaler'),
    w('VirtualService'),
    w('DestinationRule'),
    w('HorizontalPodAutoscaler'),
  ];
  const { first, afterSync } = splitAtSync(writes);
  t.same(first, writes.slice(0, 3));
  t.same(afterSync, writes.slice(3));
  t.same(splitAtSync([writes[0]]), { first: [writes[0]], afterSync: [] }, 'no route change: nothing to wait for first');
  t.same(scopeOfWrites(first), { proxyTypes: ['sidecar', 'router'], kinds: ['cluster', 'route'] });
  t.same(scopeOfWrites(afterSync).kinds, ['cluster'], 'pruning: clusters only');
  const exported = (ns: string): Write => ({ kind: 'VirtualService', action: 'replace', after: vs({ exportTo: ['.'] }, ns) });
  t.same(
    scopeOfWrites([exported('a'), exported('b')]),
    { namespaces: ['a', 'b'], proxyTypes: ['sidecar'], kinds: ['route'] },
    'several services: the union',
  );
});

t.test('status: synced out of every sidecar and gateway', async (t) => {
  const now = [px('a', 'shop', [route('SYNCED')]), px('b', 'shop', [route('STALE')]), px('z', 'shop', [route('STALE')], 'ztunnel')];
  t.same(syncedNow(now), { synced: 1, total: 2 });
  t.same(syncedNow(now, ['dev']), { synced: 0, total: 0 });
});

t.test('proxy names in messages are pod.namespace', async (t) => {
  t.equal(proxyName(probe), 'probe.shop');
  t.equal(proxyName('reviews-v1-abc.shop'), 'reviews-v1-abc.shop', 'istiod 1.31 reports pod.namespace as the id');
});

t.test("istiod 1.31 ids (pod.namespace) carry no proxy type: counted whatever the scope's types", async (t) => {
  const parsed = parseProxyStatus(doc(entry('reviews-v1-abc.shop', 'shop', [{ typeUrl: RDS, configStatus: 'STALE' }])));
  t.ok(parsed.ok);
  if (!parsed.ok) return;
  t.equal(parsed.proxies[0].type, '');
  t.same(
    judgeSync([], parsed.proxies, { proxyTypes: ['router'], kinds: ['route'] }).stale.map((s) => s.id),
    ['reviews-v1-abc.shop'],
  );
  t.same(syncedNow(parsed.proxies), { synced: 0, total: 1 });
});
