// The one object model: the Kubernetes and Istio objects kubectl-mesh reads and writes, shared by
// routing, analysis, kube and source. Only the fields we use are typed; every other field rides along
// as unknown, so an object read, changed and written back keeps what we do not model.

export interface ObjectMeta {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  resourceVersion?: string;
  uid?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  [key: string]: unknown;
}

/** Fields of a spec or status that we do not model. */
export type Unmodelled = Record<string, unknown>;

/** Any object as JSON. `Spec`/`Status` narrow it to a kind. */
export interface KubeObject<Spec = Unmodelled, Status = Unmodelled> {
  apiVersion?: string;
  kind?: string;
  metadata: ObjectMeta;
  spec?: Spec;
  status?: Status;
  [key: string]: unknown;
}

/** An object whose kind we do not narrow (lists, writes of any kind). */
export type Obj = KubeObject;

// ---- Istio networking ----

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
  /** Istio requires it; a hand-written file may still lack it (analyze reports what it can). */
  destination?: Destination;
  weight?: number;
  [key: string]: unknown;
}

export interface HttpRoute {
  name?: string;
  match?: HttpMatch[];
  route?: RouteDestination[];
  mirror?: Destination;
  [key: string]: unknown;
}

export interface VirtualServiceSpec {
  hosts?: string[];
  gateways?: string[];
  http?: HttpRoute[];
  tcp?: HttpRoute[];
  tls?: HttpRoute[];
  exportTo?: string[];
  [key: string]: unknown;
}
export type VirtualService = KubeObject<VirtualServiceSpec>;

export interface Subset {
  name: string;
  labels?: Record<string, string>;
  [key: string]: unknown;
}

export interface DestinationRuleSpec {
  host?: string;
  subsets?: Subset[];
  exportTo?: string[];
  [key: string]: unknown;
}
export type DestinationRule = KubeObject<DestinationRuleSpec>;

// ---- Kubernetes ----

export interface ServiceSpec {
  selector?: Record<string, string>;
  [key: string]: unknown;
}
export type Service = KubeObject<ServiceSpec>;

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; [key: string]: unknown };
  [key: string]: unknown;
}

export interface DeploymentSpec {
  replicas?: number;
  template?: PodTemplate;
  [key: string]: unknown;
}
export type Deployment = KubeObject<DeploymentSpec>;

export interface PodCondition {
  type: string;
  status: string;
  [key: string]: unknown;
}

export interface PodStatus {
  conditions?: PodCondition[];
  [key: string]: unknown;
}
export type Pod = KubeObject<Unmodelled, PodStatus>;

export interface HpaSpec {
  scaleTargetRef?: { kind?: string; name?: string; [key: string]: unknown };
  minReplicas?: number;
  maxReplicas?: number;
  [key: string]: unknown;
}

export interface HpaStatus {
  currentReplicas?: number;
  desiredReplicas?: number;
  [key: string]: unknown;
}
export type HorizontalPodAutoscaler = KubeObject<HpaSpec, HpaStatus>;
