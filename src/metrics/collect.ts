// What a rollout check and `status` ask Prometheus, and how the answers become figures per metric.
import type { Figures } from '../rollout/evaluate.js';
import { builtInMetrics } from '../rollout/gates.js';
import type { RolloutPolicy } from '../rollout/types.js';
import type { Prometheus } from './prometheus.js';
import { checkQuery, fillPlaceholders, promDuration, statusQuery } from './queries.js';
import { valueFor } from './result.js';

export interface CheckScope {
  namespace: string;
  service: string;
  subsets: { canary: string; stable: string };
  workloads: { canary?: string; stable?: string };
  windowMs: number;
}

export interface PlannedQuery {
  name: string;
  subset?: string;
  query: string;
}

/** The queries one check runs: built-ins in one, each custom gate once per subset compared. */
export function checkQueries(policy: Pick<RolloutPolicy, 'gates' | 'maxRegression' | 'compareStable'>, s: CheckScope): PlannedQuery[] {
  const window = promDuration(s.windowMs);
  const metrics = builtInMetrics(policy.gates, policy.maxRegression, policy.compareStable);
  const workloads = [s.workloads.canary, ...(policy.compareStable ? [s.workloads.stable] : [])].filter((w): w is string => !!w);
  const out: PlannedQuery[] = [];
  if (metrics.length && workloads.length)
    out.push({ name: metrics.join('+'), query: checkQuery(metrics, { namespace: s.namespace, workloads, window }) });
  const roles = policy.compareStable ? (['canary', 'stable'] as const) : (['canary'] as const);
  for (const g of policy.gates.filter((x) => x.metric === 'custom')) {
    for (const role of roles) {
      out.push({
        name: g.name,
        subset: role,
        query: fillPlaceholders(g.query!, {
          service: s.service,
          namespace: s.namespace,
          workload: s.workloads[role] ?? '',
          subset: s.subsets[role],
          window,
        }),
      });
    }
  }
  return out;
}

/** Runs one check's queries; figures per metric name. Throws PrometheusError when Prometheus fails. */
export async function checkFigures(
  prom: Prometheus,
  policy: Pick<RolloutPolicy, 'gates' | 'maxRegression' | 'compareStable'>,
  s: CheckScope,
): Promise<Map<string, Figures>> {
  const planned = checkQueries(policy, s);
  const answers = await Promise.all(planned.map((q) => prom.query(q.query)));
  const figures = new Map<string, Figures>();
  planned.forEach((q, i) => {
    const samples = answers[i];
    if (q.subset) {
      // A custom query is the user's: it should return one value; the first is taken.
      const f = figures.get(q.name) ?? {};
      if (samples[0] !== undefined) f[q.subset as 'canary' | 'stable'] = samples[0].value;
      figures.set(q.name, f);
      return;
    }
    for (const metric of q.name.split('+')) {
      const pick = (w: string | undefined) => (w ? valueFor(samples, w, metric) : undefined);
      const f: Figures = {};
      const canary = pick(s.workloads.canary);
      const stable = policy.compareStable ? pick(s.workloads.stable) : undefined;
      if (canary !== undefined) f.canary = canary;
      if (stable !== undefined) f.stable = stable;
      figures.set(metric, f);
    }
  });
  return figures;
}

export interface WorkloadMetrics {
  rps?: number;
  successRate?: number;
  p99?: number;
}

/** Live figures of every workload in the namespaces, from one query; key `namespace/workload`. */
export async function workloadMetrics(
  prom: Prometheus,
  namespaces: string[] | undefined,
  windowMs: number,
  timeoutMs: number,
): Promise<Map<string, WorkloadMetrics>> {
  const samples = await prom.query(statusQuery(namespaces, promDuration(windowMs)), timeoutMs);
  const out = new Map<string, WorkloadMetrics>();
  for (const s of samples) {
    const key = `${s.labels.destination_workload_namespace}/${s.labels.destination_workload}`;
    const m = out.get(key) ?? {};
    if (s.labels.metric === 'rps') m.rps = s.value;
    if (s.labels.metric === 'success-rate') m.successRate = s.value;
    if (s.labels.metric === 'p99') m.p99 = s.value;
    out.set(key, m);
  }
  return out;
}
