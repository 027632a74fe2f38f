// Built-in checks: Istio-compatible codes (see codes.ts) computed from plain objects.
// PURE: no I/O, no process, no clock. Every finding names its object and, where it can, the path.

import { isOwnedRoute } from '../routing/names.js';
import { CODES, type CodeInfo } from './codes.js';
import {
  hostKey, indexServices, nameOf, namespacesOf, nsOf, originOf, resolveHost, serviceFor, type HostRef,
} from './hosts.js';
import { covers, matchesEverything, sameConditions } from './matches.js';
import type { ClusterSnapshot, Finding, Obj } from './types.js';

export interface CheckOptions {
  /** Report only objects in this namespace (references are still resolved cluster-wide). */
  namespace?: string;
}

type Dict = Record<string, any>;
const arr = (v: unknown): any[] => (Array.isArray(v) ? v : []);
const dict = (v: unknown): Dict => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Dict) : {});

const finding = (info: CodeInfo, origin: string, message: string, path?: string): Finding => ({
  code: info.code,
  level: info.level,
  origin,
  message,
  ...(info.documentationUrl ? { documentationUrl: info.documentationUrl } : {}),
  source: 'built-in',
  ...(path ? { path } : {}),
});

/** Context shared by the checks: indexes built once per call. */
interface Ctx {
  snapshot: ClusterSnapshot;
  namespaces: Set<string>;
  services: Map<string, Obj>;
  /** hostKey → subset name → { dr, subset } */
  subsets: Map<string, Map<string, { dr: Obj; subset: Dict }>>;
  resolve(host: unknown, ruleNs: string): HostRef;
}

function buildCtx(snapshot: ClusterSnapshot, extraNamespace?: string): Ctx {
  const namespaces = namespacesOf(snapshot.virtualServices, snapshot.destinationRules, snapshot.services,
    snapshot.pods, snapshot.gateways);
  if (extraNamespace) namespaces.add(extraNamespace);
  const resolve = (host: unknown, ruleNs: string): HostRef => resolveHost(String(host ?? ''), ruleNs, namespaces);
  const subsets = new Map<string, Map<string, { dr: Obj; subset: Dict }>>();
  for (const dr of snapshot.destinationRules) {
    const key = hostKey(resolve(dr.spec?.host, nsOf(dr)));
    const byName = subsets.get(key) ?? new Map<string, { dr: Obj; subset: Dict }>();
    subsets.set(key, byName);
    for (const s of arr(dr.spec?.subsets)) {
      const subset = dict(s);
      if (typeof subset.name === 'string' && !byName.has(subset.name)) byName.set(subset.name, { dr, subset });
    }
  }
  return { snapshot, namespaces, services: indexServices(snapshot.services), subsets, resolve };
}

// ---------------------------------------------------------------------------------------------
// Pods and readiness

const labelsMatch = (selector: Dict, labels: Dict): boolean =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

export const isPodReady = (pod: Obj): boolean =>
  !pod.metadata?.deletionTimestamp
  && arr(pod.status?.conditions).some((c) => dict(c).type === 'Ready' && dict(c).status === 'True');

/** Pods a subset selects: the Service's selector merged with the subset's labels, in the Service's namespace. */
function podsForSubset(ctx: Ctx, service: Obj, subsetLabels: Dict): Obj[] {
  const selector = { ...dict(service.spec?.selector), ...subsetLabels };
  return ctx.snapshot.pods.filter((p) => nsOf(p) === nsOf(service) && labelsMatch(selector, dict(p.metadata?.labels)));
}

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
  snapshot: ClusterSnapshot, host: string, namespace: string, subsets: readonly string[],
): SubsetReadiness[] {
  const ctx = buildCtx(snapshot, namespace);
  return readiness(ctx, ctx.resolve(host, namespace), subsets);
}

function readiness(ctx: Ctx, ref: HostRef, subsets: readonly string[]): SubsetReadiness[] {
  const service = serviceFor(ref, ctx.services);
  const defined = ctx.subsets.get(hostKey(ref));
  const out: SubsetReadiness[] = [];
  for (const subset of subsets) {
    if (!service) { out.push({ subset, reason: 'no-service', pods: 0, ready: 0 }); continue; }
    const def = defined?.get(subset);
    if (!def) { out.push({ subset, reason: 'unknown-subset', pods: 0, ready: 0 }); continue; }
    const pods = podsForSubset(ctx, service, dict(def.subset.labels));
    const ready = pods.filter(isPodReady).length;
    if (pods.length === 0) out.push({ subset, reason: 'no-pods', pods: 0, ready: 0 });
    else if (ready === 0) out.push({ subset, reason: 'none-ready', pods: pods.length, ready });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// VirtualService checks

interface RouteDest { path: string; dest: Dict; weight: unknown; rule: Dict; ruleIndex: number; kind: 'http' | 'tcp' | 'tls' }

function destinationsOf(vs: Obj): RouteDest[] {
  const out: RouteDest[] = [];
  for (const kind of ['http', 'tcp', 'tls'] as const) {
    arr(vs.spec?.[kind]).forEach((r, i) => {
      const rule = dict(r);
      arr(rule.route).forEach((d, j) => {
        const rd = dict(d);
        out.push({ path: `spec.${kind}[${i}].route[${j}]`, dest: dict(rd.destination), weight: rd.weight, rule, ruleIndex: i, kind });
      });
    });
  }
  return out;
}

/** Mirror destinations; `path` is the Destination object's own path. */
function mirrorsOf(vs: Obj): Array<{ path: string; dest: Dict }> {
  const out: Array<{ path: string; dest: Dict }> = [];
  arr(vs.spec?.http).forEach((r, i) => {
    const rule = dict(r);
    if (rule.mirror) out.push({ path: `spec.http[${i}].mirror`, dest: dict(rule.mirror) });
    arr(rule.mirrors).forEach((m, j) => out.push({ path: `spec.http[${i}].mirrors[${j}].destination`, dest: dict(dict(m).destination) }));
  });
  return out;
}

/** IST0101: hosts, host+subset pairs and gateways a VirtualService names but which do not exist. */
function referencedResources(ctx: Ctx, vs: Obj): Finding[] {
  const origin = originOf('VirtualService', vs);
  const out: Finding[] = [];
  /** `destPath` is the path of the Destination object itself. */
  const check = (destPath: string, dest: Dict, what: 'host' | 'mirror host'): void => {
    if (typeof dest.host !== 'string' || dest.host === '') return;
    const ref = ctx.resolve(dest.host, nsOf(vs));
    if (ref.kind === 'service' && !serviceFor(ref, ctx.services)) {
      out.push(finding(CODES.ReferencedResourceNotFound, origin, `Referenced ${what} not found: "${dest.host}"`, `${destPath}.host`));
      return;
    }
    if (typeof dest.subset !== 'string' || dest.subset === '' || ref.kind === 'other' && ref.host.includes('*')) return;
    if (!ctx.subsets.get(hostKey(ref))?.has(dest.subset)) {
      const label = what === 'host' ? 'host+subset in destinationrule' : 'mirror+subset in destinationrule';
      out.push(finding(CODES.ReferencedResourceNotFound, origin,
        `Referenced ${label} not found: "${dest.host}+${dest.subset}"`, `${destPath}.subset`));
    }
  };
  for (const d of destinationsOf(vs)) check(`${d.path}.destination`, d.dest, 'host');
  for (const m of mirrorsOf(vs)) check(m.path, m.dest, 'mirror host');

  if (ctx.snapshot.gateways) {
    const known = new Set(ctx.snapshot.gateways.map((g) => `${nsOf(g)}/${nameOf(g)}`));
    arr(vs.spec?.gateways).forEach((g, i) => {
      if (typeof g !== 'string' || g === 'mesh') return;
      const full = g.includes('/') ? g : `${nsOf(vs)}/${g}`;
      if (!known.has(full)) {
        out.push(finding(CODES.ReferencedResourceNotFound, origin, `Referenced gateway not found: "${g}"`, `spec.gateways[${i}]`));
      }
    });
  }
  return out;
}

const ruleLabel = (rule: Dict, i: number): string => (typeof rule.name === 'string' && rule.name ? `"${rule.name}"` : `#${i}`);
const matchLabel = (m: unknown, j: number): string => {
  const name = dict(m).name;
  return typeof name === 'string' && name ? `"${name}"` : `#${j}`;
};

const SHADOWED = ' The kubectl-mesh route is shadowed by a route it does not own: move that route below it, or give it a narrower match.';

/** IST0130 / IST0131 on the http rules of one VirtualService (first match wins). */
function unreachableRules(vs: Obj): Finding[] {
  const origin = originOf('VirtualService', vs);
  const out: Finding[] = [];
  const rules = arr(vs.spec?.http).map(dict);
  const live: Array<{ ruleIndex: number; clause: unknown }> = [];
  let catchAll = -1;
  rules.forEach((rule, i) => {
    const path = `spec.http[${i}]`;
    if (catchAll >= 0) {
      const blocker = rules[catchAll]!;
      const ours = isOwnedRoute(rule) && !isOwnedRoute(blocker);
      const why = arr(blocker.match).length === 0 ? 'has no match' : 'has a match that matches every request';
      out.push(finding(CODES.VirtualServiceUnreachableRule, origin,
        `VirtualService rule ${ruleLabel(rule, i)} not used (rule ${ruleLabel(blocker, catchAll)} before it ${why}).`
        + (ours ? SHADOWED : ''),
        path));
      return;
    }
    const matches = arr(rule.match);
    if (matches.length === 0) { catchAll = i; return; }
    const dead: Array<{ j: number; by: number }> = [];
    const fresh: Array<{ ruleIndex: number; clause: unknown }> = [];
    matches.forEach((m, j) => {
      const by = live.find((l) => covers(l.clause, m));
      if (by) dead.push({ j, by: by.ruleIndex });
      else fresh.push({ ruleIndex: i, clause: m });
    });
    if (dead.length === matches.length) {
      const allSame = dead.every(({ j, by }) => live.some((l) => l.ruleIndex === by && sameConditions(l.clause, matches[j])));
      const ours = isOwnedRoute(rule) && dead.some(({ by }) => !isOwnedRoute(rules[by]!));
      out.push(finding(CODES.VirtualServiceUnreachableRule, origin,
        `VirtualService rule ${ruleLabel(rule, i)} not used (all matches ${allSame ? 'used' : 'covered'} by prior rules).`
        + (ours ? SHADOWED : ''), path));
    } else {
      for (const { j, by } of dead) {
        out.push(finding(CODES.VirtualServiceIneffectiveMatch, origin,
          `VirtualService rule ${ruleLabel(rule, i)} match ${matchLabel(matches[j], j)} is not used (duplicate/overlapping match in rule ${ruleLabel(rules[by]!, by)}).`,
          `${path}.match[${j}]`));
      }
    }
    live.push(...fresh);
    if (fresh.some((f) => matchesEverything(f.clause))) catchAll = i;
  });
  return out;
}

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
          out.push(finding(CODES.InvalidWeight, origin,
            `Weight ${JSON.stringify(d.weight)} of destination ${j} in rule ${ruleLabel(rule, i)} is not a non-negative integer.`,
            `spec.${kind}[${i}].route[${j}].weight`));
        }
      });
      const weighted = dests.length > 1 || dests.some((d) => d.weight !== undefined);
      if (valid && weighted) {
        const sum = dests.reduce((s, d) => s + (typeof d.weight === 'number' ? d.weight : 0), 0);
        if (sum !== 100) {
          out.push(finding(CODES.WeightsDoNotSumTo100, origin,
            `Weights of rule ${ruleLabel(rule, i)} add up to ${sum}, not 100 (${dests.map((d) => d.weight ?? 0).join(' + ')}).`,
            `spec.${kind}[${i}].route`));
        }
      }
      if (kind !== 'http') return;
      arr(rule.match).forEach((m, j) => {
        for (const field of ['headers', 'withoutHeaders'] as const) {
          for (const name of Object.keys(dict(dict(m)[field]))) {
            if (!HEADER_TOKEN.test(name)) {
              const why = name.toLowerCase() !== name && HEADER_TOKEN.test(name.toLowerCase())
                ? 'must be lowercase (proxies lowercase header names, so this never matches)'
                : 'is not a valid HTTP header name';
              out.push(finding(CODES.InvalidHeaderName, origin, `Header match name "${name}" ${why}.`,
                `spec.http[${i}].match[${j}].${field}`));
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
    const ref = ctx.resolve(d.dest.host, nsOf(vs));
    for (const r of readiness(ctx, ref, [d.dest.subset])) {
      if (r.reason !== 'no-pods' && r.reason !== 'none-ready') continue; // IST0101 reports the others
      const traffic = typeof d.weight === 'number' ? `weight ${d.weight}` : arr(d.rule.match).length > 0 ? 'matched requests' : 'all requests';
      const state = r.reason === 'no-pods' ? 'selects no pods' : `has no Ready pod (0/${r.pods} Ready)`;
      out.push(finding(CODES.SubsetHasNoReadyPods, origin,
        `Subset ${r.subset} of ${hostKey(ref)} receives traffic (${traffic}, rule ${ruleLabel(d.rule, d.ruleIndex)}) but ${state}; requests to it fail with 503 UH.`,
        `${d.path}.destination`));
    }
  }
  return out;
}

const meshBound = (vs: Obj): boolean => {
  const gws = arr(vs.spec?.gateways);
  return gws.length === 0 || gws.includes('mesh');
};

/** IST0109: VirtualServices bound to the sidecars that define the same host (within one exportTo scope). */
function conflictingMeshHosts(ctx: Ctx): Map<Obj, Finding[]> {
  const byHost = new Map<string, { host: string; list: Obj[] }>();
  for (const vs of ctx.snapshot.virtualServices) {
    if (!meshBound(vs)) continue;
    const exportTo = arr(vs.spec?.exportTo).filter((e): e is string => typeof e === 'string');
    const scopes = exportTo.length === 0 || exportTo.includes('*')
      ? ['*'] : [...new Set(exportTo.map((e) => (e === '.' ? nsOf(vs) : e)))];
    const hosts = new Set(arr(vs.spec?.hosts).filter((h): h is string => typeof h === 'string')
      .map((h) => hostKey(ctx.resolve(h, nsOf(vs)))));
    for (const scope of scopes) {
      for (const host of hosts) {
        const key = `${scope}|${host}`;
        const entry = byHost.get(key) ?? { host, list: [] };
        if (!entry.list.includes(vs)) entry.list.push(vs);
        byHost.set(key, entry);
      }
    }
  }
  const out = new Map<Obj, Finding[]>();
  for (const { host, list } of byHost.values()) {
    if (list.length < 2) continue;
    const names = list.map((v) => `${nsOf(v)}/${nameOf(v)}`).join(',');
    for (const vs of list) {
      const f = finding(CODES.ConflictingMeshGatewayVirtualServiceHosts, originOf('VirtualService', vs),
        `The VirtualServices ${names} associated with mesh gateway define the same host ${host} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.`,
        'spec.hosts');
      const mine = out.get(vs) ?? [];
      if (!mine.some((m) => m.message === f.message)) mine.push(f);
      out.set(vs, mine);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// DestinationRule checks

/** IST0174 (host matches no Service) and IST0173 (subset selects no pods). */
function destinationRuleChecks(ctx: Ctx, dr: Obj): Finding[] {
  const origin = originOf('DestinationRule', dr);
  const host = dr.spec?.host;
  if (typeof host !== 'string' || host === '') return [];
  const ref = ctx.resolve(host, nsOf(dr));
  if (ref.kind !== 'service') return []; // external or wildcard: ServiceEntries are not in the snapshot
  const service = serviceFor(ref, ctx.services);
  if (!service) {
    return [finding(CODES.UnknownDestinationRuleHost, origin,
      `The host ${host} defined in the DestinationRule does not match any services in the mesh.`, 'spec.host')];
  }
  const out: Finding[] = [];
  arr(dr.spec?.subsets).forEach((s, k) => {
    const subset = dict(s);
    if (podsForSubset(ctx, service, dict(subset.labels)).length === 0) {
      out.push(finding(CODES.DestinationRuleSubsetNotSelectPods, origin,
        `The Subset ${String(subset.name)} defined in the DestinationRule does not select any pods. Which may lead to 503 UH (NoHealthyUpstream).`,
        `spec.subsets[${k}]`));
    }
  });
  return out;
}

// ---------------------------------------------------------------------------------------------

/**
 * Run every built-in check over a snapshot. Findings come in object order (VirtualServices, then
 * DestinationRules), each object's findings in check order.
 */
export function builtInChecks(snapshot: ClusterSnapshot, opts: CheckOptions = {}): Finding[] {
  const ctx = buildCtx(snapshot, opts.namespace);
  const inScope = (o: Obj): boolean => opts.namespace === undefined || nsOf(o) === opts.namespace;
  const conflicts = conflictingMeshHosts(ctx);
  const out: Finding[] = [];
  for (const vs of snapshot.virtualServices.filter(inScope)) {
    out.push(
      ...referencedResources(ctx, vs),
      ...(conflicts.get(vs) ?? []),
      ...unreachableRules(vs),
      ...weightsAndHeaders(vs),
      ...trafficToUnreadySubsets(ctx, vs),
    );
  }
  for (const dr of snapshot.destinationRules.filter(inScope)) out.push(...destinationRuleChecks(ctx, dr));
  return out;
}
