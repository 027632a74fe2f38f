// Has the mesh got our change? Reads `istioctl proxy-status -o json` (istiod's syncz: per connected proxy
// and xDS type, whether the last push was acknowledged, and when it was sent) and decides, against a
// snapshot taken just before the write, which proxies that serve the changed hosts have acknowledged
// a push sent after it. Pure: the caller runs istioctl and keeps the clock.
//
// Output formats differ across Istio versions (DESIGN §4): 1.30+ prints one DiscoveryResponse JSON
// document per istiod, one after another; entries carry `genericXdsConfigs` (older: `xdsConfig`).
// Anything else is "unreadable", never a guess.
import type { Write } from './plan.js';
import type { Obj } from './types.js';
import { compareText } from '../model/order.js';

export type SyncState = 'SYNCED' | 'STALE' | 'NOT_SENT' | 'ERROR' | 'UNKNOWN';
export type XdsKind = 'route' | 'cluster' | 'listener' | 'endpoint' | 'other';

export interface TypeSync {
  kind: XdsKind;
  state: SyncState;
  /** When istiod last sent this type to the proxy (RFC 3339 as istiod wrote it), if it said. */
  lastSent?: string;
  error?: string;
}

export interface ProxySync {
  /** istiod's proxy id: `pod.namespace` (1.31), or a whole node id `sidecar~IP~pod.ns~ns.svc.cluster.local`. */
  id: string;
  /** sidecar, router (gateways) … when the id says; '' when it does not (then any type is assumed). */
  type: string;
  namespace: string;
  types: TypeSync[];
}

export type ParsedProxyStatus = { ok: true; proxies: ProxySync[] } | { ok: false; detail: string };

const KIND_BY_TYPE: [RegExp, XdsKind][] = [
  [/RouteConfiguration$/, 'route'],
  [/\.Cluster$/, 'cluster'],
  [/\.Listener$/, 'listener'],
  [/ClusterLoadAssignment$/, 'endpoint'],
];
const kindOf = (typeUrl: string): XdsKind => KIND_BY_TYPE.find(([re]) => re.test(typeUrl))?.[1] ?? 'other';
const LEGACY_KIND: Record<string, XdsKind> = {
  listenerConfig: 'listener',
  clusterConfig: 'cluster',
  routeConfig: 'route',
  endpointConfig: 'endpoint',
};
const STATES = new Set(['SYNCED', 'STALE', 'NOT_SENT', 'ERROR']);
const stateOf = (s: unknown): SyncState => (typeof s === 'string' && STATES.has(s) ? (s as SyncState) : 'UNKNOWN');

/** Splits concatenated JSON documents ({…}{…} or […]) without evaluating anything. */
export function splitJsonDocuments(text: string): unknown[] {
  const docs: unknown[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{' || c === '[') {
      if (depth++ === 0) start = i;
    } else if (c === '}' || c === ']') {
      if (--depth === 0) docs.push(JSON.parse(text.slice(start, i + 1)));
      if (depth < 0) throw new Error('unbalanced JSON');
    } else if (depth === 0 && !/\s/.test(c)) throw new Error(`unexpected text "${text.slice(i, i + 40).split('\n')[0]}"`);
  }
  if (depth !== 0 || inString) throw new Error('truncated JSON');
  return docs;
}

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function proxyOf(entry: Json): ProxySync | undefined {
  const node = isObj(entry.node) ? entry.node : undefined;
  const id = typeof node?.id === 'string' ? node.id : undefined;
  if (!id) return undefined;
  const meta = isObj(node!.metadata) ? node!.metadata : {};
  const fromId = /^[^~]*~[^~]*~[^~]*~([^.]+)\./.exec(id)?.[1];
  const namespace = typeof meta.NAMESPACE === 'string' ? meta.NAMESPACE : (fromId ?? '');
  const types: TypeSync[] = [];
  if (Array.isArray(entry.genericXdsConfigs)) {
    for (const g of entry.genericXdsConfigs.filter(isObj)) {
      const error = isObj(g.errorState) && typeof g.errorState.details === 'string' ? g.errorState.details : undefined;
      types.push({
        kind: kindOf(String(g.typeUrl ?? '')),
        state: stateOf(g.configStatus),
        ...(typeof g.lastUpdated === 'string' ? { lastSent: g.lastUpdated } : {}),
        ...(error ? { error } : {}),
      });
    }
  } else if (Array.isArray(entry.xdsConfig)) {
    for (const x of entry.xdsConfig.filter(isObj)) {
      const key = Object.keys(LEGACY_KIND).find((k) => k in x);
      types.push({ kind: key ? LEGACY_KIND[key] : 'other', state: stateOf(x.status) });
    }
  }
  return { id, type: id.includes('~') ? id.split('~')[0] : '', namespace, types };
}

/** Parses `istioctl proxy-status -o json`; merges what several istiods report. */
export function parseProxyStatus(stdout: string): ParsedProxyStatus {
  let docs: unknown[];
  try {
    docs = splitJsonDocuments(stdout);
  } catch (err) {
    return { ok: false, detail: err instanceof Error ? err.message : String(err) };
  }
  if (!docs.length) return { ok: false, detail: 'no output' };
  const proxies: ProxySync[] = [];
  for (const doc of docs.flatMap((d): unknown[] => (Array.isArray(d) ? (d as unknown[]) : [d]))) {
    if (!isObj(doc) || !Array.isArray(doc.resources ?? [])) return { ok: false, detail: 'not a proxy-status document' };
    for (const r of (doc.resources as unknown[] | undefined) ?? []) {
      const p = isObj(r) ? proxyOf(r) : undefined;
      if (p) proxies.push(p);
    }
  }
  return { ok: true, proxies };
}

/** Which proxies a write concerns, and which xDS types carry it. */
export interface SyncScope {
  /** Namespaces whose proxies see the objects; undefined = every namespace. */
  namespaces?: string[];
  /** Proxy types that use the routes: sidecar (mesh) and/or router (gateways). */
  proxyTypes: string[];
  /** route for a VirtualService change, cluster for a DestinationRule change. */
  kinds: XdsKind[];
}

const exportScope = (o: Obj): string[] | undefined => {
  const to = o.spec?.exportTo as string[] | undefined;
  if (!to?.length || to.includes('*')) return undefined;
  return to.map((n) => (n === '.' ? o.metadata.namespace! : n));
};

const union = (a: string[] | undefined, b: string[] | undefined): string[] | undefined =>
  a === undefined || b === undefined ? undefined : [...new Set([...a, ...b])];

/** The scope of writing these objects (a VirtualService and/or a DestinationRule, before or after). */
export function scopeOf(written: { virtualService?: Obj; destinationRule?: Obj }): SyncScope {
  const { virtualService: vs, destinationRule: dr } = written;
  const kinds: XdsKind[] = [];
  let namespaces: string[] | undefined = [];
  const proxyTypes = new Set<string>();
  if (vs) {
    kinds.push('route');
    namespaces = exportScope(vs);
    const gateways = (vs.spec?.gateways as string[] | undefined) ?? [];
    if (!gateways.length || gateways.includes('mesh')) proxyTypes.add('sidecar');
    if (gateways.some((g) => g !== 'mesh')) proxyTypes.add('router');
  }
  if (dr) {
    kinds.push('cluster');
    namespaces = vs ? union(namespaces, exportScope(dr)) : exportScope(dr);
    proxyTypes.add('sidecar').add('router');
  }
  return { ...(namespaces ? { namespaces } : {}), proxyTypes: [...proxyTypes], kinds };
}

export interface SyncVerdict {
  /** Proxies in scope that watch an affected type. */
  total: number;
  synced: string[];
  /** Node id → why it does not count as synced yet. */
  stale: { id: string; why: string }[];
}

const inScope = (p: ProxySync, scope: SyncScope): boolean =>
  (!p.type || scope.proxyTypes.includes(p.type)) && (!scope.namespaces || scope.namespaces.includes(p.namespace));

const newer = (now: string | undefined, before: string | undefined): boolean =>
  before === undefined || (now !== undefined && now !== before && Date.parse(now) >= Date.parse(before));

function whyStale(t: TypeSync, before: TypeSync | undefined): string | undefined {
  if (t.state === 'ERROR') return `${t.kind}s rejected${t.error ? `: ${t.error}` : ''}`;
  if (t.state === 'STALE') return `${t.kind}s sent, not acknowledged`;
  if (t.state === 'NOT_SENT') return `${t.kind}s not sent yet`;
  if (t.state !== 'SYNCED') return `${t.kind}s in an unknown state`;
  // No baseline for this type: the proxy connected (or subscribed) after the snapshot and got today's config.
  if (before && !newer(t.lastSent, before.lastSent)) return `no ${t.kind} push since the change yet`;
  return undefined;
}

/**
 * Which proxies have acknowledged a push of the affected types sent after `baseline` was taken.
 * A proxy that was not connected at the baseline counts once it is in sync (it got the new config
 * when it connected). Proxies that watch none of the affected types are not counted.
 */
export function judgeSync(baseline: readonly ProxySync[], current: readonly ProxySync[], scope: SyncScope): SyncVerdict {
  const before = new Map(baseline.map((p) => [p.id, p]));
  const verdict: SyncVerdict = { total: 0, synced: [], stale: [] };
  for (const p of current.filter((x) => inScope(x, scope)).sort((a, b) => compareText(a.id, b.id))) {
    const watched = p.types.filter((t) => scope.kinds.includes(t.kind));
    if (!watched.length) continue;
    verdict.total++;
    const old = before.get(p.id);
    const why = watched
      .map((t) =>
        whyStale(
          t,
          old?.types.find((o) => o.kind === t.kind),
        ),
      )
      .find((w) => w !== undefined);
    if (why) verdict.stale.push({ id: p.id, why });
    else verdict.synced.push(p.id);
  }
  return verdict;
}

/** For `status`: proxies that acknowledged everything istiod last sent them, out of all sidecars and gateways. */
export function syncedNow(current: readonly ProxySync[], namespaces?: string[]): { synced: number; total: number } {
  const mine = current.filter((p) => ['sidecar', 'router', ''].includes(p.type) && (!namespaces || namespaces.includes(p.namespace)));
  return { synced: mine.filter((p) => p.types.every((t) => t.state === 'SYNCED' || t.state === 'UNKNOWN')).length, total: mine.length };
}

/** A short name for a proxy in messages: pod.namespace. */
export const proxyName = (id: string): string => (id.includes('~') ? id.split('~')[2] || id : id);

/**
 * With --wait, writes that take something away (subset pruning, HPA scale-down: whatever plan order
 * puts after the VirtualService) wait until the proxies have the new routes. Without a
 * VirtualService write there is nothing to wait for first.
 */
export function splitAtSync(writes: readonly Write[]): { first: Write[]; afterSync: Write[] } {
  const vs = writes.findIndex((w) => w.kind === 'VirtualService');
  if (vs === -1) return { first: [...writes], afterSync: [] };
  return { first: writes.slice(0, vs + 1), afterSync: writes.slice(vs + 1) };
}

/** The scope of a batch of writes (one service's or several): the union of each routing object's scope. */
export function scopeOfWrites(writes: readonly Write[]): SyncScope {
  const scopes = writes
    .filter((w) => w.kind !== 'HorizontalPodAutoscaler')
    .map((w) => {
      const o = (w.after ?? w.before)!;
      return scopeOf(w.kind === 'VirtualService' ? { virtualService: o } : { destinationRule: o });
    });
  const namespaces = scopes.reduce<string[] | undefined>((acc, s) => union(acc, s.namespaces), []);
  return {
    ...(namespaces ? { namespaces } : {}),
    proxyTypes: [...new Set(scopes.flatMap((s) => s.proxyTypes))],
    kinds: [...new Set(scopes.flatMap((s) => s.kinds))],
  };
}
