// Shared shapes of the analysis core. Plain data only: no I/O, no process, no clock.
import type { DestinationRule, Deployment, Obj, Pod, Service, VirtualService } from '../model/objects.js';

export type { Obj } from '../model/objects.js';

export interface ClusterSnapshot {
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  services: Service[];
  pods: Pod[];
  /** When given, VirtualService gateway references are checked against it (IST0101). */
  gateways?: Obj[];
  /** ServiceEntries: their hosts are known hosts (within their exportTo). */
  serviceEntries?: Obj[];
  /** Gateway API HTTPRoutes: GAMMA routes (parentRefs of kind Service) are checked against VirtualServices. */
  httpRoutes?: Obj[];
  /** Nodes: their topology labels are added to their pods' labels, as Istio does (subsets may select by locality). */
  nodes?: Obj[];
  /** Offline only: Deployments, whose pod templates stand in for the Pods the files do not hold. */
  deployments?: Deployment[];
  /**
   * The objects come from files, not a cluster: what the files lack may exist elsewhere, so a
   * reference that needs a missing object is reported as unknown (Info), not as not found.
   */
  offline?: boolean;
}

export type FindingLevel = 'Error' | 'Warning' | 'Info';

export interface Finding {
  code: string;
  level: FindingLevel;
  /** `Kind namespace/name`, as istioctl prints it, e.g. `VirtualService shop/reviews`. */
  origin: string;
  message: string;
  documentationUrl?: string;
  source: 'built-in' | 'istioctl';
  /** Where in the object, e.g. `spec.http[1]` (built-in checks only). */
  path?: string;
  /** istioctl's `reference` (file:line of the analysed input), when it gave one. */
  reference?: string;
}

export const LEVELS: readonly FindingLevel[] = ['Error', 'Warning', 'Info'];

/** 0 for Error … 2 for Info: sort key, most severe first. */
export const levelRank = (level: FindingLevel): number => LEVELS.indexOf(level);

export const countByLevel = (findings: readonly Finding[]): Record<FindingLevel, number> => {
  const counts: Record<FindingLevel, number> = { Error: 0, Warning: 0, Info: 0 };
  for (const f of findings) counts[f.level]++;
  return counts;
};

/** True when a finding is at or above `threshold` (default Error) — the analyze failure rule. */
export const hasFindingsAtOrAbove = (findings: readonly Finding[], threshold: FindingLevel = 'Error'): boolean =>
  findings.some((f) => levelRank(f.level) <= levelRank(threshold));

// ---- istioctl seam (implemented in src/istioctl, injected so the core stays pure) ----

export interface IstioctlAnalyzeRequest {
  /** Proposed objects, analysed on top of the live cluster (files win). */
  objects: Obj[];
  /** The routing objects already read (with `objects` merged in): what istioctl analyses when it may not read the cluster itself. */
  known?: Obj[];
  namespace?: string;
  allNamespaces?: boolean;
  kubeconfig?: string;
  context?: string;
  timeoutMs?: number;
}

export type IstioctlAnalyzeResult =
  | { used: true; findings: Finding[]; /** What did not run, when istioctl ran in a reduced mode. */ notice?: string }
  | { used: false; notice: string };

export type IstioctlRunner = (request: IstioctlAnalyzeRequest) => Promise<IstioctlAnalyzeResult>;
