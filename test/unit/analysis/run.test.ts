import t from 'tap';
import { analyzeChange, dedupeFindings, mergeProposed } from '../../../src/analysis/run.js';
import type { Finding, IstioctlAnalyzeRequest, IstioctlRunner, Obj } from '../../../src/analysis/types.js';
import { destinationRule, headerMatch, reviewsObjects, rule, snapshot, summary, vs } from './fixtures.js';

const FQDN = 'reviews.shop.svc.cluster.local';
const VS = 'VirtualService shop/reviews';

const istioFinding = (code: string, level: Finding['level'], origin: string, message: string): Finding => ({
  code,
  level,
  origin,
  message,
  source: 'istioctl',
  documentationUrl: `https://istio.io/v1.27/docs/reference/config/analysis/${code.toLowerCase()}/`,
});

/** A runner that records its request and answers `result`. */
const fakeRunner = (result: Awaited<ReturnType<IstioctlRunner>>) => {
  const calls: IstioctlAnalyzeRequest[] = [];
  const run: IstioctlRunner = async (req) => {
    calls.push(req);
    return result;
  };
  return { run, calls };
};

/** Our proposed change: route 50% to a subset v3 that no DestinationRule defines yet. */
const proposedVs = (): Obj => {
  const o = vs('reviews')
    .hosts(FQDN)
    .http(
      rule(
        [
          { host: FQDN, subset: 'v1', weight: 50 },
          { host: FQDN, subset: 'v3', weight: 50 },
        ],
        { name: 'mesh-primary' },
      ),
    )
    .build();
  delete o.metadata.namespace; // proposed objects may leave the namespace to the command
  return o;
};

t.test('mergeProposed replaces same kind+namespace+name and appends new objects', async (t) => {
  const base = snapshot(reviewsObjects());
  const merged = mergeProposed(
    base,
    [proposedVs(), destinationRule('ratings', 'shop', 'ratings'), { kind: 'ConfigMap', metadata: { name: 'x' } }],
    'shop',
  );
  t.equal(merged.virtualServices.length, 1);
  t.equal(merged.virtualServices[0].spec!.http![0].route![1].destination?.subset, 'v3');
  t.equal(merged.virtualServices[0].metadata.namespace, 'shop', 'namespace filled in');
  t.equal(merged.destinationRules.length, 2);
  t.equal(base.virtualServices[0].spec!.http!.length, 2, 'the input snapshot is not modified');
  t.equal(merged.gateways, undefined);
  const withGw = mergeProposed({ ...base, gateways: [] }, [{ kind: 'Gateway', metadata: { name: 'gw', namespace: 'shop' } }], 'shop');
  t.equal(withGw.gateways!.length, 1);
});

t.test('without istioctl: built-in findings on the merged state, and a notice', async (t) => {
  const r = await analyzeChange({ snapshot: snapshot(reviewsObjects()), proposed: [proposedVs()], namespace: 'shop' });
  t.same(summary(r.findings), [`IST0101 ${VS} spec.http[0].route[1].destination.subset`]);
  t.equal(r.istioctlUsed, false);
  t.match(r.notice, /istioctl was not run/);
});

t.test("istioctl findings are merged; the same code+object keeps istioctl's wording", async (t) => {
  const fromIstio = [
    istioFinding('IST0101', 'Error', VS, `Referenced host+subset in destinationrule not found: "${FQDN}+v3"`),
    istioFinding('IST0102', 'Info', 'Namespace shop', 'The namespace is not enabled for Istio injection.'),
  ];
  const { run, calls } = fakeRunner({ used: true, findings: fromIstio });
  const r = await analyzeChange({
    snapshot: snapshot(reviewsObjects()),
    proposed: [proposedVs()],
    namespace: 'shop',
    istioctl: run,
    kubeconfig: '/tmp/kc',
    context: 'kind-test',
  });
  t.equal(r.istioctlUsed, true);
  t.equal(r.notice, undefined);
  t.same(
    r.findings.map((f) => [f.code, f.source]),
    [
      ['IST0101', 'istioctl'],
      ['IST0102', 'istioctl'],
    ],
  );
  t.equal(calls.length, 1);
  t.same(calls[0].namespace, 'shop');
  t.equal(calls[0].objects[0].metadata.namespace, 'shop', 'istioctl gets the namespace too');
  t.equal(calls[0].kubeconfig, '/tmp/kc');
  t.equal(calls[0].context, 'kind-test');
  t.equal(calls[0].allNamespaces, undefined);
});

t.test('istioctl unavailable: built-in findings and its notice', async (t) => {
  const { run } = fakeRunner({
    used: false,
    notice: 'istioctl not found on PATH; only built-in checks ran (pass --istioctl PATH or set ISTIOCTL)',
  });
  const r = await analyzeChange({ snapshot: snapshot(reviewsObjects()), proposed: [proposedVs()], namespace: 'shop', istioctl: run });
  t.equal(r.istioctlUsed, false);
  t.equal(r.notice, 'istioctl not found on PATH; only built-in checks ran (pass --istioctl PATH or set ISTIOCTL)');
  t.same(summary(r.findings), [`IST0101 ${VS} spec.http[0].route[1].destination.subset`]);
});

t.test('a runner that throws is treated like an unavailable istioctl', async (t) => {
  const run: IstioctlRunner = async () => {
    throw new Error('boom');
  };
  const r = await analyzeChange({ snapshot: snapshot(reviewsObjects()), proposed: [], namespace: 'shop', istioctl: run });
  t.equal(r.istioctlUsed, false);
  t.equal(r.notice, 'istioctl failed (boom); only built-in checks ran');
  const run2: IstioctlRunner = async () => {
    throw 'text';
  };
  t.match((await analyzeChange({ snapshot: snapshot([]), proposed: [], namespace: 'shop', istioctl: run2 })).notice, /\(text\)/);
});

t.test('findings are ordered Error, Warning, Info; allNamespaces widens the built-in scope', async (t) => {
  const objs = [
    ...reviewsObjects(),
    destinationRule('ratings', 'web', 'ratings', {}),
    vs('front', 'web')
      .hosts('front')
      .http(rule([{ host: 'nowhere' }]))
      .build(),
  ];
  const { run, calls } = fakeRunner({ used: true, findings: [istioFinding('IST0102', 'Info', 'Namespace web', 'not injected')] });
  const r = await analyzeChange({ snapshot: snapshot(objs), proposed: [], namespace: 'shop', allNamespaces: true, istioctl: run });
  t.same(
    r.findings.map((f) => `${f.level} ${f.code} ${f.origin}`),
    ['Error IST0101 VirtualService web/front', 'Warning IST0174 DestinationRule web/ratings', 'Info IST0102 Namespace web'],
  );
  t.equal(calls[0].allNamespaces, true);
  const scoped = await analyzeChange({ snapshot: snapshot(objs), proposed: [], namespace: 'shop' });
  t.same(scoped.findings, []);
});

t.test('dedupe of per-rule codes matches the rule Istio names', async (t) => {
  const objs = [
    ...reviewsObjects().filter((o) => o.kind !== 'VirtualService'),
    vs('reviews')
      .hosts(FQDN)
      .http(
        rule([{ host: FQDN, subset: 'v1' }], { name: 'user-default' }),
        rule([{ host: FQDN, subset: 'v2' }], { name: 'mesh-env-green', match: [headerMatch('x-env', 'green')] }),
        rule([{ host: FQDN, subset: 'v2' }], { match: [headerMatch('x-env', 'green')] }),
      )
      .build(),
  ];
  const snap = snapshot(objs);
  const { run } = fakeRunner({
    used: true,
    findings: [
      // istioctl only spots the second no-match situation for rule #2 (it reports each rule separately).
      istioFinding(
        'IST0130',
        'Warning',
        'VirtualService reviews.shop',
        'VirtualService rule #2 not used (route without matches defined before).',
      ),
    ],
  });
  const r = await analyzeChange({ snapshot: snap, proposed: [], namespace: 'shop', istioctl: run });
  t.same(
    r.findings.map((f) => `${f.code} ${f.source} ${f.path ?? ''}`),
    ['IST0130 istioctl ', 'IST0130 built-in spec.http[1].match[0]'],
    'old-style origin "reviews.shop" is recognised; our finding on "mesh-env-green" survives',
  );
});

t.test('dedupeFindings details', async (t) => {
  const snap = snapshot([
    vs('reviews')
      .hosts(FQDN)
      .http(
        rule([{ host: FQDN, subset: 'v2' }], {
          name: 'a',
          match: [headerMatch('x-env', 'green'), { name: 'm1', ...headerMatch('x-env', 'blue') }],
        }),
        rule([{ host: FQDN, subset: 'v2' }], { match: [headerMatch('x-env', 'green'), headerMatch('x-env', 'blue')] }),
      )
      .build(),
  ]);
  const builtIn: Finding[] = [
    { code: 'IST0131', level: 'Info', origin: VS, message: 'ours m0', source: 'built-in', path: 'spec.http[1].match[0]' },
    { code: 'IST0131', level: 'Info', origin: VS, message: 'ours m1', source: 'built-in', path: 'spec.http[1].match[1]' },
    { code: 'IST0131', level: 'Info', origin: VS, message: 'no path', source: 'built-in' },
    { code: 'IST0130', level: 'Warning', origin: VS, message: 'rule path missing', source: 'built-in', path: 'spec.tcp[0]' },
    { code: 'MESH0002', level: 'Warning', origin: VS, message: 'ours only', source: 'built-in', path: 'spec.http[0].route' },
  ];
  const istio = [
    istioFinding('IST0131', 'Info', VS, 'VirtualService rule #1 match #0 is not used (duplicate/overlapping match in rule "a").'),
    istioFinding('IST0130', 'Warning', VS, 'VirtualService rule #0 not used (x).'),
  ];
  t.same(
    dedupeFindings(builtIn, istio, snap).map((f) => f.message),
    [istio[0].message, istio[1].message, 'ours m1', 'ours only'],
  );
});
