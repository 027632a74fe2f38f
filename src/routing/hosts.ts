// Service host names: we write FQDNs; short names resolve against the referring object's namespace.
import type { Obj } from './types.js';

export const fqdn = (service: string, namespace: string): string => `${service}.${namespace}.svc.cluster.local`;

export const serviceFqdn = (svc: Obj): string => fqdn(svc.metadata.name, svc.metadata.namespace ?? 'default');

/** Does `host`, written in an object of namespace `fromNamespace`, name this service? */
export function hostRefersTo(host: string, fromNamespace: string | undefined, service: string, namespace: string): boolean {
  if (host === fqdn(service, namespace) || host === `${service}.${namespace}.svc` || host === `${service}.${namespace}`) return true;
  return host === service && (fromNamespace ?? namespace) === namespace;
}
