// The one place that knows the finding codes the built-in checks emit.
//
// IST codes are Istio's own (https://istio.io/latest/docs/reference/config/analysis/), used with
// Istio's names, levels and meanings so a finding reads the same whether istioctl or we produced it.
// MESH codes are kubectl-mesh's own: Istio has no analyzer for these. They are not Istio codes and
// istioctl never prints them.

import type { FindingLevel } from './types.js';

export interface CodeInfo {
  code: string;
  name: string;
  level: FindingLevel;
  documentationUrl?: string;
}

const ISTIO_DOCS = 'https://istio.io/latest/docs/reference/config/analysis';
const istio = (code: string, name: string, level: FindingLevel): CodeInfo => ({
  code,
  name,
  level,
  documentationUrl: `${ISTIO_DOCS}/${code.toLowerCase()}/`,
});
const mesh = (code: string, name: string, level: FindingLevel): CodeInfo => ({ code, name, level });

export const CODES = {
  /** A VirtualService names a host, host+subset or gateway that does not exist. */
  ReferencedResourceNotFound: istio('IST0101', 'ReferencedResourceNotFound', 'Error'),
  /** Several VirtualServices bound to the sidecars (`mesh`) define the same host. */
  ConflictingMeshGatewayVirtualServiceHosts: istio('IST0109', 'ConflictingMeshGatewayVirtualServiceHosts', 'Error'),
  /** An http rule can never match: a catch-all rule precedes it, or earlier rules cover all its matches. */
  VirtualServiceUnreachableRule: istio('IST0130', 'VirtualServiceUnreachableRule', 'Warning'),
  /** One match clause of an http rule is covered by an earlier rule (the rule still matches otherwise). */
  VirtualServiceIneffectiveMatch: istio('IST0131', 'VirtualServiceIneffectiveMatch', 'Info'),
  /** A DestinationRule subset (with its Service's selector) selects no pods: traffic to it gets 503 UH. */
  DestinationRuleSubsetNotSelectPods: istio('IST0173', 'DestinationRuleSubsetNotSelectPods', 'Error'),
  /** A DestinationRule host matches no Service. */
  UnknownDestinationRuleHost: istio('IST0174', 'UnknownDestinationRuleHost', 'Warning'),

  /** Ours. A route sends traffic (weight > 0, or a header route) to a subset with no Ready pod. */
  SubsetHasNoReadyPods: mesh('MESH0001', 'SubsetHasNoReadyPods', 'Error'),
  /** Ours. The weights of a route's destinations do not add up to 100. */
  WeightsDoNotSumTo100: mesh('MESH0002', 'WeightsDoNotSumTo100', 'Warning'),
  /** Ours. A header match name is not a lowercase HTTP token, so it never matches. */
  InvalidHeaderName: mesh('MESH0003', 'InvalidHeaderName', 'Error'),
  /** Ours. A destination weight is negative or not an integer. */
  InvalidWeight: mesh('MESH0004', 'InvalidWeight', 'Error'),
  /** Ours. Offline: a check needs an object the files do not hold (a Service, ServiceEntry, DestinationRule, Gateway, Pods), so it was not made. */
  NotInFiles: mesh('MESH0005', 'NotInFiles', 'Info'),
  /**
   * Ours. A VirtualService and a Gateway API HTTPRoute (GAMMA, parentRef of kind Service) route the same
   * host. Istio never merges them: clients in the HTTPRoute's namespace get it, others the older object.
   */
  VirtualServiceAndHTTPRouteConflict: mesh('MESH0006', 'VirtualServiceAndHTTPRouteConflict', 'Error'),
  /** Ours. Another controller (Argo Rollouts, Flagger, a Kiali wizard) manages the object: our routes would be overwritten. */
  CoManagedObject: mesh('MESH0007', 'CoManagedObject', 'Warning'),
} as const satisfies Record<string, CodeInfo>;

export type CodeName = keyof typeof CODES;
