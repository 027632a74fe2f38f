// The one host resolver (analysis and routing both use it). Host names as Istio reads them: short
// names resolve against the namespace of the rule that holds them, not the Service's
// (https://istio.io/latest/docs/reference/config/networking/virtual-service/#Destination).
// Case-insensitive, trailing dot ignored, cluster domain `cluster.local`.

import type { DestinationRule, DestinationRuleSpec, VirtualService, VirtualServiceSpec } from './objects.js';

export const CLUSTER_DOMAIN = 'cluster.local';

export type HostRef =
  /** An in-cluster Service host. */
  | { kind: 'service'; name: string; namespace: string; fqdn: string }
  /** Anything that is not a Service's name: external FQDNs (ServiceEntries), wildcards. */
  | { kind: 'other'; host: string };

/** `reviews.shop.svc.cluster.local`: the host we write for a Service. */
export const serviceFqdn = (name: string, namespace: string): string => `${name}.${namespace}.svc.${CLUSTER_DOMAIN}`.toLowerCase();

const normalize = (host: string): string => host.trim().toLowerCase().replace(/\.$/, '');

/**
 * Resolve `host` as written in an object living in `ruleNamespace`:
 * `reviews` → reviews.<ruleNamespace>; `reviews.shop.svc[.cluster.local]` → reviews.shop;
 * `reviews.shop` → reviews.shop only when `shop` is one of `knownNamespaces` (else it is taken for
 * an external name like `example.com`); anything else, and wildcards, are `other`.
 */
export function resolveHost(host: string, ruleNamespace: string, knownNamespaces: Pick<ReadonlySet<string>, 'has'> = new Set()): HostRef {
  const h = normalize(host);
  if (h === '' || h.includes('*')) return { kind: 'other', host: h };
  const labels = h.split('.');
  const service = (name: string, namespace: string): HostRef => ({ kind: 'service', name, namespace, fqdn: serviceFqdn(name, namespace) });
  if (labels.length === 1) return service(h, ruleNamespace.toLowerCase());
  if (labels.length === 2 && knownNamespaces.has(labels[1])) return service(labels[0], labels[1]);
  if (labels.length === 3 && labels[2] === 'svc') return service(labels[0], labels[1]);
  if (labels.length >= 4 && labels[2] === 'svc' && labels.slice(3).join('.') === CLUSTER_DOMAIN) return service(labels[0], labels[1]);
  return { kind: 'other', host: h };
}

/** A stable key for "the same host": the Service FQDN, or the lower-cased host otherwise. */
export const hostKey = (ref: HostRef): string => (ref.kind === 'service' ? ref.fqdn : ref.host);

/** Does `host`, written in an object of namespace `fromNamespace`, name Service `service` of `namespace`? */
export function hostRefersTo(host: string, fromNamespace: string | undefined, service: string, namespace: string): boolean {
  return serviceNamedBy(host, fromNamespace ?? namespace) === serviceFqdn(service, namespace);
}

/** Every namespace counts as known: a two-label host `a.b` can only name Service a in namespace b. */
const anyNamespace: Pick<ReadonlySet<string>, 'has'> = { has: () => true };

/**
 * The FQDN of the Service `host` would name if one existed, whatever its namespace (undefined for
 * wildcards and other hosts). Comparing it with a Service's FQDN is hostRefersTo without resolving
 * the host again per Service: callers matching n Services to m objects compute it once per host.
 */
export function serviceNamedBy(host: string, fromNamespace: string): string | undefined {
  const ref = resolveHost(host, fromNamespace, anyNamespace);
  return ref.kind === 'service' ? ref.fqdn : undefined;
}

/** Istio's host matching: `*.example.com` matches `a.example.com` and `*.example.com`; `*` matches everything. */
export function hostMatches(pattern: string, host: string): boolean {
  const p = normalize(pattern);
  const h = normalize(host);
  if (p === h || p === '*') return true;
  if (!p.startsWith('*')) return false;
  return h.replace(/^\*/, '').endsWith(p.slice(1));
}

/** Every host an Istio routing object names: a VirtualService's hosts and route destinations, a DestinationRule's host. */
export function namedHosts(o: VirtualService | DestinationRule): string[] {
  const spec: VirtualServiceSpec & DestinationRuleSpec = o.spec ?? {};
  const routes = [...(spec.http ?? []), ...(spec.tcp ?? []), ...(spec.tls ?? [])];
  const hosts: unknown[] = [
    ...(spec.hosts ?? []),
    spec.host,
    ...routes.flatMap((r) => [...(r.route ?? []).map((d) => d.destination?.host), r.mirror?.host]),
  ];
  return hosts.filter((h): h is string => typeof h === 'string');
}
