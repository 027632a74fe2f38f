// Picks the context, cluster, user and namespace from a merged kubeconfig and applies kubectl's
// connection flags on top with client-go's rules (clientcmd's DirectClientConfig): a flag replaces
// the kubeconfig field it names; --certificate-authority or --insecure-skip-tls-verify replace the
// CA settings as a whole; --server clears a kubeconfig tls-server-name. With no usable context and
// no --server, a pod's service account is used (client-go's in-cluster fallback).
import { UsageError } from '../errors.js';
import { inClusterConfig } from './in-cluster.js';
import type { KubeCluster, Kubeconfig, KubeUser, ResolvedConfig } from './kubeconfig.js';

export type { ResolvedConfig };

/** kubectl's connection flags, as given (undefined = not given). */
export interface Overrides {
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  server?: string;
  certificateAuthority?: string;
  insecureSkipTlsVerify?: boolean;
  tlsServerName?: string;
  clientCertificate?: string;
  clientKey?: string;
  token?: string;
  username?: string;
  password?: string;
  as?: string;
  asGroups?: string[];
  asUid?: string;
}

export interface ResolveEnv {
  env?: NodeJS.ProcessEnv;
  /** Where a pod's service-account files are; tests point it elsewhere. */
  serviceAccountDir?: string;
}

export function resolveConfig(kc: Kubeconfig, o: Overrides = {}, where: ResolveEnv = {}): ResolvedConfig {
  const available = [...kc.contexts.keys()];
  const availableHint = available.length ? `available contexts: ${available.join(', ')}` : 'the kubeconfig defines no contexts';
  const contextName = o.context || kc.currentContext || '';
  if (!contextName && !o.server) {
    const icc = inClusterConfig(where.env ?? process.env, where.serviceAccountDir);
    if (icc) return withInClusterOverrides(icc, o);
    if (kc.files.length === 0) {
      throw new UsageError(
        'no kubeconfig found',
        'create ~/.kube/config, set KUBECONFIG, pass --kubeconfig <file>, or --server with credentials',
      );
    }
    throw new UsageError(
      'current-context is not set in the kubeconfig',
      `pass --context <name> or run kubectl config use-context <name>; ${availableHint}`,
    );
  }
  const context = contextName ? kc.contexts.get(contextName) : {};
  if (!context) throw new UsageError(`context "${contextName}" not found in kubeconfig`, availableHint);

  const clusterName = o.cluster || context.cluster || '';
  const fileCluster = clusterName ? kc.clusters.get(clusterName) : {};
  if (!fileCluster && !o.server) {
    throw new UsageError(
      `cluster "${clusterName}" not found in kubeconfig`,
      `context "${contextName}" or --cluster must name one of: ${[...kc.clusters.keys()].join(', ') || '(none)'}`,
    );
  }
  const cluster = overrideCluster(fileCluster ?? {}, o);
  if (!cluster.server)
    throw new UsageError(`cluster "${clusterName}" has no server in kubeconfig`, 'set clusters[].cluster.server, or pass --server');

  const userName = o.user || context.user || '';
  const fileUser = userName ? kc.users.get(userName) : {};
  if (!fileUser) {
    throw new UsageError(
      `user "${userName}" not found in kubeconfig`,
      `context "${contextName}" or --user must name one of: ${[...kc.users.keys()].join(', ') || '(none)'}`,
    );
  }
  const namespace = o.namespace || context.namespace || 'default';
  return {
    contextName,
    clusterName,
    cluster: { ...cluster, server: cluster.server },
    userName,
    user: overrideUser(fileUser, o),
    namespace,
  };
}

function overrideCluster(c: KubeCluster, o: Overrides): KubeCluster {
  const out: KubeCluster = { ...c };
  if (o.server) out.server = o.server;
  if (o.insecureSkipTlsVerify || o.certificateAuthority) {
    out['insecure-skip-tls-verify'] = o.insecureSkipTlsVerify === true;
    out['certificate-authority'] = o.certificateAuthority || undefined;
    delete out['certificate-authority-data'];
  }
  if (o.tlsServerName || o.server) out['tls-server-name'] = o.tlsServerName || undefined;
  return out;
}

function overrideUser(u: KubeUser, o: Overrides): KubeUser {
  const out: KubeUser = { ...u };
  const set = <K extends keyof KubeUser>(key: K, value: KubeUser[K] | undefined): void => {
    if (value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0)) out[key] = value;
  };
  set('client-certificate', o.clientCertificate);
  set('client-key', o.clientKey);
  set('token', o.token);
  set('username', o.username);
  set('password', o.password);
  set('as', o.as);
  set('as-groups', o.asGroups);
  set('as-uid', o.asUid);
  return out;
}

// client-go's in-cluster config takes only --server, --token and --certificate-authority.
function withInClusterOverrides(rc: ResolvedConfig, o: Overrides): ResolvedConfig {
  const cluster = { ...rc.cluster };
  if (o.server) cluster.server = o.server;
  if (o.certificateAuthority) cluster['certificate-authority'] = o.certificateAuthority;
  const user: KubeUser = o.token ? { token: o.token } : { ...rc.user };
  for (const k of ['as', 'as-groups', 'as-uid'] as const) delete user[k];
  return {
    ...rc,
    cluster,
    user: overrideUser(user, { as: o.as, asGroups: o.asGroups, asUid: o.asUid }),
    namespace: o.namespace || rc.namespace,
  };
}
