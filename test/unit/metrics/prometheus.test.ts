import http from 'node:http';
import type { AddressInfo } from 'node:net';
import t from 'tap';
import { checkFigures, checkQueries, workloadMetrics } from '../../../src/metrics/collect.js';
import {
  ADDON,
  authorization,
  locatePrometheus,
  prometheus,
  PrometheusError,
  proxyGet,
  serviceProxyPath,
  urlGet,
} from '../../../src/metrics/prometheus.js';
import { checkQuery, fillPlaceholders, p99Query, promDuration, successRateQuery } from '../../../src/metrics/queries.js';
import { parseVector } from '../../../src/metrics/result.js';

t.test("queries are Flagger's, filtered by workload and its namespace, reporter=destination", async (t) => {
  t.equal(
    successRateQuery(['shop'], ['reviews-v2'], '30s'),
    'sum by (destination_workload_namespace,destination_workload) (rate(istio_requests_total{reporter="destination",destination_workload_namespace="shop",destination_workload=~"reviews-v2",response_code!~"5.*"}[30s])) / sum by (destination_workload_namespace,destination_workload) (rate(istio_requests_total{reporter="destination",destination_workload_namespace="shop",destination_workload=~"reviews-v2"}[30s])) * 100',
  );
  t.equal(
    p99Query(['shop'], ['reviews-v1', 'reviews-v2'], '1m'),
    'histogram_quantile(0.99, sum by (le,destination_workload_namespace,destination_workload) (rate(istio_request_duration_milliseconds_bucket{reporter="destination",destination_workload_namespace="shop",destination_workload=~"reviews-v1|reviews-v2"}[1m])))',
  );
  t.notMatch(
    checkQuery(['success-rate', 'p99'], { namespace: 'shop', workloads: ['a'], window: '5s' }),
    /destination_service=/,
    'never by service alone',
  );
  t.match(p99Query(['shop'], ['api.v2'], '5s'), 'destination_workload=~"api\\\\.v2"', 'regex metacharacters in names are escaped');
  t.equal(
    fillPlaceholders('x{a="{{service}}",b="{{ namespace }}",c="{{workload}}",d="{{subset}}"}[{{window}}]', {
      service: 's',
      namespace: 'n',
      workload: 'w',
      subset: 'v2',
      window: '5s',
    }),
    'x{a="s",b="n",c="w",d="v2"}[5s]',
  );
  t.equal(promDuration(1500), '2s');
  t.equal(promDuration(0), '1s');
});

t.test('one query per check for the built-ins; custom gates once per subset', async (t) => {
  const scope = {
    namespace: 'shop',
    service: 'reviews',
    subsets: { canary: 'v2', stable: 'v1' },
    workloads: { canary: 'reviews-v2', stable: 'reviews-v1' },
    windowMs: 5000,
  };
  const gates = [
    { name: 'success-rate', metric: 'success-rate' as const, op: '>=' as const, threshold: 99 },
    { name: 'q', metric: 'custom' as const, op: '<=' as const, threshold: 1, query: 'sum(x{w="{{workload}}"})' },
  ];
  const planned = checkQueries({ gates, maxRegression: [{ metric: 'p99', allowance: 100 }], compareStable: true }, scope);
  t.equal(planned.length, 3);
  t.match(planned[0].query, /label_replace\(sum by .*"metric", "success-rate".* or label_replace\(histogram_quantile/s);
  t.strictSame(
    planned.slice(1).map((p) => p.query),
    ['sum(x{w="reviews-v2"})', 'sum(x{w="reviews-v1"})'],
  );
  t.equal(checkQueries({ gates, maxRegression: [], compareStable: false }, scope).length, 2, 'no stable queries without --compare-stable');
});

t.test('answers: vectors, NaN is no data, errors are readable', async (t) => {
  const body = {
    status: 'success',
    data: {
      resultType: 'vector',
      result: [
        { metric: { destination_workload: 'a', metric: 'p99' }, value: [1, '12.5'] },
        { metric: { destination_workload: 'b', metric: 'p99' }, value: [1, 'NaN'] },
      ],
    },
  };
  t.strictSame(parseVector(body), [{ labels: { destination_workload: 'a', metric: 'p99' }, value: 12.5 }]);
  t.strictSame(parseVector({ status: 'success', data: { resultType: 'scalar', result: [1, '3'] } }), [{ labels: {}, value: 3 }]);
  t.throws(() => parseVector({ status: 'error', errorType: 'bad_data', error: 'parse error' }), /bad_data: parse error/);
  t.throws(() => parseVector('<html>'), /<html>/);
});

t.test("where Prometheus is: flag, then $MESH_PROMETHEUS_URL, then Istio's addon through the service proxy", async (t) => {
  t.strictSame(locatePrometheus('http://p:9090', { MESH_PROMETHEUS_URL: 'http://e' }), { kind: 'url', url: 'http://p:9090', from: 'flag' });
  t.strictSame(locatePrometheus(undefined, { MESH_PROMETHEUS_URL: 'http://e' }), { kind: 'url', url: 'http://e', from: 'env' });
  t.strictSame(locatePrometheus(undefined, {}), ADDON);
  t.equal(
    serviceProxyPath(ADDON as never, '/api/v1/query', { query: 'up{a="b"}' }),
    '/api/v1/namespaces/istio-system/services/http:prometheus:9090/proxy/api/v1/query?query=up%7Ba%3D%22b%22%7D',
  );
  const seen: string[] = [];
  const prom = prometheus(
    ADDON,
    proxyGet(ADDON as never, async (path) => {
      seen.push(path);
      return { status: 200, body: { status: 'success', data: { resultType: 'vector', result: [] } } };
    }),
  );
  t.strictSame(await prom.query('up'), []);
  t.strictSame(
    seen,
    ['/api/v1/namespaces/istio-system/services/http:prometheus:9090/proxy/api/v1/query?query=up'],
    'the request the API server gets',
  );
  const down = prometheus(
    ADDON,
    proxyGet(ADDON as never, async () => ({ status: 503, body: 'no endpoints available for service "prometheus"' })),
  );
  await t.rejects(down.query('up'), PrometheusError);
  await t.rejects(down.query('up'), /answered 503: no endpoints available/);
});

t.test('token file: bearer token, Basic from user:password, or the header as written', async (t) => {
  t.equal(authorization('abc.def\n'), 'Bearer abc.def');
  t.equal(authorization('eyJhbGciOi.x.y'), 'Bearer eyJhbGciOi.x.y');
  t.equal(authorization('me:secret'), `Basic ${Buffer.from('me:secret').toString('base64')}`);
  t.equal(authorization('Basic Zm9v'), 'Basic Zm9v');
});

t.test('HTTP client: path prefix, auth header, timeouts; figures per workload', async (t) => {
  const requests: { url: string; auth?: string }[] = [];
  const server = http.createServer((req, res) => {
    requests.push({ url: req.url!, auth: req.headers.authorization });
    if (req.url!.includes('slow')) return; // never answers
    const q = new URL(req.url!, 'http://x').searchParams.get('query')!;
    const result = q.includes('custom')
      ? [{ metric: {}, value: [1, '7'] }]
      : [
          {
            metric: { destination_workload: 'reviews-v2', destination_workload_namespace: 'shop', metric: 'success-rate' },
            value: [1, '97'],
          },
          {
            metric: { destination_workload: 'reviews-v1', destination_workload_namespace: 'shop', metric: 'success-rate' },
            value: [1, '100'],
          },
          { metric: { destination_workload: 'reviews-v1', destination_workload_namespace: 'shop', metric: 'rps' }, value: [1, '10'] },
        ];
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ status: 'success', data: { resultType: 'vector', result } }));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => server.close());
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/prom`;
  const prom = prometheus({ kind: 'url', url: base, from: 'flag' }, urlGet(base, 'Bearer t0k'));
  const figures = await checkFigures(
    prom,
    {
      gates: [
        { name: 'success-rate', metric: 'success-rate', op: '>=', threshold: 99 },
        { name: 'c', metric: 'custom', op: '<=', threshold: 1, query: 'custom{{workload}}' },
      ],
      maxRegression: [],
      compareStable: true,
    },
    {
      namespace: 'shop',
      service: 'reviews',
      subsets: { canary: 'v2', stable: 'v1' },
      workloads: { canary: 'reviews-v2', stable: 'reviews-v1' },
      windowMs: 5000,
    },
  );
  t.strictSame(figures.get('success-rate'), { canary: 97, stable: 100 });
  t.strictSame(figures.get('c'), { canary: 7, stable: 7 });
  t.equal(prom.queryCount, 3);
  t.ok(requests.every((r) => r.url.startsWith('/prom/api/v1/query?query=') && r.auth === 'Bearer t0k'));
  const metrics = await workloadMetrics(prom, ['shop'], 30_000, 1000);
  t.strictSame(metrics.get('shop/reviews-v1'), { successRate: 100, rps: 10 });
  const slow = prometheus({ kind: 'url', url: `${base}/slow`, from: 'flag' }, urlGet(`${base}/slow`));
  const started = Date.now();
  await t.rejects(slow.query('up', 200), /did not answer: no answer within 200ms/);
  t.ok(Date.now() - started < 2000, 'gives up after its timeout');
  const refused = prometheus({ kind: 'url', url: 'http://127.0.0.1:1', from: 'flag' }, urlGet('http://127.0.0.1:1'));
  await t.rejects(refused.query('up'), /did not answer: .*ECONNREFUSED/);
});
