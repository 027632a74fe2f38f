// The kinds kubectl-mesh touches and where the API server serves them.
// Istio kinds have no fixed version: the client passes the one discovery found.

export type Kind =
  | 'VirtualService'
  | 'DestinationRule'
  | 'Gateway'
  | 'ServiceEntry'
  | 'HTTPRoute'
  | 'Service'
  | 'Deployment'
  | 'Pod'
  | 'HorizontalPodAutoscaler'
  | 'Namespace';

export type IstioVersion = 'v1' | 'v1beta1' | 'v1alpha3';

/** Objects are the one model (src/model/objects.ts); the adapter does not interpret spec or status. */
export type { ObjectMeta, Obj } from '../model/objects.js';

interface Resource {
  group: string;
  /** A fixed version, or ISTIO: the one discovery found. */
  version: string;
  plural: string;
  namespaced: boolean;
}

const ISTIO = 'istio';

export const RESOURCES: Readonly<Record<Kind, Resource>> = {
  VirtualService: { group: 'networking.istio.io', version: ISTIO, plural: 'virtualservices', namespaced: true },
  DestinationRule: { group: 'networking.istio.io', version: ISTIO, plural: 'destinationrules', namespaced: true },
  Gateway: { group: 'networking.istio.io', version: ISTIO, plural: 'gateways', namespaced: true },
  ServiceEntry: { group: 'networking.istio.io', version: ISTIO, plural: 'serviceentries', namespaced: true },
  /** Gateway API (GAMMA routes); its CRDs may be absent. */
  HTTPRoute: { group: 'gateway.networking.k8s.io', version: 'v1', plural: 'httproutes', namespaced: true },
  Service: { group: '', version: 'v1', plural: 'services', namespaced: true },
  Pod: { group: '', version: 'v1', plural: 'pods', namespaced: true },
  Namespace: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  Deployment: { group: 'apps', version: 'v1', plural: 'deployments', namespaced: true },
  HorizontalPodAutoscaler: { group: 'autoscaling', version: 'v2', plural: 'horizontalpodautoscalers', namespaced: true },
};

export const isIstioKind = (kind: Kind): boolean => RESOURCES[kind].version === ISTIO;

export function apiVersionOf(kind: Kind, istio: IstioVersion): string {
  const r = RESOURCES[kind];
  const version = r.version === ISTIO ? istio : r.version;
  return r.group ? `${r.group}/${version}` : version;
}

/** `namespace` undefined lists across all namespaces; cluster-scoped kinds ignore it. */
export function resourcePath(kind: Kind, istio: IstioVersion, namespace?: string, name?: string): string {
  const r = RESOURCES[kind];
  const prefix = r.group ? `/apis/${apiVersionOf(kind, istio)}` : `/api/${r.version}`;
  const ns = r.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${prefix}${ns}/${r.plural}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}
