import t from 'tap';
import { parseIstioctlAnalyzeJson } from '../../../src/analysis/istioctl-output.js';

// What `istioctl analyze - -o json -n shop` prints (Go json.MarshalIndent with tabs, keys sorted):
// see istio/istio istioctl/pkg/util/formatting/formatter.go and pkg/config/analysis/diag/message.go.
const SAMPLE = `[
\t{
\t\t"code": "IST0101",
\t\t"documentationUrl": "https://istio.io/v1.27/docs/reference/config/analysis/ist0101/?ref=istioctl-analyze",
\t\t"level": "Error",
\t\t"message": "Referenced host+subset in destinationrule not found: \\"reviews.shop.svc.cluster.local+v3\\"",
\t\t"origin": "VirtualService shop/reviews",
\t\t"reference": "-:24"
\t},
\t{
\t\t"code": "IST0174",
\t\t"documentationUrl": "https://istio.io/v1.27/docs/reference/config/analysis/ist0174/?ref=istioctl-analyze",
\t\t"level": "Warning",
\t\t"message": "The host ratings defined in the DestinationRule does not match any services in the mesh.",
\t\t"origin": "DestinationRule shop/ratings"
\t},
\t{
\t\t"code": "IST0102",
\t\t"documentationUrl": "https://istio.io/v1.27/docs/reference/config/analysis/ist0102/?ref=istioctl-analyze",
\t\t"level": "Info",
\t\t"message": "The namespace is not enabled for Istio injection. Run 'kubectl label namespace shop istio-injection=enabled' to enable it, or 'kubectl label namespace shop istio-injection=disabled' to explicitly mark it as not needing injection.",
\t\t"origin": "Namespace shop"
\t}
]
`;

t.test('parses the real format', async (t) => {
  const r = parseIstioctlAnalyzeJson(SAMPLE);
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(
    r.findings.map((f) => [f.code, f.level, f.origin]),
    [
      ['IST0101', 'Error', 'VirtualService shop/reviews'],
      ['IST0174', 'Warning', 'DestinationRule shop/ratings'],
      ['IST0102', 'Info', 'Namespace shop'],
    ],
  );
  t.same(r.findings[0], {
    code: 'IST0101',
    level: 'Error',
    origin: 'VirtualService shop/reviews',
    message: 'Referenced host+subset in destinationrule not found: "reviews.shop.svc.cluster.local+v3"',
    documentationUrl: 'https://istio.io/v1.27/docs/reference/config/analysis/ist0101/?ref=istioctl-analyze',
    reference: '-:24',
    source: 'istioctl',
  });
  t.notOk('reference' in r.findings[1], 'no reference for live-cluster objects');
});

t.test('no findings: [] and null', async (t) => {
  t.same(parseIstioctlAnalyzeJson('[]\n'), { ok: true, findings: [] });
  t.same(parseIstioctlAnalyzeJson('null\n', '✔ No validation issues found when analyzing namespace: shop.\n'), { ok: true, findings: [] });
});

t.test('log lines before and after the array', async (t) => {
  const noisy = [
    'Reading from stdin:',
    'W1126 10:02:11.123456   4242 warnings.go:70] networking.istio.io/v1alpha3 VirtualService is deprecated; use networking.istio.io/v1 VirtualService',
    SAMPLE.trimEnd(),
    '2026-11-26T10:02:12.000000Z\tinfo\tanalysis done [took 1.2s]',
  ].join('\n');
  const r = parseIstioctlAnalyzeJson(noisy);
  t.ok(r.ok);
  t.equal(r.ok && r.findings.length, 3);
});

t.test('a bracketed log line before the array is skipped', async (t) => {
  const r = parseIstioctlAnalyzeJson(`[warn] something odd\n${SAMPLE}`);
  t.equal(r.ok && r.findings.length, 3);
});

t.test('unknown fields and levels are tolerated; entries without a code are dropped', async (t) => {
  const r = parseIstioctlAnalyzeJson(
    JSON.stringify([
      { code: 'IST0130', level: 'WARNING', origin: 'VirtualService shop/reviews', message: 'm', cluster: 'east', extra: { a: 1 } },
      { code: 'IST9999', level: 'Critical', message: 'future level' },
      { level: 'Error', message: 'no code' },
      'not an object',
    ]),
  );
  t.ok(r.ok);
  if (!r.ok) return;
  t.same(
    r.findings.map((f) => [f.code, f.level, f.origin]),
    [
      ['IST0130', 'Warning', 'VirtualService shop/reviews'],
      ['IST9999', 'Warning', ''],
    ],
  );
  t.equal(r.findings[1].documentationUrl, undefined);
});

t.test('namespace not found: istioctl analysed nothing', async (t) => {
  t.same(parseIstioctlAnalyzeJson('', 'namespace "shop" not found\n'), { ok: false, reason: 'namespace-not-found', namespace: 'shop' });
});

t.test('empty and unparsable output', async (t) => {
  t.same(parseIstioctlAnalyzeJson('', 'Error: unknown flag: --bogus\n'), {
    ok: false,
    reason: 'empty',
    detail: 'Error: unknown flag: --bogus',
  });
  t.same(parseIstioctlAnalyzeJson('   \n'), { ok: false, reason: 'empty', detail: '' });
  t.same(parseIstioctlAnalyzeJson('Error [IST0101] (VirtualService shop/reviews) Referenced host not found: "x"\n'), {
    ok: false,
    reason: 'unparsable',
    detail: 'Error [IST0101] (VirtualService shop/reviews) Referenced host not found: "x"',
  });
  t.same(parseIstioctlAnalyzeJson('[\n\t{ "code": "IST0101", \n'), { ok: false, reason: 'unparsable', detail: '[' }, 'truncated JSON');
  t.same(
    parseIstioctlAnalyzeJson('{"clientVersion":{}}'),
    { ok: false, reason: 'unparsable', detail: '{"clientVersion":{}}' },
    'an object is not the array',
  );
  t.same(parseIstioctlAnalyzeJson('[1, 2, 3]'), { ok: false, reason: 'unparsable', detail: '[1, 2, 3]' }, 'an array of non-messages');
});
