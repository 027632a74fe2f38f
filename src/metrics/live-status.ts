// Joins what status reads from the cluster with what is live: each subset's figures from Prometheus
// (keyed namespace/workload) and the rollout recorded on the VirtualService.
import { rolloutSummary } from '../rollout/events.js';
import { readRollout } from '../rollout/state.js';
import type { ServiceStatus } from '../routing/status.js';
import type { Target } from '../routing/target.js';
import type { WorkloadMetrics } from './collect.js';

export function withLive(st: ServiceStatus, t: Target, metrics: Map<string, WorkloadMetrics> | undefined, now: Date): ServiceStatus {
  const out: ServiceStatus = { ...st };
  if (metrics) {
    out.subsets = st.subsets.map((s) => {
      const m = s.deployment ? metrics.get(`${st.namespace}/${s.deployment}`) : undefined;
      return m ? { ...s, metrics: m } : s;
    });
  }
  const r = readRollout(t.vs);
  if (r) out.rollout = { phase: r.phase, step: r.step + 1, steps: r.policy.steps.length, summary: rolloutSummary(r, now) };
  return out;
}
