// The status view model: a flat, printable description of one service's routing and health.
// The same model feeds the table, -o json|yaml and --watch.
import { matchesLabels } from '../model/labels.js';
import { isPodReady } from '../model/readiness.js';
import { coManagerOf, describeCoManaged } from '../model/co-managed.js';
import { hasDrifted, historyWarning, latestRevision } from './history.js';
import { hpaFor } from './hpa.js';
import { HPA_BASELINE_ANNOTATION, isOwnedRoute } from '../model/names.js';
import { adoptableIndex, httpRoutes, referencedSubsets, shadowedOwnedRoutes } from './routes.js';
import type { Target } from './target.js';
import type { EnvRoute, Pod, Roles } from './types.js';
import { currentSplit, envRoutes, primaryRoute } from './view.js';

export interface HpaStatus {
  name: string;
  min: number;
  max?: number;
  current?: number;
  desired?: number;
  scaledToWeight: boolean;
}

/** Live figures from Prometheus (status only, when it answers). */
export interface LiveMetrics {
  rps?: number;
  successRate?: number;
  p99?: number;
}

export interface SubsetStatus {
  subset: string;
  /** Share of ordinary (header-less) traffic. */
  weight: number;
  ready: number;
  total: number;
  deployment?: string;
  hpa?: HpaStatus;
  metrics?: LiveMetrics;
}

export interface ServiceStatus {
  namespace: string;
  service: string;
  virtualService?: string;
  destinationRule?: string;
  hosts: string[];
  gateways: string[];
  roles: Roles;
  revision?: number;
  subsets: SubsetStatus[];
  environments: EnvRoute[];
  /** Routes in the VirtualService that are not ours. */
  otherRoutes: number;
  /** A VirtualService routes ordinary traffic to the whole service (no subsets): pods share it by count. */
  wholeService: boolean;
  /** Gateway API HTTPRoutes (GAMMA) attached to this Service, `namespace/name`: Istio does not merge them with the VirtualService. */
  httpRoutes?: string[];
  warnings: string[];
  /** A rollout recorded on the VirtualService (running, paused, or how the last one ended). */
  rollout?: { phase: string; step: number; steps: number; summary: string };
}

export function podsOf(t: Target, subsetLabels: Record<string, string>): Pod[] {
  const selector = { ...(t.workload.service.spec?.selector ?? {}), ...subsetLabels };
  return t.workload.pods.filter((p) => matchesLabels(selector, p.metadata.labels));
}

export function subsetLabels(t: Target, subset: string): Record<string, string> | undefined {
  const fromDr = (t.dr?.spec?.subsets ?? []).find((s) => s.name === subset)?.labels;
  return fromDr ?? t.versions.find((v) => v.subset === subset)?.labels;
}

export function serviceStatus(t: Target): ServiceStatus {
  const split = currentSplit(t.vs, t.ref);
  const envs = envRoutes(t.vs);
  const names = [...new Set([...t.versions.map((v) => v.subset), ...split.map((w) => w.subset), ...envs.map((e) => e.subset)])];
  const subsets = names.map((subset): SubsetStatus => {
    const labels = subsetLabels(t, subset);
    const pods = labels ? podsOf(t, labels) : [];
    const version = t.versions.find((v) => v.subset === subset);
    const hpa = version && hpaFor(t.workload.hpas, version.deployment);
    return {
      subset,
      weight: split.find((w) => w.subset === subset)?.weight ?? 0,
      ready: pods.filter(isPodReady).length,
      total: pods.length,
      deployment: version?.deployment,
      hpa: hpa && {
        name: hpa.metadata.name,
        min: hpa.spec?.minReplicas ?? 1,
        max: hpa.spec?.maxReplicas,
        current: hpa.status?.currentReplicas,
        desired: hpa.status?.desiredReplicas,
        scaledToWeight: !!hpa.metadata.annotations?.[HPA_BASELINE_ANNOTATION],
      },
    };
  });
  const routes = httpRoutes(t.vs);
  return {
    namespace: t.ref.namespace,
    service: t.ref.name,
    virtualService: t.vs?.metadata.name,
    destinationRule: t.dr?.metadata.name,
    hosts: t.vs?.spec?.hosts ?? [],
    gateways: t.vs?.spec?.gateways ?? (t.vs ? ['mesh'] : []),
    roles: latestRevision(t.vs)?.roles ?? {},
    revision: latestRevision(t.vs)?.revision,
    subsets,
    environments: envs,
    otherRoutes: routes.filter((r) => !isOwnedRoute(r)).length,
    wholeService: !!t.vs && split.length === 0 && adoptableIndex(t.vs, t.ref) !== -1,
    warnings: warnings(t, subsets, envs),
  };
}

function warnings(t: Target, subsets: SubsetStatus[], envs: EnvRoute[]): string[] {
  const out: string[] = [];
  const routes = httpRoutes(t.vs);
  const primary = primaryRoute(t.vs);
  for (const s of subsets) {
    const receives = s.weight > 0 || envs.some((e) => e.subset === s.subset);
    if (receives && s.ready === 0) out.push(`subset ${s.subset} receives traffic but has no Ready pods (${s.total} pods)`);
  }
  // Weights are relative (199/1 is a 0.5% canary); only a total of 0 is broken: Istio refuses it.
  if (primary) {
    const sum = (primary.route ?? []).reduce((n, d) => n + (d.weight ?? 0), 0);
    if ((primary.route?.length ?? 0) > 1 && sum === 0) out.push('weights of the primary route sum to 0: Istio rejects the route');
  }
  const shadow = shadowedOwnedRoutes(routes);
  if (shadow) out.push(`route ${shadow.by} takes every request, so our routes after it never match (${shadow.owned.join(', ')})`);
  const defined = new Set((t.dr?.spec?.subsets ?? []).map((s) => s.name));
  for (const s of referencedSubsets(routes, t.ref, t.vs?.metadata.namespace)) {
    if (!defined.has(s)) out.push(`routes send traffic to subset ${s}, which no DestinationRule defines (503s)`);
  }
  for (const o of [t.vs, t.dr]) {
    const m = o && coManagerOf(o);
    if (m)
      out.push(`${describeCoManaged(o, m)}: it would overwrite changes made with kubectl-mesh, which refuses to write it without --force`);
  }
  const history = historyWarning(t.vs);
  if (history) out.push(history);
  if (hasDrifted(t.vs))
    out.push(
      'our routes were edited since kubectl-mesh last wrote them (drift); the next change keeps those edits outside weights and matches',
    );
  return out;
}
