// Groups namespace-wide lists into one Workload per Service, so `status` and offline mode
// read everything with a fixed number of list calls however many services there are.
import { NotFoundError } from '../errors.js';
import { serviceSelects, type Labels } from '../model/labels.js';
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

// Grouping n Services out of lists of m objects: each list is indexed once (by namespace, then by
// label pair), so the grouping costs n + m look-ups instead of n × m comparisons (200 services:
// ~30 ms of status). The indexes are kept per list object; lists are never changed in place.
const memo = <K extends object, V>(build: (key: K) => V): ((key: K) => V) => {
  const cache = new WeakMap<K, V>();
  return (key) => {
    let value = cache.get(key);
    if (value === undefined) {
      value = build(key);
      cache.set(key, value);
    }
    return value;
  };
};

function byNamespace<T extends Obj>(list: T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const o of list) {
    const ns = o.metadata.namespace ?? 'default';
    const group = groups.get(ns);
    if (group) group.push(o);
    else groups.set(ns, [o]);
  }
  return groups;
}

/** key\0value → the objects carrying that label, in list order. */
function byLabel<T>(list: T[], labelsOf: (o: T) => Labels | undefined): Map<string, T[]> {
  const index = new Map<string, T[]>();
  for (const o of list) {
    for (const [k, v] of Object.entries(labelsOf(o) ?? {})) {
      const key = `${k}\0${v}`;
      const at = index.get(key);
      if (at) at.push(o);
      else index.set(key, [o]);
    }
  }
  return index;
}

const templateLabels = (d: Deployment): Labels | undefined => d.spec?.template?.metadata?.labels;
const podLabels = (p: Pod): Labels | undefined => p.metadata.labels;
const deploymentsIn = memo((list: Deployment[]) => byNamespace(list));
const podsIn = memo((list: Pod[]) => byNamespace(list));
const hpasIn = memo((list: HorizontalPodAutoscaler[]) => byNamespace(list));
const virtualServicesIn = memo((list: VirtualService[]) => byNamespace(list));
const destinationRulesIn = memo((list: DestinationRule[]) => byNamespace(list));
const deploymentsByLabel = memo((list: Deployment[]) => byLabel(list, templateLabels));
const podsByLabel = memo((list: Pod[]) => byLabel(list, podLabels));

/** The objects a Service's selector picks: the candidates of one of its label pairs, then the whole selector. */
function selected<T>(selector: Labels | undefined, index: Map<string, T[]>, labelsOf: (o: T) => Labels | undefined): T[] {
  const first = Object.entries(selector ?? {})[0];
  if (!first) return []; // no selector: endpoints managed by hand, no pods selected
  return (index.get(`${first[0]}\0${first[1]}`) ?? []).filter((o) => serviceSelects(selector, labelsOf(o)));
}

export function workloadOf(inv: Inventory, svc: Service): Workload {
  const ns = svc.metadata.namespace ?? 'default';
  const selector = svc.spec?.selector;
  return {
    service: svc,
    deployments: selected(selector, deploymentsByLabel(deploymentsIn(inv.deployments).get(ns) ?? []), templateLabels),
    pods: selected(selector, podsByLabel(podsIn(inv.pods).get(ns) ?? []), podLabels),
    hpas: hpasIn(inv.hpas).get(ns) ?? [],
    virtualServices: virtualServicesIn(inv.virtualServices).get(ns) ?? [],
    destinationRules: destinationRulesIn(inv.destinationRules).get(ns) ?? [],
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
