// Analyse a proposed change: built-in checks on (snapshot ⊕ proposed), plus istioctl through an
// injected runner. Pure apart from awaiting that runner.

import { builtInChecks } from './checks.js';
import { nameOf, nsOf } from './hosts.js';
import { levelRank, type ClusterSnapshot, type Finding, type IstioctlRunner, type Obj } from './types.js';

export interface AnalyzeChangeInput {
  snapshot: ClusterSnapshot;
  /** Objects about to be written; they replace same kind+namespace+name in the snapshot. */
  proposed: Obj[];
  /** Namespace of the change: objects without one get it, and built-in findings are limited to it. */
  namespace: string;
  allNamespaces?: boolean;
  istioctl?: IstioctlRunner;
  kubeconfig?: string;
  context?: string;
}

export interface AnalyzeChangeResult {
  /** Most severe first; built-in and istioctl findings merged, duplicates removed. */
  findings: Finding[];
  istioctlUsed: boolean;
  notice?: string;
}

type ListField = Exclude<keyof ClusterSnapshot, 'offline'>;
const SNAPSHOT_KINDS: Record<string, ListField> = {
  VirtualService: 'virtualServices',
  DestinationRule: 'destinationRules',
  Service: 'services',
  Pod: 'pods',
  Gateway: 'gateways',
  ServiceEntry: 'serviceEntries',
  HTTPRoute: 'httpRoutes',
  Deployment: 'deployments',
  Node: 'nodes',
};

/** The snapshot with `proposed` merged over it (same kind+namespace+name replaced). Kinds the checks do not read are ignored. */
export function mergeProposed(snapshot: ClusterSnapshot, proposed: readonly Obj[], namespace: string): ClusterSnapshot {
  const out: ClusterSnapshot = { ...snapshot };
  for (const field of Object.values(SNAPSHOT_KINDS)) if (snapshot[field]) out[field] = [...snapshot[field]];
  for (const raw of proposed) {
    const field = SNAPSHOT_KINDS[raw.kind ?? ''];
    if (!field) continue;
    const obj: Obj = raw.metadata?.namespace ? raw : { ...raw, metadata: { ...raw.metadata, namespace } };
    const list = (out[field] ??= []);
    const i = list.findIndex((o) => nsOf(o) === nsOf(obj) && nameOf(o) === nameOf(obj));
    if (i >= 0) list[i] = obj;
    else list.push(obj);
  }
  return out;
}

/**
 * The words Istio's IST0130/IST0131 message would contain for this finding: rules and matches are
 * named `"name"` or `#index` (`VirtualService rule #2 not used (…)`, `… rule "x" match #0 is not used …`).
 */
function ruleWordsFor(f: Finding, snapshot: ClusterSnapshot): string | undefined {
  const m = /^spec\.(http|tcp|tls)\[(\d+)\](?:\.match\[(\d+)\])?/.exec(f.path ?? '');
  if (!m) return undefined;
  const [, kind, ruleIndex, matchIndex] = m;
  const vs = snapshot.virtualServices.find((o) => `VirtualService ${nsOf(o)}/${nameOf(o)}` === f.origin);
  // Only http rules and matches go by name; tcp and tls ones by index.
  const label = (named: unknown, index: number): string =>
    kind === 'http' &&
    typeof named === 'object' &&
    named !== null &&
    typeof (named as { name?: unknown }).name === 'string' &&
    (named as { name: string }).name
      ? `"${(named as { name: string }).name}"`
      : `#${index}`;
  const rule = kind === 'http' || kind === 'tcp' || kind === 'tls' ? vs?.spec?.[kind]?.[Number(ruleIndex)] : undefined;
  const words = `rule ${label(rule, Number(ruleIndex))}`;
  if (f.code === 'IST0130') return `${words} not used`;
  return matchIndex === undefined ? undefined : `${words} match ${label(rule?.match?.[Number(matchIndex)], Number(matchIndex))} `;
}

/** Older istioctl prints origins as `Kind name.namespace`; newer as `Kind namespace/name`. */
const originAliases = (origin: string): string[] => {
  const m = /^(\S+) ([^/\s]+)\/(\S+)$/.exec(origin);
  return m ? [origin, `${m[1]} ${m[3]}.${m[2]}`] : [origin];
};

/**
 * Drop built-in findings istioctl also reported (same code and object): istioctl's wording wins.
 * For the per-rule codes (IST0130/IST0131) the rule must match too, since one object can have several.
 */
export function dedupeFindings(builtIn: readonly Finding[], fromIstioctl: readonly Finding[], snapshot: ClusterSnapshot): Finding[] {
  const kept = builtIn.filter((f) => {
    const same = fromIstioctl.filter((i) => i.code === f.code && originAliases(f.origin).includes(i.origin));
    if (same.length === 0) return true;
    if (f.code === 'IST0130' || f.code === 'IST0131') {
      const words = ruleWordsFor(f, snapshot);
      return words !== undefined && !same.some((i) => i.message.includes(words));
    }
    return false;
  });
  return [...fromIstioctl, ...kept];
}

const bySeverity = (findings: Finding[]): Finding[] =>
  findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => levelRank(a.f.level) - levelRank(b.f.level) || a.i - b.i)
    .map(({ f }) => f);

export async function analyzeChange(input: AnalyzeChangeInput): Promise<AnalyzeChangeResult> {
  const merged = mergeProposed(input.snapshot, input.proposed, input.namespace);
  const builtIn = builtInChecks(merged, input.allNamespaces ? {} : { namespace: input.namespace });
  if (!input.istioctl) {
    return { findings: bySeverity(builtIn), istioctlUsed: false, notice: 'istioctl was not run; only built-in checks ran' };
  }
  const proposed = input.proposed.map((o) =>
    o.metadata?.namespace ? o : { ...o, metadata: { ...o.metadata, namespace: input.namespace } },
  );
  let result;
  try {
    result = await input.istioctl({
      objects: proposed,
      known: [...merged.virtualServices, ...merged.destinationRules],
      namespace: input.namespace,
      ...(input.allNamespaces ? { allNamespaces: true } : {}),
      ...(input.kubeconfig ? { kubeconfig: input.kubeconfig } : {}),
      ...(input.context ? { context: input.context } : {}),
    });
  } catch (err) {
    // Runners should not throw; if one does, istioctl is optional, so degrade the same way.
    result = {
      used: false as const,
      notice: `istioctl failed (${err instanceof Error ? err.message : String(err)}); only built-in checks ran`,
    };
  }
  if (!result.used) return { findings: bySeverity(builtIn), istioctlUsed: false, notice: result.notice };
  return {
    findings: bySeverity(dedupeFindings(builtIn, result.findings, merged)),
    istioctlUsed: true,
    ...(result.notice ? { notice: result.notice } : {}),
  };
}
