// Host names as Istio reads them: short names resolve against the namespace of the rule that
// holds them, not the namespace of the Service (https://istio.io/latest/docs/reference/config/networking/virtual-service/#Destination).

import type { Obj } from './types.js';

export const CLUSTER_DOMAIN = 'cluster.local';

export type HostRef =
  /** An in-cluster Service host. */
  | { kind: 'service'; name: string; namespace: string; fqdn: string }
  /** Anything we cannot map to a Service: external FQDNs (ServiceEntries), wildcards. */
  | { kind: 'other'; host: string };

/**
 * Resolve `host` as written in a rule living in `ruleNamespace`:
 * `reviews` → reviews.<ruleNamespace>; `reviews.shop.svc[.<domain>]` → reviews.shop;
 * `reviews.shop` → reviews.shop only when `shop` is a namespace we know of (else it is taken for an
 * external name like `example.com`); anything else, and wildcards, are `other`.
 */
export function resolveHost(host: string, ruleNamespace: string, knownNamespaces: ReadonlySet<string>): HostRef {
  const h = host.trim().toLowerCase().replace(/\.$/, '');
  if (h === '' || h.includes('*')) return { kind: 'other', host: h };
  const labels = h.split('.');
  const service = (name: string, namespace: string): HostRef =>
    ({ kind: 'service', name, namespace, fqdn: `${name}.${namespace}.svc.${CLUSTER_DOMAIN}` });
  if (labels.length === 1) return service(h, ruleNamespace);
  if (labels.length === 2 && knownNamespaces.has(labels[1]!)) return service(labels[0]!, labels[1]!);
  if (labels.length >= 3 && labels[2] === 'svc') return service(labels[0]!, labels[1]!);
  return { kind: 'other', host: h };
}

/** A stable key for "the same host": the Service FQDN, or the lower-cased host otherwise. */
export const hostKey = (ref: HostRef): string => (ref.kind === 'service' ? ref.fqdn : ref.host);

export const nsOf = (o: Obj): string => o.metadata?.namespace ?? 'default';
export const nameOf = (o: Obj): string => o.metadata?.name ?? '';
export const originOf = (kind: string, o: Obj): string => `${kind} ${nsOf(o)}/${nameOf(o)}`;

/** Every namespace any object of the snapshot lives in. */
export function namespacesOf(...lists: ReadonlyArray<readonly Obj[] | undefined>): Set<string> {
  const out = new Set<string>();
  for (const list of lists) for (const o of list ?? []) out.add(nsOf(o));
  return out;
}

export function indexServices(services: readonly Obj[]): Map<string, Obj> {
  const byKey = new Map<string, Obj>();
  for (const s of services) byKey.set(`${nsOf(s)}/${nameOf(s)}`.toLowerCase(), s);
  return byKey;
}

export const serviceFor = (ref: HostRef, services: ReadonlyMap<string, Obj>): Obj | undefined =>
  ref.kind === 'service' ? services.get(`${ref.namespace}/${ref.name}`) : undefined;
