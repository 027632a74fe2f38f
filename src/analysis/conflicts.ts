// Several routing objects for one host: IST0109 (VirtualServices bound to the sidecars, within an
// exportTo scope, as Istio's ConflictingMeshGatewayHostsAnalyzer counts them) and MESH0006 (a
// VirtualService and a GAMMA HTTPRoute, which Istio never merges).
import { CODES } from './codes.js';
import { finding } from './finding.js';
import { hostKey, hostMatches, nameOf, nsOf, originOf, resolveHost, serviceFqdn } from './hosts.js';
import { exportScopes } from './registry.js';
import type { Finding, Obj } from './types.js';

type Dict = Record<string, unknown>;
const dict = (v: unknown): Dict => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Dict) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strings = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');

export const meshBound = (vs: Obj): boolean => {
  const gws = arr(vs.spec?.gateways);
  return gws.length === 0 || gws.includes('mesh');
};

const overlap = (a: string, b: string): boolean => hostMatches(a, b) || hostMatches(b, a);

/** IST0109, once per VirtualService, naming every VirtualService it conflicts with. */
export function conflictingMeshHosts(virtualServices: readonly Obj[], namespaces: ReadonlySet<string>): Map<Obj, Finding> {
  const byScopedHost = new Map<string, { scope: string; host: string; list: Obj[] }>();
  for (const vs of virtualServices.filter(meshBound)) {
    for (const scope of exportScopes(strings(vs.spec?.exportTo), nsOf(vs))) {
      for (const h of strings(vs.spec?.hosts)) {
        const host = hostKey(resolveHost(h, nsOf(vs), namespaces));
        const key = `${scope}/${host}`;
        const entry = byScopedHost.get(key) ?? { scope, host, list: [] };
        if (!entry.list.includes(vs)) entry.list.push(vs);
        byScopedHost.set(key, entry);
      }
    }
  }
  const everywhere = [...byScopedHost.values()].filter((e) => e.scope === '*');
  const out = new Map<Obj, Finding>();
  for (const [key, { scope, host, list }] of byScopedHost) {
    // A VirtualService exported to one namespace still meets every one exported to all of them.
    const all = scope === '*' ? list : [...list, ...everywhere.filter((e) => overlap(e.host, host)).flatMap((e) => e.list)];
    const unique = [...new Set(all)];
    if (unique.length < 2) continue;
    const names = unique
      .map((v) => `${nsOf(v)}/${nameOf(v)}`)
      .sort()
      .join(',');
    for (const vs of unique) {
      if (out.has(vs)) continue;
      out.set(
        vs,
        finding(
          CODES.ConflictingMeshGatewayVirtualServiceHosts,
          originOf('VirtualService', vs),
          `The VirtualServices ${names} associated with mesh gateway define the same host ${key} which can lead to undefined behavior. This can be fixed by merging the conflicting VirtualServices into a single resource.`,
          'spec.hosts',
        ),
      );
    }
  }
  return out;
}

/** The Service FQDNs a GAMMA HTTPRoute attaches to: parentRefs of kind Service in the core group (""). */
export function gammaServiceHosts(route: Obj): string[] {
  return arr(route.spec?.parentRefs)
    .map(dict)
    .filter((p) => p.kind === 'Service' && p.group === '' && typeof p.name === 'string')
    .map((p) => serviceFqdn(String(p.name), typeof p.namespace === 'string' && p.namespace ? p.namespace : nsOf(route)));
}

/** MESH0006, on both objects: a mesh-bound VirtualService and a GAMMA HTTPRoute for the same Service host. */
export function virtualServiceAndHttpRoute(
  virtualServices: readonly Obj[],
  httpRoutes: readonly Obj[],
  namespaces: ReadonlySet<string>,
): Finding[] {
  const out: Finding[] = [];
  for (const route of httpRoutes) {
    for (const host of new Set(gammaServiceHosts(route))) {
      for (const vs of virtualServices.filter(meshBound)) {
        if (!strings(vs.spec?.hosts).some((h) => hostKey(resolveHost(h, nsOf(vs), namespaces)) === host)) continue;
        const both = `VirtualService ${nsOf(vs)}/${nameOf(vs)} and HTTPRoute ${nsOf(route)}/${nameOf(route)}`;
        const message = `${both} both route ${host}; Istio never merges them (clients in namespace ${nsOf(route)} follow the HTTPRoute, others whichever is older). Keep one of them.`;
        out.push(finding(CODES.VirtualServiceAndHTTPRouteConflict, originOf('VirtualService', vs), message, 'spec.hosts'));
        out.push(finding(CODES.VirtualServiceAndHTTPRouteConflict, originOf('HTTPRoute', route), message, 'spec.parentRefs'));
      }
    }
  }
  return out;
}
