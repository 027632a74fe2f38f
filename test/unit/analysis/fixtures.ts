// Small builders for analysis tests: valid by default, so a test states only what it is about.

import type { ClusterSnapshot, Finding, Obj } from '../../../src/analysis/types.js';
import type { VirtualService, VirtualServiceSpec } from '../../../src/model/objects.js';

export const service = (name: string, ns = 'shop', selector: Record<string, string> | null = { app: name }): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, labels: { app: name } },
  spec: { ...(selector ? { selector } : {}), ports: [{ name: 'http', port: 9080, targetPort: 9080 }] },
});

export const pod = (
  name: string,
  ns: string,
  labels: Record<string, string>,
  opts: { ready?: boolean; terminating?: boolean } = {},
): Obj => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    namespace: ns,
    labels,
    ...(opts.terminating ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}),
  },
  spec: { containers: [{ name: 'app', image: 'example/app:1' }] },
  status: {
    phase: 'Running',
    conditions: [
      { type: 'PodScheduled', status: 'True' },
      { type: 'Ready', status: opts.ready === false ? 'False' : 'True' },
    ],
  },
});

export const destinationRule = (name: string, ns: string, host: string, subsets: Record<string, Record<string, string>> = {}): Obj => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'DestinationRule',
  metadata: { name, namespace: ns },
  spec: { host, subsets: Object.entries(subsets).map(([n, labels]) => ({ name: n, labels })) },
});

export const gateway = (name: string, ns: string): Obj => ({
  apiVersion: 'networking.istio.io/v1',
  kind: 'Gateway',
  metadata: { name, namespace: ns },
  spec: { selector: { istio: 'ingressgateway' }, servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }] },
});

type Dest = { host: string; subset?: string; weight?: unknown };
export type HttpRoute = Record<string, unknown>;

/** An http rule: `rule([{host, subset, weight}], {name, match, ...other fields})`. */
export const rule = (dests: Dest[], extra: Record<string, unknown> = {}): HttpRoute => ({
  ...('name' in extra ? { name: extra.name } : {}),
  ...('match' in extra ? { match: extra.match } : {}),
  route: dests.map(({ host, subset, weight }) => ({
    destination: { host, ...(subset !== undefined ? { subset } : {}) },
    ...(weight !== undefined ? { weight } : {}),
  })),
  ...Object.fromEntries(Object.entries(extra).filter(([k]) => k !== 'name' && k !== 'match')),
});

export const headerMatch = (name: string, value: string): Record<string, unknown> => ({ headers: { [name]: { exact: value } } });

export class VsBuilder {
  private readonly obj: VirtualService & { spec: VirtualServiceSpec & { http: HttpRoute[] } };
  constructor(name: string, ns: string) {
    this.obj = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name, namespace: ns },
      spec: { hosts: [name], http: [] },
    };
  }
  hosts(...hosts: string[]): this {
    this.obj.spec.hosts = hosts;
    return this;
  }
  gateways(...gws: string[]): this {
    this.obj.spec.gateways = gws;
    return this;
  }
  exportTo(...ns: string[]): this {
    this.obj.spec.exportTo = ns;
    return this;
  }
  http(...rules: HttpRoute[]): this {
    this.obj.spec.http.push(...rules);
    return this;
  }
  set(field: string, value: unknown): this {
    this.obj.spec[field] = value;
    return this;
  }
  build(): VirtualService {
    return structuredClone(this.obj);
  }
}
export const vs = (name: string, ns = 'shop'): VsBuilder => new VsBuilder(name, ns);

export const snapshot = (objs: Obj[], withGateways = false): ClusterSnapshot => ({
  virtualServices: objs.filter((o) => o.kind === 'VirtualService'),
  destinationRules: objs.filter((o) => o.kind === 'DestinationRule'),
  services: objs.filter((o) => o.kind === 'Service'),
  pods: objs.filter((o) => o.kind === 'Pod'),
  ...(withGateways ? { gateways: objs.filter((o) => o.kind === 'Gateway') } : {}),
});

/**
 * The healthy baseline: Service shop/reviews, two Ready v1 pods and one Ready v2 pod, a
 * DestinationRule with subsets v1/v2, and the VirtualService kubectl-mesh writes for a 80/20 canary.
 */
export const reviewsObjects = (): Obj[] => [
  service('reviews'),
  pod('reviews-v1-a', 'shop', { app: 'reviews', version: 'v1' }),
  pod('reviews-v1-b', 'shop', { app: 'reviews', version: 'v1' }),
  pod('reviews-v2-a', 'shop', { app: 'reviews', version: 'v2' }),
  destinationRule('reviews', 'shop', 'reviews.shop.svc.cluster.local', { v1: { version: 'v1' }, v2: { version: 'v2' } }),
  vs('reviews')
    .hosts('reviews.shop.svc.cluster.local')
    .http(
      rule([{ host: 'reviews.shop.svc.cluster.local', subset: 'v2' }], { name: 'mesh-env-green', match: [headerMatch('x-env', 'green')] }),
      rule(
        [
          { host: 'reviews.shop.svc.cluster.local', subset: 'v1', weight: 80 },
          { host: 'reviews.shop.svc.cluster.local', subset: 'v2', weight: 20 },
        ],
        { name: 'mesh-primary' },
      ),
    )
    .build(),
];

/** Replace the object of the same kind and name. */
export const replace = (objs: Obj[], next: Obj): Obj[] =>
  objs.map((o) =>
    o.kind === next.kind && o.metadata?.name === next.metadata?.name && o.metadata?.namespace === next.metadata?.namespace ? next : o,
  );

/** `CODE origin path` lines, sorted: what tests compare. */
export const summary = (findings: readonly Finding[]): string[] =>
  findings.map((f) => `${f.code} ${f.origin}${f.path ? ` ${f.path}` : ''}`).sort();
