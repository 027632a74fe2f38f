// istioctl analyze for a least-privilege user. Against a live cluster, istioctl watches every input
// of its analyzers cluster-wide (Secrets, Pods, Nodes, Namespaces, webhooks, …; see Istio's
// pkg/config/analysis/local/istiod_analyze.go) and reads Secrets in istio-system for multicluster
// discovery even when --analyzer narrows the set, so a namespace-scoped role gets "forbidden".
// Then it runs once more without the cluster (--use-kube=false) on the routing objects kubectl-mesh
// already read, with only the analyzers whose inputs those objects fully cover.

/** Analyzers whose inputs are only VirtualServices and DestinationRules (Istio 1.31's names). */
export const RESTRICTED_ANALYZERS = [
  'virtualservice.DestinationRuleAnalyzer',
  'virtualservice.ConflictingMeshGatewayHostsAnalyzer',
  'destinationrule.CaCertificateAnalyzer',
  'schema.ValidationAnalyzer.VirtualService',
  'schema.ValidationAnalyzer.DestinationRule',
] as const;

/**
 * The routing-related analyzers that need more than the namespace's VirtualServices and
 * DestinationRules, and so cannot run for such a user (the rest concern other kinds entirely).
 */
export const ANALYZERS_NEEDING_CLUSTER_READS = [
  'virtualservice.DestinationHostAnalyzer (Services, ServiceEntries)',
  'virtualservice.GatewayAnalyzer (Gateways)',
  'virtualservice.JWTClaimRouteAnalyzer (RequestAuthentications, Pods)',
  'destinationrule.SubsetSelectPodAnalyzer (Pods, Nodes)',
  'gateway.* (Secrets, Pods)',
  'injection.* (Namespaces, Pods, ConfigMaps)',
] as const;

export const isForbidden = (stderr: string): boolean => /\bforbidden\b/i.test(stderr);

export function restrictedArgs(namespace: string | undefined): string[] {
  return [
    'analyze',
    '-',
    '--use-kube=false',
    '--output',
    'json',
    ...(namespace ? ['--namespace', namespace] : []),
    ...RESTRICTED_ANALYZERS.flatMap((a) => ['--analyzer', a]),
  ];
}

/** The one line that says what ran and what could not. */
export const restrictedNotice = (reason: string): string =>
  `istioctl analyze may not read the cluster (${reason}), so it ran on this namespace's VirtualServices and DestinationRules only; ` +
  `could not run: ${ANALYZERS_NEEDING_CLUSTER_READS.join(', ')}`;
