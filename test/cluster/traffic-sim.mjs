// Test-only traffic source: plays the sidecars' part for Prometheus (there is no Envoy in the test bed).
// Every second it reads the live routing from the test cluster (Services, Deployments, VirtualServices,
// DestinationRules in every namespace but kube-*), sends a steady request rate to each Service split as
// the routing says (relative weights, subsets → Deployments), and exposes what Istio's sidecars would
// report on the destination side: istio_requests_total and istio_request_duration_milliseconds_bucket
// with Istio's standard labels. Each workload's behaviour comes from its Deployment's annotations:
//   sim.kubectl-mesh.io/error-rate   0..1, the share of requests answered 500 (default 0)
//   sim.kubectl-mesh.io/p99-ms       the latency every request takes, in ms (default 20)
// and the request rate from the Service's sim.kubectl-mesh.io/rps (default 10; 0 = no traffic).
//
//   node traffic-sim.mjs --kubeconfig FILE --port PORT     (GET /metrics, GET /healthz)
import http from 'node:http';
import { kubeClient } from './kube.mjs';

export const ANNOTATIONS = {
  errorRate: 'sim.kubectl-mesh.io/error-rate',
  p99: 'sim.kubectl-mesh.io/p99-ms',
  rps: 'sim.kubectl-mesh.io/rps',
};
const DEFAULT_RPS = 10;
const DEFAULT_LATENCY_MS = 20;
// Istio's default buckets for istio_request_duration_milliseconds.
const BUCKETS = [0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000, 600000, 1800000, 3600000];

const matches = (labels = {}, selector = {}) => Object.entries(selector).every(([k, v]) => labels[k] === v);
const num = (v, fallback) => (v === undefined || v === '' || Number.isNaN(Number(v)) ? fallback : Number(v));

/** Host of a destination → "name.namespace", as Istio resolves short names against the rule's namespace. */
function hostKey(host, ns) {
  const parts = host.split('.');
  return parts.length === 1 ? `${parts[0]}.${ns}` : `${parts[0]}.${parts[1]}`;
}

/** The share of each Deployment of `svc` in its ordinary (header-less) traffic. */
export function split(svc, deployments, vss, drs) {
  const ns = svc.metadata.namespace;
  const key = `${svc.metadata.name}.${ns}`;
  const mine = deployments.filter(
    (d) =>
      d.metadata.namespace === ns &&
      svc.spec?.selector &&
      Object.keys(svc.spec.selector).length &&
      matches(d.spec?.template?.metadata?.labels, svc.spec.selector),
  );
  if (!mine.length) return new Map();
  const byReplicas = (ds) => {
    const total = ds.reduce((n, d) => n + (d.spec?.replicas ?? 1), 0) || ds.length;
    return new Map(ds.map((d) => [d, (d.spec?.replicas ?? 1) / total || 1 / ds.length]));
  };
  const vs = vss.find(
    (v) =>
      v.metadata.namespace === ns &&
      (v.spec?.hosts ?? []).some((h) => hostKey(h, ns) === key) &&
      (!v.spec?.gateways || v.spec.gateways.includes('mesh')),
  );
  // First match wins; ordinary traffic has no headers: the first route without a header match.
  const route = (vs?.spec?.http ?? []).find((r) => !r.match || r.match.some((m) => !m.headers && !m.withoutHeaders));
  if (!route) return byReplicas(mine);
  const dests = (route.route ?? []).filter((d) => hostKey(d.destination?.host ?? '', ns) === key);
  const weightOf = (d) => (typeof d.weight === 'number' ? d.weight : route.route.length === 1 ? 100 : 0);
  const total = (route.route ?? []).reduce((n, d) => n + weightOf(d), 0);
  const dr = drs.find((d) => d.metadata.namespace === ns && hostKey(d.spec?.host ?? '', ns) === key);
  const out = new Map();
  for (const d of dests) {
    if (!total) break;
    const share = weightOf(d) / total;
    const labels = d.destination.subset ? dr?.spec?.subsets?.find((s) => s.name === d.destination.subset)?.labels : {};
    if (!labels) continue; // a subset nobody defines: 503s, which the destination side never sees
    const targets = mine.filter((dep) => matches(dep.spec?.template?.metadata?.labels, labels));
    for (const [dep, f] of byReplicas(targets)) out.set(dep, (out.get(dep) ?? 0) + share * f);
  }
  return out;
}

/** Counters per series; values are floats (fractions of requests accumulate exactly). */
export class Metrics {
  requests = new Map(); // key → { labels, value }
  buckets = new Map(); // key → { labels, counts[], sum, count }

  add(labels, n, errorRate, latencyMs) {
    if (n <= 0) return;
    const err = Math.min(1, Math.max(0, errorRate));
    for (const [code, share] of [
      ['200', 1 - err],
      ['500', err],
    ]) {
      if (share <= 0) continue;
      const l = { ...labels, response_code: code, response_flags: '-' };
      const k = JSON.stringify(l);
      const c = this.requests.get(k) ?? { labels: l, value: 0 };
      c.value += n * share;
      this.requests.set(k, c);
      const h = this.buckets.get(k) ?? { labels: l, counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
      BUCKETS.forEach((le, i) => {
        if (latencyMs <= le) h.counts[i] += n * share;
      });
      h.sum += n * share * latencyMs;
      h.count += n * share;
      this.buckets.set(k, h);
    }
  }

  render() {
    const fmt = (labels) =>
      Object.entries(labels)
        .map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`)
        .join(',');
    const lines = ['# TYPE istio_requests_total counter'];
    for (const c of this.requests.values()) lines.push(`istio_requests_total{${fmt(c.labels)}} ${c.value}`);
    lines.push('# TYPE istio_request_duration_milliseconds histogram');
    for (const h of this.buckets.values()) {
      BUCKETS.forEach((le, i) => lines.push(`istio_request_duration_milliseconds_bucket{${fmt({ ...h.labels, le })}} ${h.counts[i]}`));
      lines.push(`istio_request_duration_milliseconds_bucket{${fmt({ ...h.labels, le: '+Inf' })}} ${h.count}`);
      lines.push(`istio_request_duration_milliseconds_sum{${fmt(h.labels)}} ${h.sum}`);
      lines.push(`istio_request_duration_milliseconds_count{${fmt(h.labels)}} ${h.count}`);
    }
    return `${lines.join('\n')}\n`;
  }
}

/** Istio's standard labels of a request that `svc` routed to Deployment `dep`, seen by the destination. */
export function istioLabels(svc, dep) {
  const ns = svc.metadata.namespace;
  const tl = dep.spec?.template?.metadata?.labels ?? {};
  return {
    reporter: 'destination',
    source_workload: 'traffic-sim',
    source_workload_namespace: 'traffic-sim',
    source_app: 'traffic-sim',
    source_version: 'unknown',
    source_principal: 'spiffe://cluster.local/ns/traffic-sim/sa/default',
    source_cluster: 'Kubernetes',
    destination_workload: dep.metadata.name,
    destination_workload_namespace: ns,
    destination_app: tl.app ?? 'unknown',
    destination_version: tl.version ?? 'unknown',
    destination_service: `${svc.metadata.name}.${ns}.svc.cluster.local`,
    destination_service_name: svc.metadata.name,
    destination_service_namespace: ns,
    destination_principal: `spiffe://cluster.local/ns/${ns}/sa/default`,
    destination_cluster: 'Kubernetes',
    request_protocol: 'http',
    connection_security_policy: 'mutual_tls',
    grpc_response_status: '',
  };
}

const skipNamespace = (ns) => ns.startsWith('kube-') || ns === 'istio-system';

/** One tick: `dt` seconds of traffic at the routing the cluster has now. */
export async function tick(kube, metrics, dt) {
  const list = async (p) => (await kube.get(p)).items ?? [];
  const [services, deployments, vss, drs] = await Promise.all([
    list('/api/v1/services'),
    list('/apis/apps/v1/deployments'),
    list('/apis/networking.istio.io/v1/virtualservices'),
    list('/apis/networking.istio.io/v1/destinationrules'),
  ]);
  for (const svc of services) {
    if (skipNamespace(svc.metadata.namespace) || !svc.spec?.selector) continue;
    const rps = num(svc.metadata.annotations?.[ANNOTATIONS.rps], DEFAULT_RPS);
    for (const [dep, share] of split(svc, deployments, vss, drs)) {
      const a = dep.metadata.annotations ?? {};
      metrics.add(istioLabels(svc, dep), rps * dt * share, num(a[ANNOTATIONS.errorRate], 0), num(a[ANNOTATIONS.p99], DEFAULT_LATENCY_MS));
    }
  }
}

async function main() {
  const arg = (name) => {
    const i = process.argv.indexOf(`--${name}`);
    return i === -1 ? undefined : process.argv[i + 1];
  };
  const kube = kubeClient(arg('kubeconfig'));
  const metrics = new Metrics();
  let last = Date.now();
  let lastError;
  const loop = async () => {
    const now = Date.now();
    try {
      await tick(kube, metrics, (now - last) / 1000);
      last = now;
      if (lastError) console.log(`${new Date().toISOString()} reading the cluster works again`);
      lastError = undefined;
    } catch (e) {
      if (e.message !== lastError) console.log(`${new Date().toISOString()} cannot read the cluster: ${e.message}`);
      lastError = e.message;
    }
    setTimeout(loop, 1000 - ((Date.now() - now) % 1000)).unref?.();
  };
  const server = http.createServer((req, res) => {
    if (req.url === '/metrics') {
      res.setHeader('content-type', 'text/plain; version=0.0.4');
      return res.end(metrics.render());
    }
    if (req.url === '/healthz') return res.end('ok\n');
    res.statusCode = 404;
    res.end();
  });
  server.listen(Number(arg('port')), '127.0.0.1', () => console.log(`traffic-sim on 127.0.0.1:${arg('port')}`));
  await loop();
}

if (import.meta.url === `file://${process.argv[1]}`) await main();
