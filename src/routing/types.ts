// Plain shapes of the Kubernetes and Istio objects the core reads and writes.
// Only the fields we look at are typed; everything else rides along untouched.

export interface Metadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  creationTimestamp?: string;
  [key: string]: unknown;
}

export interface Obj {
  apiVersion?: string;
  kind?: string;
  metadata: Metadata;
  spec?: any;
  status?: any;
  [key: string]: unknown;
}

export type StringMatch = { exact: string } | { prefix: string } | { regex: string };

export interface HttpMatch {
  headers?: Record<string, StringMatch>;
  [key: string]: unknown;
}

export interface Destination {
  host: string;
  subset?: string;
  [key: string]: unknown;
}

export interface RouteDestination {
  destination: Destination;
  weight?: number;
  [key: string]: unknown;
}

export interface HttpRoute {
  name?: string;
  match?: HttpMatch[];
  route?: RouteDestination[];
  [key: string]: unknown;
}

export interface Subset {
  name: string;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

/** Everything a command reads about one Service, in its namespace. */
export interface Workload {
  service: Obj;
  deployments: Obj[];
  pods: Obj[];
  hpas: Obj[];
  /** All VirtualServices / DestinationRules of the namespace (we pick ours). */
  virtualServices: Obj[];
  destinationRules: Obj[];
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
