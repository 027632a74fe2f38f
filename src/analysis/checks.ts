// Built-in checks: Istio-compatible codes (see codes.ts) computed from plain objects.
// PURE: no I/O, no process, no clock. Every finding names its object and, where it can, the path.

import { matchesLabels } from '../model/labels.js';
import type { Deployment, Pod } from '../model/objects.js';
import { isPodReady } from '../model/readiness.js';
import { CODES } from './codes.js';
import { coManaged } from './co-managed.js';
import { conflictingMeshHosts, virtualServiceAndHttpRoute } from './conflicts.js';
import { finding } from './finding.js';
import { hostKey, namespacesOf, nsOf, originOf, resolveHost, type HostRef } from './hosts.js';
import { destinationsOf, referencedResources } from './references.js';
import { buildRegistry, type HostEntry, type HostRegistry } from './registry.js';
import { unreachableRules } from './unreachable.js';
import type { ClusterSnapshot, Finding, Obj } from './types.js';

export interface CheckOptions {
  /** Report only objects in this namespace (references are still resolved cluster-wide). */
  namespace?: string;
}

type Dict = Record<string, unknown>;
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const dict = (v: unknown): Dict => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Dict) : {});
const strings = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');

/** Context shared by the checks: indexes built once per call. */
interface Ctx {
  snapshot: ClusterSnapshot;
  namespaces: Set<string>;
  registry: HostRegistry;
  /** hostKey → subset name → { dr, subset } */
  subsetDefs: Map<string, Map<string, { dr: Obj; subset: Dict }>>;
  subsets: Map<string, Set<string>>;
  /** Pods, and offline the pod templates of Deployments standing in for them. */
  pods: Obj[];
  resolve(host: unknown, ruleNs: string): HostRef;
}

/** Offline, a Deployment's pod template is the pod it will create (it counts as Ready: that is the cluster's business). */
const podOfTemplate = (d: Deployment): Pod => ({
  kind: 'Pod',
  metadata: { name: `${d.metadata.name}-template`, namespace: nsOf(d), labels: d.spec?.template?.metadata?.labels ?? {} },
  status: { conditions: [{ type: 'Ready', status: 'True' }] },
});

const TOPOLOGY = ['topology.kubernetes.io/region', 'topology.kubernetes.io/zone', 'topology.istio.io/subzone'];

/** A pod's labels as Istio matches them: plus its node's non-empty topology labels and its hostname. */
function withTopology(pod: Obj, nodes: ReadonlyMap<string, Dict>): Obj {
  const nodeName = pod.spec?.nodeName;
  if (typeof nodeName !== 'string' || nodeName === '') return pod;
  const node = nodes.get(nodeName) ?? {};
  const added = Object.fromEntries(TOPOLOGY.filter((k) => typeof node[k] === 'string' && node[k] !== '').map((k) => [k, node[k]]));
  return { ...pod, metadata: { ...pod.metadata, labels: { ...dict(pod.metadata?.labels), ...added, 'kubernetes.io/hostname': nodeName } } };
}

function buildCtx(snapshot: ClusterSnapshot, extraNamespace?: string): Ctx {
  const namespaces = namespacesOf(
    snapshot.virtualServices,
    snapshot.destinationRules,
    snapshot.services,
    snapshot.pods,
    snapshot.gateways,
    snapshot.serviceEntries,
    snapshot.httpRoutes,
  );
  if (extraNamespace) namespaces.add(extraNamespace.toLowerCase());
  const resolve = (host: unknown, ruleNs: string): HostRef => resolveHost(String(host ?? ''), ruleNs, namespaces);
  const subsetDefs = new Map<string, Map<string, { dr: Obj; subset: Dict }>>();
  for (const dr of snapshot.destinationRules) {
    const key = hostKey(resolve(dr.spec?.host, nsOf(dr)));
    const byName = subsetDefs.get(key) ?? new Map<string, { dr: Obj; subset: Dict }>();
    subsetDefs.set(key, byName);
    for (const s of arr(dr.spec?.subsets)) {
      const subset = dict(s);
      if (typeof subset.name === 'string' && !byName.has(subset.name)) byName.set(subset.name, { dr, subset });
    }
  }
  const subsets = new Map([...subsetDefs].map(([k, v]) => [k, new Set(v.keys())]));
  const nodes = new Map((snapshot.nodes ?? []).map((n) => [n.metadata?.name ?? '', dict(n.metadata?.labels)]));
  const pods = [
    ...snapshot.pods.map((p) => withTopology(p, nodes)),
    ...(snapshot.offline ? (snapshot.deployments ?? []).map(podOfTemplate) : []),
  ];
  return { snapshot, namespaces, registry: buildRegistry(snapshot, namespaces), subsetDefs, subsets, pods, resolve };
}

// ---------------------------------------------------------------------------------------------
// Pods and readiness

/** Pods a subset selects: the Service's selector merged with the subset's labels, in the Service's namespace. */
function podsForSubset(ctx: Ctx, service: Obj, subsetLabels: Dict): Obj[] {
  const selector = { ...dict(service.spec?.selector), ...subsetLabels };
  return ctx.pods.filter((p) => nsOf(p) === nsOf(service) && matchesLabels(selector, p.metadata.labels));
}

const serviceOf = (entry: HostEntry | undefined): Obj | undefined => (entry?.from.kind === 'ServiceEntry' ? undefined : entry?.from);

export interface SubsetReadiness {
  subset: string;
  /**
   * no-service: the host is not a Service we know; unknown-subset: no DestinationRule defines it;
   * no-pods: it selects no pod; none-ready: it selects pods but none is Ready.
   */
  reason: 'no-service' | 'unknown-subset' | 'no-pods' | 'none-ready';
  pods: number;
  ready: number;
}

/**
 * The readiness gate: which of `subsets` of `host` (resolved against `namespace`) have no Ready pod?
 * A pod is Ready when its condition Ready is True and it is not terminating. Subsets with at least
 * one Ready pod are not listed, so an empty result means "safe to send traffic".
 */
export function subsetsWithoutReadyPods(
  snapshot: ClusterSnapshot,
  host: string,
  namespace: string,
  subsets: readonly string[],
): SubsetReadiness[] {
  const ctx = buildCtx(snapshot, namespace);
  return readiness(ctx, host, namespace, subsets);
}

function readiness(ctx: Ctx, host: string, namespace: string, subsets: readonly string[]): SubsetReadiness[] {
  const ref = ctx.resolve(host, namespace);
  const service = ref.kind === 'service' ? serviceOf(ctx.registry.lookup(ref.fqdn, ref.namespace, [])) : undefined;
  const defined = ctx.subsetDefs.get(hostKey(ref));
  const out: SubsetReadiness[] = [];
  for (const subset of subsets) {
    if (!service) {
      out.push({ subset, reason: 'no-service', pods: 0, ready: 0 });
      continue;
    }
    const def = defined?.get(subset);
    if (!def) {
      out.push({ subset, reason: 'unknown-subset', pods: 0, ready: 0 });
      continue;
    }
    const pods = podsForSubset(ctx, service, dict(def.subset.labels));
    const ready = pods.filter(isPodReady).length;
    if (pods.length === 0) out.push({ subset, reason: 'no-pods', pods: 0, ready: 0 });
    else if (ready === 0) out.push({ subset, reason: 'none-ready', pods: pods.length, ready });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// VirtualService checks

const ruleLabel = (rule: Dict, i: number): string => (typeof rule.name === 'string' && rule.name ? `"${rule.name}"` : `#${i}`);

const HEADER_TOKEN = /^:?[a-z0-9!#$%&'*+\-.^_`|~]+$/;

/** MESH0002 / MESH0003 / MESH0004: weights and header names. */
function weightsAndHeaders(vs: Obj): Finding[] {
  const origin = originOf('VirtualService', vs);
  const out: Finding[] = [];
  for (const kind of ['http', 'tcp', 'tls'] as const) {
    arr(vs.spec?.[kind]).forEach((r, i) => {
      const rule = dict(r);
      const dests = arr(rule.route).map(dict);
      let valid = true;
      dests.forEach((d, j) => {
        if (d.weight === undefined) return;
        if (typeof d.weight !== 'number' || !Number.isInteger(d.weight) || d.weight < 0) {
          valid = false;
          out.push(
            finding(
              CODES.InvalidWeight,
              origin,
              `Weight ${JSON.stringify(d.weight)} of destination ${j} in rule ${ruleLabel(rule, i)} is not a non-negative integer.`,
              `spec.${kind}[${i}].route[${j}].weight`,
            ),
          );
        }
      });
      const weighted = dests.length > 1 || dests.some((d) => d.weight !== undefined);
      if (valid && weighted) {
        const sum = dests.reduce((s, d) => s + (typeof d.weight === 'number' ? d.weight : 0), 0);
        // Istio's weights are relative (995/5 is a 0.5% canary); it rejects only a total of 0.
        if (sum === 0) {
          out.push(
            finding(
              CODES.WeightsDoNotSumTo100,
              origin,
              `Weights of rule ${ruleLabel(rule, i)} add up to 0 (${dests.map((d) => d.weight ?? 0).join(' + ')}): Istio rejects the route.`,
              `spec.${kind}[${i}].route`,
            ),
          );
        }
      }
      if (kind !== 'http') return;
      arr(rule.match).forEach((m, j) => {
        for (const field of ['headers', 'withoutHeaders'] as const) {
          for (const name of Object.keys(dict(dict(m)[field]))) {
            if (!HEADER_TOKEN.test(name)) {
              const why =
                name.toLowerCase() !== name && HEADER_TOKEN.test(name.toLowerCase())
                  ? 'must be lowercase (proxies lowercase header names, so this never matches)'
                  : 'is not a valid HTTP header name';
              out.push(
                finding(CODES.InvalidHeaderName, origin, `Header match name "${name}" ${why}.`, `spec.http[${i}].match[${j}].${field}`),
              );
            }
          }
        }
      });
    });
  }
  return out;
}

/** MESH0001: a route sends traffic (weight absent or > 0) to a subset without a Ready pod. */
function trafficToUnreadySubsets(ctx: Ctx, vs: Obj): Finding[] {
  const origin = originOf('VirtualService', vs);
  const out: Finding[] = [];
  for (const d of destinationsOf(vs)) {
    if (typeof d.dest.subset !== 'string' || d.dest.subset === '') continue;
    if (typeof d.weight === 'number' && d.weight <= 0) continue;
    for (const r of readiness(ctx, String(d.dest.host ?? ''), nsOf(vs), [d.dest.subset])) {
      if (r.reason !== 'no-pods' && r.reason !== 'none-ready') continue; // IST0101 reports the others
      const traffic =
        typeof d.weight === 'number' ? `weight ${d.weight}` : arr(d.rule.match).length > 0 ? 'matched requests' : 'all requests';
      const state = r.reason === 'no-pods' ? 'selects no pods' : `has no Ready pod (0/${r.pods} Ready)`;
      out.push(
        finding(
          CODES.SubsetHasNoReadyPods,
          origin,
          `Subset ${r.subset} of ${hostKey(ctx.resolve(d.dest.host, nsOf(vs)))} receives traffic (${traffic}, rule ${ruleLabel(d.rule, d.ruleIndex)}) but ${state}; requests to it fail with 503 UH.`,
          d.path,
        ),
      );
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// DestinationRule checks

/** IST0174 (host matches no Service or ServiceEntry) and IST0173 (subset selects no pods). */
function destinationRuleChecks(ctx: Ctx, dr: Obj): Finding[] {
  const origin = originOf('DestinationRule', dr);
  const host = dr.spec?.host;
  if (typeof host !== 'string' || host === '') return [];
  const entry = ctx.registry.lookup(host, nsOf(dr), strings(dr.spec?.exportTo));
  const ref = ctx.resolve(host, nsOf(dr));
  if (!entry) {
    if (ref.kind !== 'service' && !ctx.snapshot.serviceEntries) return []; // external: ServiceEntries not read
    if (
      ctx.snapshot.offline &&
      (ref.kind === 'service' ? !ctx.registry.serviceNamespaces.has(ref.namespace) : !ctx.registry.hasServiceEntries)
    ) {
      const what = ref.kind === 'service' ? `no Service of namespace ${ref.namespace}` : 'no ServiceEntry';
      return [finding(CODES.NotInFiles, origin, `The host ${host} was not checked offline: ${what} is in the files.`, 'spec.host')];
    }
    return [
      finding(
        CODES.UnknownDestinationRuleHost,
        origin,
        `The host ${host} defined in the DestinationRule does not match any services in the mesh.`,
        'spec.host',
      ),
    ];
  }
  const service = serviceOf(entry);
  if (!service) return []; // a ServiceEntry: its workloads are not in the snapshot
  const podsKnown = !ctx.snapshot.offline || ctx.pods.some((p) => nsOf(p) === nsOf(service));
  const out: Finding[] = [];
  arr(dr.spec?.subsets).forEach((s, k) => {
    const subset = dict(s);
    if (!podsKnown) {
      out.push(
        finding(
          CODES.NotInFiles,
          origin,
          `The Subset ${String(subset.name)} was not checked for pods offline: no Pod or Deployment of namespace ${nsOf(service)} is in the files.`,
          `spec.subsets[${k}]`,
        ),
      );
    } else if (podsForSubset(ctx, service, dict(subset.labels)).length === 0) {
      out.push(
        finding(
          CODES.DestinationRuleSubsetNotSelectPods,
          origin,
          `The Subset ${String(subset.name)} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).`,
          `spec.subsets[${k}]`,
        ),
      );
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------

/**
 * Run every built-in check over a snapshot. Findings come in object order (VirtualServices, then
 * DestinationRules, then HTTPRoutes), each object's findings in check order.
 */
export function builtInChecks(snapshot: ClusterSnapshot, opts: CheckOptions = {}): Finding[] {
  const ctx = buildCtx(snapshot, opts.namespace);
  const inScope = (o: Obj): boolean => opts.namespace === undefined || nsOf(o) === opts.namespace;
  const conflicts = conflictingMeshHosts(snapshot.virtualServices, ctx.namespaces);
  const gamma = virtualServiceAndHttpRoute(snapshot.virtualServices, snapshot.httpRoutes ?? [], ctx.namespaces);
  const gammaFor = (kind: string, o: Obj): Finding[] => gamma.filter((f) => f.origin === originOf(kind, o));
  const out: Finding[] = [];
  for (const vs of snapshot.virtualServices.filter(inScope)) {
    const conflict = conflicts.get(vs);
    out.push(
      ...referencedResources(ctx, vs),
      ...(conflict ? [conflict] : []),
      ...gammaFor('VirtualService', vs),
      ...unreachableRules(vs),
      ...weightsAndHeaders(vs),
      ...trafficToUnreadySubsets(ctx, vs),
    );
  }
  for (const dr of snapshot.destinationRules.filter(inScope)) out.push(...destinationRuleChecks(ctx, dr));
  for (const route of (snapshot.httpRoutes ?? []).filter(inScope)) out.push(...gammaFor('HTTPRoute', route));
  for (const o of [...snapshot.virtualServices, ...snapshot.destinationRules].filter(inScope)) out.push(...coManaged(o));
  return out;
}
