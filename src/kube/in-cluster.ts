// Inside a pod: the API server from KUBERNETES_SERVICE_HOST/PORT, the service account's token and
// CA from the files kubelet mounts, as client-go's rest.InClusterConfig reads them. Used only when
// no kubeconfig context applies (see context.ts), like kubectl.
import { readFileSync, statSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';
import type { ResolvedConfig } from './kubeconfig.js';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';

export function inClusterConfig(env: NodeJS.ProcessEnv, dir = SERVICE_ACCOUNT_DIR): ResolvedConfig | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = join(dir, 'token');
  if (!host || !port || !isFile(tokenFile)) return undefined;
  const server = `https://${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const namespace = env.POD_NAMESPACE || readTrimmed(join(dir, 'namespace')) || 'default';
  return {
    contextName: 'in-cluster',
    clusterName: 'in-cluster',
    cluster: { server, 'certificate-authority': join(dir, 'ca.crt') },
    userName: serviceAccountName(readTrimmed(tokenFile)) ?? 'in-cluster',
    user: { tokenFile },
    namespace,
    inCluster: true,
  };
}

/** The `sub` claim of a service-account JWT (system:serviceaccount:NS:NAME), for history entries. */
function serviceAccountName(token: string | undefined): string | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const sub = (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { sub?: unknown }).sub;
    return typeof sub === 'string' && sub ? sub : undefined;
  } catch {
    return undefined;
  }
}

function isFile(file: string): boolean {
  try {
    return statSync(file).isFile();
  } catch {
    return false;
  }
}

function readTrimmed(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}
