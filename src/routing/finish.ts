// Turns a verb's new routing into a Plan: the new VirtualService (with its history entry),
// ordered writes, and nothing at all when the routing would not change.
import { sameValue } from '../model/equal.js';
import type { Binding, Revision } from './history.js';
import { orderWrites, type Plan } from './plan.js';
import { httpRoutes } from './routes.js';
import { bindingOf, nextVirtualService, type Gateway, type Target } from './target.js';
import type { DestinationRule, HorizontalPodAutoscaler, HttpRoute } from './types.js';

export interface Outcome {
  summary: string;
  routes: HttpRoute[];
  dr: DestinationRule | undefined;
  entry: Omit<Revision, 'revision' | 'routes' | 'subsets'>;
  /** Our routes before the change plus any user route we adopted. */
  baseline?: HttpRoute[];
  hpas?: [HorizontalPodAutoscaler, HorizontalPodAutoscaler][];
  receiving: string[];
  gateway?: Gateway;
  /** Set by rollback past a gateway binding: the hosts and gateways from before it. */
  binding?: Binding;
  /** Set by rollback to the baseline: the objects go away (the DestinationRule alone, when routes remain). */
  deleteVirtualService?: boolean;
  deleteDestinationRule?: boolean;
}

const same = sameValue;

export function finish(t: Target, o: Outcome): Plan {
  const common = { namespace: t.ref.namespace, service: t.ref.name, summary: o.summary, receiving: o.receiving };
  if (o.deleteVirtualService) {
    const dr = o.deleteDestinationRule ? undefined : o.dr;
    return { ...common, writes: orderWrites({ vs: [t.vs, undefined], dr: [t.dr, dr], hpas: o.hpas }), destinationRule: dr };
  }
  const hpas = (o.hpas ?? []).filter(([b, a]) => !same(b, a));
  const gatewayBound = !o.gateway || (t.vs?.spec?.hosts?.includes(o.gateway.host) && t.vs.spec.gateways?.includes(o.gateway.gateway));
  // A rollback to the baseline deletes the DestinationRule we created, after the routes stop using it.
  const dr = o.deleteDestinationRule ? undefined : o.dr;
  const bindingKept = !o.binding || !t.vs || same(bindingOf(t.vs), o.binding);
  const unchanged = t.vs && same(httpRoutes(t.vs), o.routes) && same(t.dr, dr) && !hpas.length && gatewayBound && bindingKept;
  if (unchanged) return { ...common, writes: [], receiving: [], virtualService: t.vs, destinationRule: t.dr };
  const vs = nextVirtualService(t, o.routes, o.entry, dr, o.baseline, o.gateway, o.binding);
  return { ...common, writes: orderWrites({ vs: [t.vs, vs], dr: [t.dr, dr], hpas }), virtualService: vs, destinationRule: dr };
}
