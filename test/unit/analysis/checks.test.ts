import t from 'tap';
import { builtInChecks, subsetsWithoutReadyPods } from '../../../src/analysis/checks.js';
import { CODES } from '../../../src/analysis/codes.js';
import type { Obj } from '../../../src/analysis/types.js';
import { destinationRule, gateway, headerMatch, pod, replace, reviewsObjects, rule, service, snapshot, summary, vs } from './fixtures.js';

const FQDN = 'reviews.shop.svc.cluster.local';
const VS = 'VirtualService shop/reviews';
const DR = 'DestinationRule shop/reviews';
const check = (objs: Obj[], opts?: { namespace?: string }, withGateways = false) => builtInChecks(snapshot(objs, withGateways), opts);

/** The baseline VirtualService with other http rules. */
const reviewsVs = (...rules: Record<string, unknown>[]) =>
  vs('reviews')
    .hosts(FQDN)
    .http(...rules)
    .build();
const primary = (v1 = 80, v2 = 20) =>
  rule(
    [
      { host: FQDN, subset: 'v1', weight: v1 },
      { host: FQDN, subset: 'v2', weight: v2 },
    ],
    { name: 'mesh-primary' },
  );

t.test('the healthy baseline has no findings', async (t) => {
  t.same(check(reviewsObjects()), []);
});

t.test('every finding carries the code catalogue level and Istio docs link', async (t) => {
  const objs = replace(reviewsObjects(), reviewsVs(rule([{ host: 'ratings' }])));
  const [f] = check(objs);
  t.match(f, {
    code: 'IST0101',
    level: 'Error',
    origin: VS,
    source: 'built-in',
    documentationUrl: 'https://istio.io/latest/docs/reference/config/analysis/ist0101/',
  });
  t.equal(CODES.SubsetHasNoReadyPods.documentationUrl, undefined, 'our own codes have no Istio page');
});

t.test('IST0101 ReferencedResourceNotFound', async (t) => {
  t.test('a destination host with no Service', async (t) => {
    const objs = replace(reviewsObjects(), reviewsVs(rule([{ host: 'ratings' }], { match: [{ uri: { prefix: '/ratings' } }] }), primary()));
    const f = check(objs);
    t.same(summary(f), [`IST0101 ${VS} spec.http[0].route[0].destination.host`]);
    t.equal(f[0].message, 'Referenced host not found: "ratings"');
  });

  t.test('short names resolve against the VirtualService namespace, not the Service', async (t) => {
    const objs = [
      ...reviewsObjects(),
      vs('front', 'web')
        .hosts('front')
        .http(rule([{ host: 'reviews' }]))
        .build(),
      service('front', 'web'),
    ];
    t.same(summary(check(objs)), ['IST0101 VirtualService web/front spec.http[0].route[0].destination.host']);
  });

  t.test('every in-cluster spelling of an existing Service is found', async (t) => {
    const hosts = ['reviews.shop', 'reviews.shop.svc', FQDN, 'REVIEWS.shop.svc.cluster.local.'];
    const objs = [
      ...reviewsObjects(),
      service('front', 'web'),
      vs('front', 'web')
        .hosts('front')
        .http(...hosts.map((h) => rule([{ host: h }], { match: [{ uri: { exact: `/${h}` } }] })))
        .build(),
    ];
    t.same(check(objs), []);
  });

  t.test('external hosts and wildcards are not checked', async (t) => {
    const objs = [
      ...reviewsObjects(),
      vs('egress')
        .hosts('api.example.com')
        .http(
          rule([{ host: 'api.example.com' }], { match: [{ uri: { prefix: '/a' } }] }),
          rule([{ host: 'example.com' }], { match: [{ uri: { prefix: '/b' } }] }),
          rule([{ host: '*.example.com' }]),
        )
        .build(),
    ];
    t.same(check(objs), []);
  });

  t.test('a subset no DestinationRule defines', async (t) => {
    const objs = replace(reviewsObjects(), reviewsVs(primary(), rule([{ host: FQDN, subset: 'v3' }])));
    const f = check(objs).filter((x) => x.code === 'IST0101');
    t.same(summary(f), [`IST0101 ${VS} spec.http[1].route[0].destination.subset`]);
    t.equal(f[0].message, `Referenced host+subset in destinationrule not found: "${FQDN}+v3"`);
  });

  t.test('a subset defined by a DestinationRule in another namespace for the same FQDN counts', async (t) => {
    const objs = [
      ...reviewsObjects(),
      destinationRule('reviews-extra', 'mesh-config', FQDN, { v3: { version: 'v3' } }),
      pod('reviews-v3-a', 'shop', { app: 'reviews', version: 'v3' }),
    ];
    const next = replace(objs, reviewsVs(rule([{ host: 'reviews', subset: 'v3' }], { match: [headerMatch('x-env', 'v3')] }), primary()));
    t.same(check(next), []);
  });

  t.test('a mirror host with no Service', async (t) => {
    const objs = replace(reviewsObjects(), reviewsVs({ ...primary(), mirror: { host: 'reviews-shadow' } }));
    t.same(summary(check(objs)), [`IST0101 ${VS} spec.http[0].mirror.host`]);
  });

  t.test('gateways are checked only when the snapshot has them', async (t) => {
    const bound = vs('reviews').hosts(FQDN).gateways('shop/public', 'edge', 'mesh').http(primary()).build();
    const objs = [...replace(reviewsObjects(), bound), gateway('public', 'shop')];
    const f = check(objs, undefined, true);
    t.same(summary(f), [`IST0101 ${VS} spec.gateways[1]`]);
    t.equal(f[0].message, 'Referenced gateway not found: "edge"');
    t.same(check(objs, undefined, false), [], 'no gateways list: nothing to check against');
  });
});

t.test('IST0173 DestinationRuleSubsetNotSelectPods', async (t) => {
  t.test('a subset whose labels select no pod', async (t) => {
    const objs = replace(
      reviewsObjects(),
      destinationRule('reviews', 'shop', FQDN, { v1: { version: 'v1' }, v2: { version: 'v2' }, v4: { version: 'v4' } }),
    );
    const f = check(objs);
    t.same(summary(f), [`IST0173 ${DR} spec.subsets[2]`]);
    t.match(f[0].message, /Subset v4 .* does not select any pods/);
  });

  t.test('pods must also match the Service selector and live in its namespace', async (t) => {
    const objs = [
      service('reviews'),
      pod('other-v1', 'shop', { app: 'ratings', version: 'v1' }),
      pod('reviews-v1-elsewhere', 'staging', { app: 'reviews', version: 'v1' }),
      destinationRule('reviews', 'shop', 'reviews', { v1: { version: 'v1' } }),
    ];
    t.same(summary(check(objs)), [`IST0173 ${DR} spec.subsets[0]`]);
  });

  t.test('pods that exist but are not Ready still count as selected (that is MESH0001)', async (t) => {
    const objs = [
      service('reviews'),
      pod('reviews-v1-a', 'shop', { app: 'reviews', version: 'v1' }, { ready: false }),
      destinationRule('reviews', 'shop', 'reviews', { v1: { version: 'v1' } }),
    ];
    t.same(check(objs), []);
  });
});

t.test('IST0174 UnknownDestinationRuleHost', async (t) => {
  t.test('a DestinationRule whose host has no Service', async (t) => {
    const objs = [...reviewsObjects(), destinationRule('ratings', 'shop', 'ratings', { v1: { version: 'v1' } })];
    const f = check(objs);
    t.same(summary(f), ['IST0174 DestinationRule shop/ratings spec.host']);
    t.equal(f[0].level, 'Warning');
    t.equal(f[0].message, 'The host ratings defined in the DestinationRule does not match any services in the mesh.');
  });

  t.test('external and wildcard hosts are left alone', async (t) => {
    const objs = [
      ...reviewsObjects(),
      destinationRule('ext', 'shop', 'api.example.com'),
      destinationRule('all', 'shop', '*.shop.svc.cluster.local'),
    ];
    t.same(check(objs), []);
  });
});

t.test('MESH0001 SubsetHasNoReadyPods (ours)', async (t) => {
  const notReadyV2 = (objs: Obj[]) => replace(objs, pod('reviews-v2-a', 'shop', { app: 'reviews', version: 'v2' }, { ready: false }));

  t.test('weight > 0 and a header route to a subset with no Ready pod', async (t) => {
    const f = check(notReadyV2(reviewsObjects()));
    t.same(summary(f), [`MESH0001 ${VS} spec.http[0].route[0].destination`, `MESH0001 ${VS} spec.http[1].route[1].destination`]);
    t.equal(f[0].level, 'Error');
    t.match(
      f[0].message,
      /Subset v2 of reviews\.shop\.svc\.cluster\.local receives traffic \(matched requests, rule "mesh-env-green"\) but has no Ready pod \(0\/1 Ready\)/,
    );
    t.match(f[1].message, /weight 20/);
  });

  t.test('weight 0 sends no traffic', async (t) => {
    const objs = replace(notReadyV2(reviewsObjects()), reviewsVs(primary(100, 0)));
    t.same(check(objs), []);
  });

  t.test('a terminating pod is not Ready', async (t) => {
    const objs = replace(reviewsObjects(), pod('reviews-v2-a', 'shop', { app: 'reviews', version: 'v2' }, { terminating: true }));
    t.same(summary(check(objs)).filter((s) => s.startsWith('MESH0001')).length, 2);
  });

  t.test('a subset selecting no pod at all is reported on the route too', async (t) => {
    const objs = reviewsObjects().filter((o) => o.metadata?.name !== 'reviews-v2-a');
    t.same(summary(check(objs)), [
      `IST0173 ${DR} spec.subsets[1]`,
      `MESH0001 ${VS} spec.http[0].route[0].destination`,
      `MESH0001 ${VS} spec.http[1].route[1].destination`,
    ]);
  });
});

t.test('subsetsWithoutReadyPods: the readiness gate', async (t) => {
  const snap = (objs: Obj[]) => snapshot(objs);
  t.same(subsetsWithoutReadyPods(snap(reviewsObjects()), 'reviews', 'shop', ['v1', 'v2']), [], 'all Ready: safe');
  const objs = [
    ...replace(reviewsObjects(), pod('reviews-v2-a', 'shop', { app: 'reviews', version: 'v2' }, { ready: false })),
    pod('reviews-v2-b', 'shop', { app: 'reviews', version: 'v2' }, { ready: false }),
  ];
  t.same(subsetsWithoutReadyPods(snap(objs), FQDN, 'shop', ['v1', 'v2']), [{ subset: 'v2', reason: 'none-ready', pods: 2, ready: 0 }]);
  t.same(subsetsWithoutReadyPods(snap(objs), 'reviews.shop', 'web', ['v9']), [
    { subset: 'v9', reason: 'unknown-subset', pods: 0, ready: 0 },
  ]);
  t.same(subsetsWithoutReadyPods(snap(objs), 'ratings', 'shop', ['v1']), [{ subset: 'v1', reason: 'no-service', pods: 0, ready: 0 }]);
  const noV1 = objs.filter((o) => !o.metadata.name.startsWith('reviews-v1'));
  t.same(subsetsWithoutReadyPods(snap(noV1), 'reviews', 'shop', ['v1']), [{ subset: 'v1', reason: 'no-pods', pods: 0, ready: 0 }]);
});

t.test('IST0109 ConflictingMeshGatewayVirtualServiceHosts', async (t) => {
  t.test('two mesh VirtualServices for one host, spelled differently', async (t) => {
    const objs = [
      ...reviewsObjects(),
      vs('reviews-hotfix')
        .hosts('reviews')
        .http(rule([{ host: 'reviews', subset: 'v1' }]))
        .build(),
    ];
    const f = check(objs).filter((x) => x.code === 'IST0109');
    t.same(summary(f), [`IST0109 ${VS} spec.hosts`, 'IST0109 VirtualService shop/reviews-hotfix spec.hosts']);
    t.match(
      f[0].message,
      `The VirtualServices shop/reviews,shop/reviews-hotfix associated with mesh gateway define the same host */${FQDN}`,
    );
  });

  t.test('gateways listing mesh count as mesh-bound', async (t) => {
    const objs = [
      ...reviewsObjects(),
      vs('reviews-edge')
        .hosts(FQDN)
        .gateways('shop/public', 'mesh')
        .http(rule([{ host: FQDN, subset: 'v1' }]))
        .build(),
    ];
    t.equal(check(objs).filter((x) => x.code === 'IST0109').length, 2);
  });

  t.test('a VirtualService bound only to an ingress gateway does not conflict', async (t) => {
    const objs = [
      ...reviewsObjects(),
      vs('reviews-edge')
        .hosts(FQDN)
        .gateways('shop/public')
        .http(rule([{ host: FQDN, subset: 'v1' }]))
        .build(),
    ];
    t.same(check(objs), []);
  });

  t.test('exportTo "." in different namespaces keeps them apart', async (t) => {
    const objs = [
      service('reviews'),
      service('front', 'web'),
      vs('a', 'shop')
        .hosts(FQDN)
        .exportTo('.')
        .http(rule([{ host: FQDN }]))
        .build(),
      vs('b', 'web')
        .hosts(FQDN)
        .exportTo('.')
        .http(rule([{ host: FQDN }]))
        .build(),
    ];
    t.same(check(objs), []);
  });
});

t.test('IST0130 VirtualServiceUnreachableRule', async (t) => {
  t.test('a user catch-all placed before our header route makes ours unreachable', async (t) => {
    const userDefault = rule([{ host: FQDN, subset: 'v1' }], { name: 'user-default', retries: { attempts: 3 } });
    const objs = replace(
      reviewsObjects(),
      reviewsVs(
        userDefault,
        rule([{ host: FQDN, subset: 'v2' }], { name: 'mesh-env-green', match: [headerMatch('x-env', 'green')] }),
        primary(),
      ),
    );
    const f = check(objs);
    // As Istio counts: one per match after a rule without matches, one for a second rule without matches.
    t.same(summary(f), [`IST0130 ${VS} spec.http[1].match[0]`, `IST0130 ${VS} spec.http[2]`]);
    t.equal(f[0].level, 'Warning');
    t.match(
      f[0].message,
      /^VirtualService rule "mesh-env-green" not used \(route without matches defined before\)\. The kubectl-mesh route is shadowed by rule "user-default"/,
    );
    t.match(
      f[1].message,
      /^VirtualService rule "mesh-primary" not used \(only the last rule can have no matches\)\. The kubectl-mesh route is shadowed/,
    );
  });

  t.test('a match on prefix "/" matches every request', async (t) => {
    const objs = replace(
      reviewsObjects(),
      reviewsVs(
        rule([{ host: FQDN, subset: 'v1' }], { match: [{ uri: { prefix: '/' } }] }),
        rule([{ host: FQDN, subset: 'v2' }], { name: 'mesh-env-green', match: [headerMatch('x-env', 'green')] }),
      ),
    );
    const f = check(objs);
    t.same(summary(f), [`IST0130 ${VS} spec.http[1].match[0]`]);
    t.match(
      f[0].message,
      /rule "mesh-env-green" not used \(route without matches defined before\)\. The kubectl-mesh route is shadowed by rule #0/,
    );
  });

  t.test('a rule whose only match duplicates an earlier one', async (t) => {
    const objs = replace(
      reviewsObjects(),
      reviewsVs(
        rule([{ host: FQDN, subset: 'v2' }], { name: 'mesh-env-green', match: [headerMatch('x-env', 'green')] }),
        rule([{ host: FQDN, subset: 'v1' }], { name: 'user-green', match: [{ name: 'dup', ...headerMatch('x-env', 'green') }] }),
        primary(),
      ),
    );
    const f = check(objs);
    // A fully duplicated rule gets both codes, as in Istio.
    t.same(summary(f), [`IST0130 ${VS} spec.http[1]`, `IST0131 ${VS} spec.http[1].match[0]`]);
    t.equal(
      f[0].message,
      'VirtualService rule "user-green" match "dup" is not used (duplicate/overlapping match in rule "mesh-env-green").',
    );
    t.equal(f[1].message, 'VirtualService rule "user-green" not used (all matches used by prior rules).');
  });

  t.test('a user header route placed before ours with the same match shadows ours', async (t) => {
    const objs = replace(
      reviewsObjects(),
      reviewsVs(
        rule([{ host: FQDN, subset: 'v1' }], { name: 'user-green', match: [headerMatch('x-env', 'green')] }),
        rule([{ host: FQDN, subset: 'v2' }], { name: 'mesh-env-green', match: [headerMatch('x-env', 'green')] }),
        primary(),
      ),
    );
    const f = check(objs);
    t.same(summary(f), [`IST0130 ${VS} spec.http[1]`, `IST0131 ${VS} spec.http[1].match[0]`]);
    t.match(
      f[1].message,
      /^VirtualService rule "mesh-env-green" not used \(all matches used by prior rules\)\. The kubectl-mesh route is shadowed by rule "user-green"/,
    );
  });

  t.test('no finding when header routes come before the catch-all (our layout)', async (t) => {
    t.same(check(reviewsObjects()), []);
  });
});

t.test('IST0131 VirtualServiceIneffectiveMatch', async (t) => {
  t.test('one of two match clauses duplicates an earlier rule', async (t) => {
    const objs = replace(
      reviewsObjects(),
      reviewsVs(
        rule([{ host: FQDN, subset: 'v2' }], { name: 'mesh-env-green', match: [headerMatch('x-env', 'green')] }),
        rule([{ host: FQDN, subset: 'v1' }], { name: 'user-qa', match: [headerMatch('x-env', 'qa'), headerMatch('x-env', 'green')] }),
        primary(),
      ),
    );
    const f = check(objs);
    t.same(summary(f), [`IST0131 ${VS} spec.http[1].match[1]`]);
    t.equal(f[0].level, 'Info');
    t.equal(f[0].message, 'VirtualService rule "user-qa" match #1 is not used (duplicate/overlapping match in rule "mesh-env-green").');
  });

  t.test('an earlier prefix covers a later, narrower clause', async (t) => {
    const objs = replace(
      reviewsObjects(),
      reviewsVs(
        rule([{ host: FQDN, subset: 'v2' }], { match: [{ uri: { prefix: '/api' }, headers: { 'x-env': { prefix: 'gr' } } }] }),
        rule([{ host: FQDN, subset: 'v1' }], {
          match: [{ uri: { prefix: '/static' } }, { uri: { exact: '/api/v2' }, headers: { 'x-env': { exact: 'green' } } }],
        }),
        primary(),
      ),
    );
    t.same(summary(check(objs)), [`IST0131 ${VS} spec.http[1].match[1]`]);
  });

  t.test('clauses that differ are not reported', async (t) => {
    const objs = replace(
      reviewsObjects(),
      reviewsVs(
        rule([{ host: FQDN, subset: 'v2' }], { match: [headerMatch('x-env', 'green')] }),
        rule([{ host: FQDN, subset: 'v1' }], { match: [headerMatch('x-env', 'blue'), { uri: { prefix: '/api' } }] }),
        rule([{ host: FQDN, subset: 'v1' }], { match: [{ uri: { prefix: '/api' }, headers: { 'x-env': { exact: 'blue' } }, port: 8080 }] }),
        primary(),
      ),
    );
    // rule 2 is narrower than rule 1's second clause (/api), so it is covered: reported as unreachable.
    t.same(summary(check(objs)), [`IST0130 ${VS} spec.http[2]`, `IST0131 ${VS} spec.http[2].match[0]`]);
  });
});

t.test('MESH0002 WeightsDoNotSumTo100 (ours): weights are relative, only a total of 0 is flagged', async (t) => {
  t.same(check(replace(reviewsObjects(), reviewsVs(primary(70, 20)))), [], '70 + 20 is a 22.2% share: Istio accepts it');
  t.same(check(replace(reviewsObjects(), reviewsVs(primary(199, 1)))), [], '199 + 1 is a 0.5% canary');
  const f = check(replace(reviewsObjects(), reviewsVs(primary(0, 0))));
  t.same(summary(f), [`MESH0002 ${VS} spec.http[0].route`]);
  t.equal(f[0].level, 'Warning');
  t.equal(f[0].message, 'Weights of rule "mesh-primary" add up to 0 (0 + 0): Istio rejects the route.');
  t.same(check(replace(reviewsObjects(), reviewsVs(primary(100, 0)))), [], '100 + 0 is fine');
  t.same(check(replace(reviewsObjects(), reviewsVs(rule([{ host: FQDN, subset: 'v1' }])))), [], 'one destination without weight is fine');
  t.same(
    summary(
      check(
        replace(
          reviewsObjects(),
          reviewsVs(
            rule([
              { host: FQDN, subset: 'v1' },
              { host: FQDN, subset: 'v2' },
            ]),
          ),
        ),
      ),
    ),
    [`MESH0002 ${VS} spec.http[0].route`],
    'two destinations without weights add up to 0',
  );
});

t.test('MESH0004 InvalidWeight (ours)', async (t) => {
  const objs = replace(reviewsObjects(), reviewsVs(primary(112.5, -12.5)));
  const f = check(objs);
  t.same(
    summary(f),
    [`MESH0004 ${VS} spec.http[0].route[0].weight`, `MESH0004 ${VS} spec.http[0].route[1].weight`],
    'no MESH0002 on top: the sum of invalid weights means nothing',
  );
  t.equal(f[0].level, 'Error');
  t.same(
    summary(check(replace(reviewsObjects(), reviewsVs(primary(80, '20' as unknown as number))))),
    [`MESH0004 ${VS} spec.http[0].route[1].weight`],
    'a string is not a weight',
  );
  t.same(check(reviewsObjects()), [], 'integers are fine');
});

t.test('MESH0003 InvalidHeaderName (ours)', async (t) => {
  const objs = replace(
    reviewsObjects(),
    reviewsVs(
      rule([{ host: FQDN, subset: 'v2' }], { name: 'mesh-env-green', match: [headerMatch('X-Env', 'green')] }),
      rule([{ host: FQDN, subset: 'v2' }], {
        name: 'user-odd',
        match: [{ headers: { 'x env': { exact: 'a' } }, withoutHeaders: { 'X-Debug': {} } }],
      }),
      primary(),
    ),
  );
  const f = check(objs);
  t.same(summary(f), [
    `MESH0003 ${VS} spec.http[0].match[0].headers`,
    `MESH0003 ${VS} spec.http[1].match[0].headers`,
    `MESH0003 ${VS} spec.http[1].match[0].withoutHeaders`,
  ]);
  t.match(f[0].message, /"X-Env" must be lowercase/);
  t.match(f[1].message, /"x env" is not a valid HTTP header name/);
  t.same(
    check(
      replace(
        reviewsObjects(),
        reviewsVs(
          rule([{ host: FQDN, subset: 'v2' }], {
            match: [headerMatch('x-b3-traceid', 'a'), headerMatch(':authority', 'shop.example.com')],
          }),
          primary(),
        ),
      ),
    ),
    [],
    'lowercase tokens and pseudo-headers are fine',
  );
});

t.test('opts.namespace limits findings to that namespace but resolves references everywhere', async (t) => {
  const objs = [
    ...reviewsObjects(),
    service('front', 'web'),
    vs('front', 'web')
      .hosts('front')
      .http(rule([{ host: 'nowhere' }]))
      .build(),
    vs('cart')
      .hosts('cart')
      .http(rule([{ host: 'front.web' }]))
      .build(),
  ];
  t.same(summary(check(objs, { namespace: 'shop' })), [], 'shop/cart routes to front.web, which exists');
  t.same(summary(check(objs, { namespace: 'web' })), ['IST0101 VirtualService web/front spec.http[0].route[0].destination.host']);
  t.same(summary(check(objs)), ['IST0101 VirtualService web/front spec.http[0].route[0].destination.host']);
});

t.test('malformed objects do not throw', async (t) => {
  const junk: Obj[] = [
    {
      kind: 'VirtualService',
      metadata: { name: 'x', namespace: 'shop' },
      spec: { http: [null, { route: 'nope', match: {} }, { route: [{}] }] },
    },
    { kind: 'VirtualService', metadata: { name: 'y' } },
    { kind: 'DestinationRule', metadata: { name: 'z', namespace: 'shop' }, spec: { host: 42, subsets: [null] } },
    { kind: 'DestinationRule', metadata: { name: 'w', namespace: 'shop' }, spec: { host: 'reviews', subsets: [null, { name: 'v1' }] } },
  ];
  t.doesNotThrow(() => check([...reviewsObjects(), ...junk]));
});
