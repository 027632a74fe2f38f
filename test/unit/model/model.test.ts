// The shared rules below routing and analysis: host resolution, label selectors, readiness, equality.
import t from 'tap';
import { canonical, sameValue } from '../../../src/model/equal.js';
import { hostKey, hostRefersTo, namedHosts, resolveHost, serviceFqdn as fqdn } from '../../../src/model/hosts.js';
import { matchesLabels, serviceSelects } from '../../../src/model/labels.js';
import { isPodReady } from '../../../src/model/readiness.js';
import { destinationRule, pod, virtualService } from '../builders.js';

t.test('one host resolver: short names, FQDNs, case, cluster domain, namespaces', async (t) => {
  const known = new Set(['shop']);
  t.same(resolveHost('reviews', 'shop', known), { kind: 'service', name: 'reviews', namespace: 'shop', fqdn: fqdn('reviews', 'shop') });
  t.equal(
    hostKey(resolveHost('Reviews.Shop.svc.cluster.local.', 'other', known)),
    'reviews.shop.svc.cluster.local',
    'case and trailing dot',
  );
  t.equal(resolveHost('reviews.shop.svc', 'other', known).kind, 'service', 'NAME.NAMESPACE.svc');
  t.equal(resolveHost('reviews.shop.svc.corp.example', 'other', known).kind, 'other', 'only the cluster domain cluster.local');
  t.equal(resolveHost('reviews.shop', 'x', known).kind, 'service', 'NAME.NAMESPACE when the namespace is known');
  t.same(resolveHost('example.com', 'shop', known), { kind: 'other', host: 'example.com' });
  t.same(resolveHost('*.shop.svc.cluster.local', 'shop', known), { kind: 'other', host: '*.shop.svc.cluster.local' });
});

t.test('hostRefersTo: the routing side uses the same rules', async (t) => {
  t.ok(hostRefersTo('reviews', 'shop', 'reviews', 'shop'));
  t.notOk(hostRefersTo('reviews', 'other', 'reviews', 'shop'), 'a short name resolves in the namespace of the object holding it');
  t.ok(hostRefersTo('reviews.shop', undefined, 'reviews', 'shop'));
  t.ok(hostRefersTo('REVIEWS.shop.svc.cluster.local', 'other', 'reviews', 'shop'), 'DNS names ignore case');
  t.notOk(hostRefersTo('previews', 'shop', 'reviews', 'shop'));
  t.notOk(hostRefersTo('reviews.shop.svc.cluster.local', 'shop', 'review', 'shop'));
});

t.test('namedHosts: hosts, destinations and mirrors of a VirtualService; the host of a DestinationRule', async (t) => {
  const vs = virtualService('front', [{ route: [{ destination: { host: 'reviews' } }], mirror: { host: 'ratings' } }], {
    hosts: ['front.example.com'],
  });
  t.same(namedHosts(vs), ['front.example.com', 'reviews', 'ratings']);
  t.same(namedHosts(destinationRule('reviews.shop.svc.cluster.local', ['v1'])), ['reviews.shop.svc.cluster.local']);
  t.same(namedHosts({ metadata: { name: 'empty' } }), []);
});

t.test('label selectors', async (t) => {
  t.ok(matchesLabels({}, undefined), 'an empty selector matches everything');
  t.ok(matchesLabels({ app: 'reviews' }, { app: 'reviews', version: 'v1' }));
  t.notOk(matchesLabels({ app: 'reviews', version: 'v2' }, { app: 'reviews', version: 'v1' }));
  t.notOk(matchesLabels({ app: 1 }, { app: '1' }), 'a value that is not a string matches nothing');
  t.notOk(serviceSelects({}, { app: 'reviews' }), 'a Service without a selector selects no pods');
  t.notOk(serviceSelects(undefined, { app: 'reviews' }));
  t.ok(serviceSelects({ app: 'reviews' }, { app: 'reviews' }));
});

t.test('readiness', async (t) => {
  t.ok(isPodReady(pod('reviews', 'v1', 0)));
  t.notOk(isPodReady(pod('reviews', 'v1', 0, false)));
  t.notOk(isPodReady({ ...pod('reviews', 'v1', 0), metadata: { name: 'p', deletionTimestamp: '2026-01-01T00:00:00Z' } }), 'terminating');
  t.notOk(isPodReady({ metadata: { name: 'p' } }), 'no status yet');
});

t.test('canonical equality ignores key order and undefined keys, not array order', async (t) => {
  t.ok(sameValue({ a: 1, b: { c: [1, 2], d: undefined } }, { b: { c: [1, 2] }, a: 1 }));
  t.notOk(sameValue({ c: [1, 2] }, { c: [2, 1] }));
  t.equal(canonical({ b: 1, a: 'x' }), '{"a":"x","b":1}');
});
