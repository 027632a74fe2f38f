// API requests per command must not grow with the number of services (DESIGN §8: list, don't get in a
// loop). Every verb runs once in a namespace with 2 services, then again with 20; the counts (from the
// -v=6 request log) must be equal. The measured counts are printed as TAP comments.
//
// Measured on 2026-11-27 (kube-apiserver v1.36, HTTP/2), requests per command, the same with 2 and 20 services
// (istioctl analyze runs as its own process; its requests are not in these counts):
//   canary (creates DR + VS) 8, canary (weight change) 7, canary --scale-hpa 9, green 7, env --delete 7,
//   canary --dry-run=client 6, canary --dry-run=server 7, history 6, status SERVICE 6, status -n 6, status -A 6,
//   promote 9, rollback 9, rollback --to-revision 1 (deletes VS + DR) 10.
//   Reads: 5 lists (services, virtualservices, destinationrules, deployments, HPAs) + pods. API discovery is
//   cached in kubectl's disk cache (6 h), so a warm command makes no discovery request; a cold one makes 2
//   (/api, /apis). Each count is one lower than before the cache (2026-11-26) for that reason alone.
//   Since 2026-11-27 every write and status also list HTTPRoutes once, cluster-wide (GAMMA routes, MESH0006): +1
//   on each count above.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { createApp, createNamespace, createServices, deleteNamespace, requestCount, requests, scratchNamespace } from './support.js';

const ns = scratchNamespace('e2e-count');
const cacheDir = mkdtempSync(path.join(os.tmpdir(), 'mesh-count-cache-'));
/** A private discovery cache, warmed in before(): every measured command is a warm one. */
const env = { KUBECACHEDIR: cacheDir };

const verbs: [string, string[]][] = [
  ['canary (creates DR + VS)', ['canary', '20', 'reviews']],
  ['canary (weight change)', ['canary', '30', 'reviews']],
  ['canary --scale-hpa', ['canary', '40', 'reviews', '--scale-hpa']],
  ['green', ['green', 'reviews']],
  ['env --delete', ['green', 'reviews', '--delete']],
  ['canary --dry-run=client', ['canary', '50', 'reviews', '--dry-run=client']],
  ['canary --dry-run=server', ['canary', '50', 'reviews', '--dry-run=server']],
  ['history', ['history', 'reviews']],
  ['status SERVICE', ['status', 'reviews']],
  ['status -n', ['status']],
  ['status -A', ['status', '-A']],
  ['promote', ['promote', 'reviews']],
  ['rollback', ['rollback', 'reviews']],
  ['rollback --to-revision 1 (deletes)', ['rollback', 'reviews', '--to-revision', '1']],
];

async function measure(): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const [name, args] of verbs) counts.set(name, await requestCount([...args, '-n', ns], { env }));
  return counts;
}

t.before(async () => {
  await createNamespace(ns, { 'istio-injection': 'enabled' });
  await createApp(ns, 'reviews', ['v1', 'v2']);
  await createApp(ns, 'ratings', ['v1', 'v2', 'v3']);
});
t.teardown(async () => {
  await deleteNamespace(ns);
  rmSync(cacheDir, { recursive: true, force: true });
});

t.test('discovery: a cold command asks /api and /apis and caches them; a warm one asks nothing', async (t) => {
  const cold = await requests(['status', '-n', ns], { env });
  t.equal(cold.result.code, 0, cold.result.stderr);
  t.same(
    cold.lines
      .map((l) => new URL(l.url).pathname)
      .filter((p) => p === '/api' || p === '/apis')
      .sort(),
    ['/api', '/apis'],
  );
  const warm = await requests(['status', '-n', ns], { env });
  t.same(
    warm.lines.filter((l) => /^\/apis?$/.test(new URL(l.url).pathname)),
    [],
    'no discovery request',
  );
  t.equal(warm.lines.length, cold.lines.length - 2);
});

t.test('every verb makes the same number of API requests with 2 services as with 20', { timeout: 240_000 }, async (t) => {
  const two = await measure();
  await createServices(ns, 'small', 18, ['v1', 'v2']);
  const services = await requests(['status', '-n', ns, '-o', 'json'], { env });
  t.equal(JSON.parse(services.result.stdout).length, 20, '20 services now');
  const twenty = await measure();
  for (const [name] of verbs) {
    t.comment(
      `${name.padEnd(36)} ${String(two.get(name)).padStart(3)} requests (2 services), ${String(twenty.get(name)).padStart(3)} (20 services)`,
    );
    t.equal(twenty.get(name), two.get(name), `${name}: same count with 20 services`);
  }
  // status -n: six lists of the namespace (Services, VirtualServices, DestinationRules, Deployments, Pods, HPAs),
  // one cluster-wide HTTPRoute list (a GAMMA route in any namespace can name our Service, MESH0006) and one
  // metrics query through the API server's service proxy to istio-system/prometheus (the documented default; it
  // runs alongside the lists, and a 404 there is the only way to learn that no Prometheus is in the cluster).
  t.ok(two.get('status -n')! <= 8, `status -n: a handful of list calls (${two.get('status -n')})`);
  t.ok(two.get('canary (weight change)')! <= 8, `canary: reads + one write (${two.get('canary (weight change)')})`);
});

t.test('the requests of status -n are lists, never per-object gets', async (t) => {
  const { result, lines } = await requests(['status', '-n', ns], { env });
  t.equal(result.code, 0, result.stderr);
  for (const l of lines) {
    t.equal(l.method, 'GET', `${l.url}: a read`);
    const p = new URL(l.url).pathname;
    // HTTPRoutes are listed across namespaces: a GAMMA route anywhere can name our Service (MESH0006).
    // Plus one query to Istio's Prometheus addon through the service proxy (live metrics; absent here).
    const proxy = p === '/api/v1/namespaces/istio-system/services/http:prometheus:9090/proxy/api/v1/query';
    t.ok(
      p === '/apis/gateway.networking.k8s.io/v1/httproutes' || /\/namespaces\/[^/]+\/[a-z]+$/.test(p) || proxy,
      `${p}: a collection (discovery is cached) or the metrics query`,
    );
  }
});
