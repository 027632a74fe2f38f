// Builders for valid-by-default objects, so a test states only what it is about.
import type {
  DestinationRule,
  Deployment,
  HorizontalPodAutoscaler,
  HttpRoute,
  Pod,
  Service,
  VirtualService,
  Workload,
} from '../../src/routing/types.js';

const NS = 'shop';

export const service = (name: string, ns = NS): Service => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns },
  spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080 }] },
});

export const deployment = (app: string, version: string, created: string, ns = NS): Deployment => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: `${app}-${version}`, namespace: ns, creationTimestamp: created },
  spec: { replicas: 2, template: { metadata: { labels: { app, version } } } },
});

export const pod = (app: string, version: string, i: number, ready = true, ns = NS): Pod => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `${app}-${version}-${i}`, namespace: ns, labels: { app, version } },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});

export const hpa = (app: string, version: string, min = 2, max = 10, ns = NS): HorizontalPodAutoscaler => ({
  apiVersion: 'autoscaling/v2',
  kind: 'HorizontalPodAutoscaler',
  metadata: { name: `${app}-${version}`, namespace: ns },
  spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `${app}-${version}` }, minReplicas: min, maxReplicas: max },
});

export const virtualService = (name: string, http: HttpRoute[], extra: Record<string, unknown> = {}, ns = NS): VirtualService => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'VirtualService',
  metadata: { name, namespace: ns, resourceVersion: '7' },
  spec: { hosts: [name], ...extra, http },
});

export const destinationRule = (name: string, subsets: string[], extra: Record<string, unknown> = {}, ns = NS): DestinationRule => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name, namespace: ns, resourceVersion: '3' },
  spec: { host: name, ...extra, subsets: subsets.map((v) => ({ name: v, labels: { version: v } })) },
});

/** A service with the given versions (oldest first), two Ready pods and an HPA each. */
export function workload(
  app = 'reviews',
  versions = ['v1', 'v2'],
  routing: { vs?: VirtualService[]; dr?: DestinationRule[] } = {},
): Workload {
  return {
    service: service(app),
    deployments: versions.map((v, i) => deployment(app, v, `2026-01-0${i + 1}T00:00:00Z`)),
    pods: versions.flatMap((v) => [pod(app, v, 0), pod(app, v, 1)]),
    hpas: versions.map((v) => hpa(app, v)),
    virtualServices: routing.vs ?? [],
    destinationRules: routing.dr ?? [],
  };
}

export const who = { user: 'alice', at: '2026-11-26T10:00:00.000Z' };
