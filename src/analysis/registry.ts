// Which hosts exist, and where they are visible: Services (with their `networking.istio.io/exportTo`
// annotation) and ServiceEntries (with their exportTo), as Istio's analyzers see them
// (pkg/config/analysis/analyzers/util/service_lookup.go).
import { hostKey, nsOf, resolveHost } from './hosts.js';
import type { ClusterSnapshot, Obj } from './types.js';

export const EXPORT_TO_ANNOTATION = 'networking.istio.io/exportTo';

export interface HostEntry {
  /** Service FQDN, external host or wildcard (`*.example.com`, `*`), lower case. */
  host: string;
  /** `*` (every namespace) or the one namespace that sees it. */
  scope: string;
  /** Port numbers, when the defining object lists them. */
  ports: number[];
  from: Obj;
}

export interface HostRegistry {
  /**
   * The entry that makes `host` visible to a rule in `sourceNamespace` exported to `exportTo`
   * (Istio's GetDestinationHost), or undefined.
   */
  lookup(host: string, sourceNamespace: string, exportTo: readonly string[]): HostEntry | undefined;
  /** Namespaces holding at least one Service; whether any ServiceEntry exists. */
  serviceNamespaces: ReadonlySet<string>;
  hasServiceEntries: boolean;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** Scopes of an exportTo list: empty or containing `*` → everywhere; `.` → the object's own namespace. */
export function exportScopes(exportTo: readonly string[], ownNamespace: string): string[] {
  if (exportTo.length === 0 || exportTo.includes('*')) return ['*'];
  return [...new Set(exportTo.map((e) => (e === '.' ? ownNamespace : e)))];
}

export function buildRegistry(snapshot: ClusterSnapshot, knownNamespaces: ReadonlySet<string>): HostRegistry {
  const exact = new Map<string, HostEntry>();
  const wildcards: HostEntry[] = [];
  const add = (entry: HostEntry): void => {
    if (entry.host.startsWith('*')) wildcards.push(entry);
    else if (!exact.has(`${entry.scope}|${entry.host}`)) exact.set(`${entry.scope}|${entry.host}`, entry);
  };
  for (const se of snapshot.serviceEntries ?? []) {
    const ports = (Array.isArray(se.spec?.ports) ? se.spec.ports : [])
      .map((p: { number?: unknown }) => Number(p?.number))
      .filter(Number.isFinite);
    const scopes = exportScopes(strings(se.spec?.exportTo), nsOf(se));
    for (const h of strings(se.spec?.hosts)) {
      const host = hostKey(resolveHost(h, nsOf(se), knownNamespaces));
      for (const scope of scopes) add({ host, scope, ports, from: se });
    }
  }
  const serviceNamespaces = new Set<string>();
  for (const svc of snapshot.services) {
    serviceNamespaces.add(nsOf(svc).toLowerCase());
    const ports = (Array.isArray(svc.spec?.ports) ? svc.spec.ports : [])
      .map((p: { port?: unknown }) => Number(p?.port))
      .filter(Number.isFinite);
    const annotation = svc.metadata?.annotations?.[EXPORT_TO_ANNOTATION];
    const exportTo = typeof annotation === 'string' && annotation.trim() !== '' ? annotation.split(',').map((s) => s.trim()) : [];
    const host = hostKey(resolveHost(svc.metadata?.name ?? '', nsOf(svc), knownNamespaces));
    for (const scope of exportScopes(exportTo, nsOf(svc))) add({ host, scope, ports, from: svc });
  }
  return {
    serviceNamespaces,
    hasServiceEntries: (snapshot.serviceEntries ?? []).length > 0,
    lookup(host, sourceNamespace, exportTo) {
      const key = hostKey(resolveHost(host, sourceNamespace, knownNamespaces));
      const found = exact.get(`*|${key}`);
      if (found) return found;
      const scopes = exportTo.length === 0 ? [sourceNamespace] : exportTo.map((e) => (e === '.' ? sourceNamespace : e));
      for (const scope of scopes) {
        const e = exact.get(`${scope}|${key}`);
        if (e) return e;
      }
      const bare = key.replace(/^\*/, '');
      return wildcards.find((w) => (w.scope === '*' || w.scope === sourceNamespace) && bare.endsWith(w.host.slice(1)));
    },
  };
}
