// Groups namespace-wide lists into one Workload per Service, so `status` and offline mode
// read everything with a fixed number of list calls however many services there are.
import { NotFoundError } from '../errors.js';
import { serviceSelects } from '../model/labels.js';
import type { DestinationRule, Deployment, HorizontalPodAutoscaler, Obj, Pod, Service, VirtualService, Workload } from './types.js';

export interface Inventory {
  services: Service[];
  deployments: Deployment[];
  pods: Pod[];
  hpas: HorizontalPodAutoscaler[];
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
  /** Read for analysis only (files hold them; the cluster is asked by analyze). */
  gateways?: Obj[];
  serviceEntries?: Obj[];
  httpRoutes?: Obj[];
  nodes?: Obj[];
}

const inNs =
  (ns: string | undefined) =>
  (o: Obj): boolean =>
    (o.metadata.namespace ?? 'default') === (ns ?? 'default');

export function workloadOf(inv: Inventory, svc: Service): Workload {
  const ns = inNs(svc.metadata.namespace);
  const selected = (labels?: Record<string, string>) => serviceSelects(svc.spec?.selector, labels);
  return {
    service: svc,
    deployments: inv.deployments.filter(ns).filter((d) => selected(d.spec?.template?.metadata?.labels)),
    pods: inv.pods.filter(ns).filter((p) => selected(p.metadata.labels)),
    hpas: inv.hpas.filter(ns),
    virtualServices: inv.virtualServices.filter(ns),
    destinationRules: inv.destinationRules.filter(ns),
  };
}

export function findService(inv: Inventory, namespace: string, name: string): Service {
  const svc = inv.services.find((s) => s.metadata.name === name && inNs(namespace)(s));
  if (!svc) {
    const known = inv.services.filter(inNs(namespace)).map((s) => s.metadata.name);
    throw new NotFoundError(
      `service "${name}" not found in namespace ${namespace}`,
      known.length ? `services there: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', …' : ''}` : 'check -n/--namespace',
    );
  }
  return svc;
}
