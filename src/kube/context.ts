// Picks the context, cluster, user and namespace from a merged kubeconfig, applying
// --context, --cluster, --user and -n the way kubectl does.
import { UsageError } from '../errors.js';
import type { KubeCluster, Kubeconfig, KubeUser } from './kubeconfig.js';

export interface Overrides { context?: string; cluster?: string; user?: string; namespace?: string }

export interface ResolvedConfig {
  contextName: string;
  clusterName: string;
  cluster: KubeCluster & { server: string };
  /** Empty for a context without a user (anonymous requests). */
  userName: string;
  user: KubeUser;
  namespace: string;
}

export function resolveConfig(kc: Kubeconfig, o: Overrides = {}): ResolvedConfig {
  const available = [...kc.contexts.keys()];
  const availableHint = available.length ? `available contexts: ${available.join(', ')}` : 'the kubeconfig defines no contexts';
  if (kc.files.length === 0 && !o.context) {
    throw new UsageError('no kubeconfig found', 'create ~/.kube/config, set KUBECONFIG, or pass --kubeconfig <file>');
  }
  const contextName = o.context || kc.currentContext;
  if (!contextName) {
    throw new UsageError('current-context is not set in the kubeconfig', `pass --context <name> or run kubectl config use-context <name>; ${availableHint}`);
  }
  const context = kc.contexts.get(contextName);
  if (!context) throw new UsageError(`context "${contextName}" not found in kubeconfig`, availableHint);

  const clusterName = o.cluster || context.cluster || '';
  const cluster = kc.clusters.get(clusterName);
  if (!cluster) {
    throw new UsageError(`cluster "${clusterName}" not found in kubeconfig`,
      `context "${contextName}" or --cluster must name one of: ${[...kc.clusters.keys()].join(', ') || '(none)'}`);
  }
  if (!cluster.server) throw new UsageError(`cluster "${clusterName}" has no server in kubeconfig`, 'set clusters[].cluster.server');

  const userName = o.user || context.user || '';
  const user = userName ? kc.users.get(userName) : {};
  if (!user) {
    throw new UsageError(`user "${userName}" not found in kubeconfig`,
      `context "${contextName}" or --user must name one of: ${[...kc.users.keys()].join(', ') || '(none)'}`);
  }
  const namespace = o.namespace || context.namespace || 'default';
  return { contextName, clusterName, cluster: { ...cluster, server: cluster.server }, userName, user, namespace };
}
