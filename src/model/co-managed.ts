// Routing objects another controller manages: it reconciles them back to its own idea of the routes
// (Argo Rollouts rewrites routes and drops subsets it does not know, Flagger owns the whole
// VirtualService, a Kiali wizard regenerates it), so what we write would be overwritten.
import type { Obj } from './objects.js';

/** The marker each manager leaves on the objects it manages. */
export const ARGO_ROLLOUTS_ANNOTATION = 'argo-rollouts.argoproj.io/managed-by-rollouts';
export const KIALI_WIZARD_LABEL = 'kiali_wizard';
const FLAGGER_GROUP = 'flagger.app';

export interface CoManager {
  /** "Argo Rollouts", "Flagger", "a Kiali wizard". */
  name: string;
  /** The marker that says so, e.g. `ownerReference to Canary shop/reviews`. */
  marker: string;
}

export function coManagerOf(o: Obj): CoManager | undefined {
  const annotations = o.metadata.annotations ?? {};
  const argo = annotations[ARGO_ROLLOUTS_ANNOTATION];
  if (argo !== undefined) return { name: 'Argo Rollouts', marker: `annotation ${ARGO_ROLLOUTS_ANNOTATION}=${argo}` };
  const owners = (o.metadata as { ownerReferences?: { apiVersion?: string; kind?: string; name?: string }[] }).ownerReferences;
  const canary = Array.isArray(owners)
    ? owners.find((r) => r?.kind === 'Canary' && (r.apiVersion ?? '').split('/')[0] === FLAGGER_GROUP)
    : undefined;
  if (canary)
    return { name: 'Flagger', marker: `ownerReference to Canary ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${canary.name}` };
  const kiali = o.metadata.labels?.[KIALI_WIZARD_LABEL];
  if (kiali !== undefined) return { name: 'a Kiali wizard', marker: `label ${KIALI_WIZARD_LABEL}=${kiali}` };
  return undefined;
}

/** "VirtualService shop/reviews is managed by Flagger (ownerReference to Canary shop/reviews)" */
export const describeCoManaged = (o: Obj, m: CoManager): string =>
  `${o.kind} ${o.metadata.namespace}/${o.metadata.name} is managed by ${m.name} (${m.marker})`;
