// Shapes of the routing core. The objects themselves are the one model in src/model/objects.ts.
import type { DestinationRule, Deployment, HorizontalPodAutoscaler, Pod, Service, VirtualService } from '../model/objects.js';

export type {
  Destination,
  DestinationRule,
  Deployment,
  HorizontalPodAutoscaler,
  HttpMatch,
  HttpRoute,
  KubeObject,
  Obj,
  Pod,
  RouteDestination,
  Service,
  StringMatch,
  Subset,
  VirtualService,
  VirtualServiceSpec,
} from '../model/objects.js';

/** Everything a command reads about one Service, in its namespace. */
export interface Workload {
  service: Service;
  deployments: Deployment[];
  pods: Pod[];
  hpas: HorizontalPodAutoscaler[];
  /** All VirtualServices / DestinationRules of the namespace (we pick ours). */
  virtualServices: VirtualService[];
  destinationRules: DestinationRule[];
}

/** A version of a service: one value of the version label, backed by a Deployment. */
export interface Version {
  /** Value of the version label, e.g. "v2". */
  value: string;
  /** The DestinationRule subset that selects it (existing name, or `value` when we create it). */
  subset: string;
  labels: Record<string, string>;
  deployment: string;
  created?: string;
}

export interface WeightedSubset {
  subset: string;
  weight: number;
}

export interface HeaderCondition {
  name: string;
  type: 'exact' | 'prefix' | 'regex';
  value: string;
}

export interface EnvRoute {
  name: string;
  headers: HeaderCondition[];
  subset: string;
}

export interface Roles {
  stable?: string;
  canary?: string;
}
