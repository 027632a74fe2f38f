// PromQL for the built-in checks, as Flagger writes them for Istio (pkg/metrics/observers/istio.go),
// filtered by workload AND its namespace (never by destination_service alone: stable and canary
// share it), with reporter="destination". Canary and stable come back from one query, grouped by
// destination_workload; success rate and p99 from one more `or`, told apart by a "metric" label.

export interface Scope {
  namespace: string;
  /** Deployment names (destination_workload values). */
  workloads: string[];
  /** A PromQL duration, e.g. "30s". */
  window: string;
}

const esc = (s: string): string => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
/** A regex alternation that matches exactly these names (RE2 metacharacters escaped). */
const alternation = (names: string[]): string =>
  names
    .map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .map(esc)
    .join('|');

/** Namespaces undefined: every namespace (status -A). */
function selector(namespaces: string[] | undefined, workloads?: string[]): string {
  const ns = !namespaces
    ? ''
    : namespaces.length === 1
      ? `,destination_workload_namespace="${esc(namespaces[0])}"`
      : `,destination_workload_namespace=~"${alternation(namespaces)}"`;
  return `reporter="destination"${ns}${workloads ? `,destination_workload=~"${alternation(workloads)}"` : ''}`;
}

const BY = 'destination_workload_namespace,destination_workload';

export const successRateQuery = (namespaces: string[] | undefined, workloads: string[] | undefined, window: string): string => {
  const sel = selector(namespaces, workloads);
  return `sum by (${BY}) (rate(istio_requests_total{${sel},response_code!~"5.*"}[${window}])) / sum by (${BY}) (rate(istio_requests_total{${sel}}[${window}])) * 100`;
};

export const p99Query = (namespaces: string[] | undefined, workloads: string[] | undefined, window: string): string =>
  `histogram_quantile(0.99, sum by (le,${BY}) (rate(istio_request_duration_milliseconds_bucket{${selector(namespaces, workloads)}}[${window}])))`;

export const requestRateQuery = (namespaces: string[] | undefined, workloads: string[] | undefined, window: string): string =>
  `sum by (${BY}) (rate(istio_requests_total{${selector(namespaces, workloads)}}[${window}]))`;

const tagged = (metric: string, q: string): string => `label_replace(${q}, "metric", "${metric}", "", "")`;

/** Success rate and/or p99 of the given workloads, one query: series carry metric and destination_workload. */
export function checkQuery(metrics: ('success-rate' | 'p99')[], s: Scope): string {
  const parts = metrics.map((m) =>
    tagged(m, m === 'p99' ? p99Query([s.namespace], s.workloads, s.window) : successRateQuery([s.namespace], s.workloads, s.window)),
  );
  return parts.join(' or ');
}

/** Requests per second, success rate and p99 of every workload in the namespaces (all: undefined), one query (status). */
export function statusQuery(namespaces: string[] | undefined, window: string): string {
  return [
    tagged('rps', requestRateQuery(namespaces, undefined, window)),
    tagged('success-rate', successRateQuery(namespaces, undefined, window)),
    tagged('p99', p99Query(namespaces, undefined, window)),
  ].join(' or ');
}

export interface Placeholders {
  service: string;
  namespace: string;
  workload: string;
  subset: string;
  window: string;
}

/** A custom gate's PromQL with {{service}}, {{namespace}}, {{workload}}, {{subset}}, {{window}} filled in. */
export const fillPlaceholders = (query: string, p: Placeholders): string =>
  query.replace(/\{\{\s*(service|namespace|workload|subset|window)\s*\}\}/g, (_, k: keyof Placeholders) => p[k]);

/** Seconds as a PromQL duration (whole seconds, at least 1s). */
export const promDuration = (ms: number): string => `${Math.max(1, Math.ceil(ms / 1000))}s`;
