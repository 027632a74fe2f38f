// Object naming helpers of the analysis core. Host resolution itself lives in src/model/hosts.ts.
import type { Obj } from './types.js';

export { CLUSTER_DOMAIN, hostKey, hostMatches, resolveHost, serviceFqdn, type HostRef } from '../model/hosts.js';

export const nsOf = (o: Obj): string => o.metadata?.namespace ?? 'default';
export const nameOf = (o: Obj): string => o.metadata?.name ?? '';
export const kindOf = (o: Obj): string => o.kind ?? '';
export const originOf = (kind: string, o: Obj): string => `${kind} ${nsOf(o)}/${nameOf(o)}`;

/** Every namespace any object of the snapshot lives in. */
export function namespacesOf(...lists: ReadonlyArray<readonly Obj[] | undefined>): Set<string> {
  const out = new Set<string>();
  for (const list of lists) for (const o of list ?? []) out.add(nsOf(o).toLowerCase());
  return out;
}
