// The behaviours issue 15 asked for, one small case each (the scoring harness runs Istio's own
// cases end to end: npm run score:analyzers).
import t from 'tap';
import { builtInChecks } from '../../../src/analysis/checks.js';
import type { ClusterSnapshot, Obj } from '../../../src/analysis/types.js';
import { destinationRule, pod, rule, service, summary, vs } from './fixtures.js';

const FQDN = 'reviews.shop.svc.cluster.local';
const snap = (objs: Obj[], extra: Partial<ClusterSnapshot> = {}): ClusterSnapshot => ({
  virtualServices: objs.filter((o) => o.kind === 'VirtualService'),
  destinationRules: objs.filter((o) => o.kind === 'DestinationRule'),
  services: objs.filter((o) => o.kind === 'Service'),
  pods: objs.filter((o) => o.kind === 'Pod'),
  serviceEntries: objs.filter((o) => o.kind === 'ServiceEntry'),
  ...extra,
});
const serviceEntry = (name: string, ns: string, hosts: string[], spec: Record<string, unknown> = {}): Obj => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'ServiceEntry',
  metadata: { name, namespace: ns },
  spec: { hosts, ...spec },
});
const codes = (s: ClusterSnapshot): string[] => summary(builtInChecks(s));

t.test('IST0101: ServiceEntry hosts, wildcards and their exportTo', async (t) => {
  const route = (name: string, host: string) =>
    vs(name)
      .hosts(name)
      .http(rule([{ host }]))
      .build();
  const objs = [
    serviceEntry('ext', 'shop', ['api.example.com']),
    serviceEntry('eu', 'shop', ['*.eu.example.com']),
    serviceEntry('private', 'other', ['private.example.com'], { exportTo: ['.'] }),
    route('a', 'api.example.com'),
    route('b', 'x.eu.example.com'),
    route('c', 'private.example.com'),
    route('d', 'nowhere.example.com'),
  ];
  t.same(codes(snap(objs)), [
    'IST0101 VirtualService shop/c spec.http[0].route[0].destination.host',
    'IST0101 VirtualService shop/d spec.http[0].route[0].destination.host',
  ]);
});

t.test('IST0101: the exportTo annotation of a Service and the exportTo of the VirtualService', async (t) => {
  const hidden = {
    ...service('details'),
    metadata: { name: 'details', namespace: 'shop', annotations: { 'networking.istio.io/exportTo': 'web' } },
  };
  const objs = [
    hidden,
    service('front', 'web'),
    service('x', 'ops'),
    vs('from-web', 'web')
      .hosts('front')
      .http(rule([{ host: 'details.shop.svc.cluster.local' }]))
      .build(),
    vs('from-ops', 'ops')
      .hosts('x')
      .http(rule([{ host: 'details.shop.svc.cluster.local' }]))
      .build(),
    vs('exported-elsewhere', 'ops')
      .hosts('x')
      .exportTo('web')
      .http(rule([{ host: 'details.shop.svc.cluster.local' }]))
      .build(),
  ];
  t.same(codes(snap(objs)), [
    'IST0101 VirtualService ops/from-ops spec.http[0].route[0].destination.host',
    'IST0109 VirtualService ops/exported-elsewhere spec.hosts',
    'IST0109 VirtualService ops/from-ops spec.hosts',
  ]);
});

t.test('IST0101: a port the Service does not expose; an empty destination', async (t) => {
  const svc = { ...service('reviews'), spec: { selector: { app: 'reviews' }, ports: [{ port: 9080 }] } };
  const objs = [
    svc,
    vs('reviews')
      .hosts(FQDN)
      .http({ match: [{ uri: { prefix: '/a' } }], route: [{}] }, { route: [{ destination: { host: FQDN, port: { number: 80 } } }] })
      .build(),
  ];
  t.same(codes(snap(objs)), [
    'IST0101 VirtualService shop/reviews spec.http[0].route[0].destination.host',
    'IST0101 VirtualService shop/reviews spec.http[1].route[0].destination.port',
  ]);
});

t.test('IST0109: exported to "*" in one namespace and "." in another still conflict', async (t) => {
  const objs = [
    service('reviews'),
    service('front', 'web'),
    vs('a', 'shop')
      .hosts(FQDN)
      .http(rule([{ host: FQDN }]))
      .build(),
    vs('b', 'web')
      .hosts(FQDN)
      .exportTo('.')
      .http(rule([{ host: FQDN }]))
      .build(),
  ];
  t.same(codes(snap(objs)), ['IST0109 VirtualService shop/a spec.hosts', 'IST0109 VirtualService web/b spec.hosts']);
});

t.test('IST0130/IST0131 on tcp and tls routes, and overlaps inside one rule', async (t) => {
  const objs = [
    service('reviews'),
    vs('tcp')
      .hosts(FQDN)
      .set('tcp', [
        { match: [{ port: 80 }], route: [{ destination: { host: FQDN } }] },
        { match: [{ port: 80 }], route: [{ destination: { host: FQDN } }] },
      ])
      .set('tls', [
        { match: [{ sniHosts: ['a.example.com'] }, { sniHosts: ['b.example.com'] }], route: [{ destination: { host: FQDN } }] },
        { match: [{ sniHosts: ['a.example.com'] }, { sniHosts: ['c.example.com'] }], route: [{ destination: { host: FQDN } }] },
      ])
      .build(),
    vs('inside')
      .hosts(FQDN)
      .http(rule([{ host: FQDN }], { match: [{ uri: { prefix: '/api' } }, { uri: { prefix: '/api/v1' } }] }))
      .build(),
  ];
  t.same(
    codes(snap(objs)).filter((c) => !c.startsWith('IST0109')),
    [
      'IST0130 VirtualService shop/tcp spec.tcp[1]',
      'IST0131 VirtualService shop/inside spec.http[0].match[1]',
      'IST0131 VirtualService shop/tcp spec.tcp[1].match[0]',
      'IST0131 VirtualService shop/tcp spec.tls[1].match[0]',
    ],
  );
});

t.test('offline: what the files lack is MESH0005 (Info), what they hold is checked', async (t) => {
  const offline = { offline: true as const };
  const noService = [
    vs('ratings')
      .hosts('ratings')
      .http(rule([{ host: 'ratings', subset: 'v1' }]))
      .build(),
  ];
  t.same(codes(snap(noService, offline)), [
    'MESH0005 VirtualService shop/ratings spec.http[0].route[0].destination.host',
    'MESH0005 VirtualService shop/ratings spec.http[0].route[0].destination.subset',
  ]);
  t.same(
    codes(snap(noService)),
    [
      'IST0101 VirtualService shop/ratings spec.http[0].route[0].destination.host',
      'IST0101 VirtualService shop/ratings spec.http[0].route[0].destination.subset',
    ],
    'live, the same objects are errors',
  );

  const dr = destinationRule('reviews', 'shop', FQDN, { v1: { version: 'v1' }, v3: { version: 'v3' } });
  t.same(
    codes(snap([service('reviews'), dr], offline)),
    ['MESH0005 DestinationRule shop/reviews spec.subsets[0]', 'MESH0005 DestinationRule shop/reviews spec.subsets[1]'],
    'no Pods or Deployments in the files: subsets not checked',
  );
  t.same(
    codes(snap([service('reviews'), dr, pod('r1', 'shop', { app: 'reviews', version: 'v1' })], offline)),
    ['IST0173 DestinationRule shop/reviews spec.subsets[1]'],
    'Pods in the files are used',
  );
  const deployment: Obj = {
    kind: 'Deployment',
    metadata: { name: 'reviews-v1', namespace: 'shop' },
    spec: { template: { metadata: { labels: { app: 'reviews', version: 'v1' } } } },
  };
  t.same(
    codes(snap([service('reviews'), dr], { ...offline, deployments: [deployment] })),
    ['IST0173 DestinationRule shop/reviews spec.subsets[1]'],
    'so are pod templates of Deployments',
  );
});

t.test("IST0173: subsets may select by the node's topology labels", async (t) => {
  const p = { ...pod('r1', 'shop', { app: 'reviews' }), spec: { nodeName: 'n1' } };
  const node: Obj = { kind: 'Node', metadata: { name: 'n1', labels: { 'topology.kubernetes.io/region': 'us-west' } } };
  const dr = destinationRule('reviews', 'shop', FQDN, {
    west: { 'topology.kubernetes.io/region': 'us-west' },
    east: { 'topology.kubernetes.io/region': 'us-east' },
  });
  t.same(codes(snap([service('reviews'), dr, p], { nodes: [node] })), ['IST0173 DestinationRule shop/reviews spec.subsets[1]']);
});

t.test('MESH0006: a VirtualService and a GAMMA HTTPRoute on one host, named on both', async (t) => {
  const route: Obj = {
    apiVersion: 'gateway.networking.k8s.io/v1',
    kind: 'HTTPRoute',
    metadata: { name: 'reviews-gamma', namespace: 'web' },
    spec: { parentRefs: [{ group: '', kind: 'Service', name: 'reviews', namespace: 'shop', port: 9080 }], rules: [] },
  };
  const objs = [
    service('reviews'),
    vs('reviews')
      .hosts(FQDN)
      .http(rule([{ host: FQDN }]))
      .build(),
  ];
  const f = builtInChecks(snap(objs, { httpRoutes: [route] }));
  t.same(summary(f), ['MESH0006 HTTPRoute web/reviews-gamma spec.parentRefs', 'MESH0006 VirtualService shop/reviews spec.hosts']);
  t.equal(f[0].level, 'Error');
  t.match(f[0].message, 'VirtualService shop/reviews and HTTPRoute web/reviews-gamma both route reviews.shop.svc.cluster.local');
  const gatewayRoute = { ...route, spec: { parentRefs: [{ name: 'public', kind: 'Gateway' }] } };
  t.same(builtInChecks(snap(objs, { httpRoutes: [gatewayRoute] })), [], 'an HTTPRoute on a Gateway is not GAMMA');
});
