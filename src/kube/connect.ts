// Entry point of the adapter: kubeconfig → credentials → transport → client.
import { loadCredentials } from './auth.js';
import { Client, type KubeClient } from './client.js';
import { resolveConfig, type ResolvedConfig } from './context.js';
import { Transport } from './http.js';
import { kubeconfigPaths, loadKubeconfig } from './kubeconfig.js';

export interface ConnectionOptions {
  kubeconfig?: string;
  context?: string;
  cluster?: string;
  user?: string;
  namespace?: string;
  as?: string;
  asGroups?: string[];
  /** --request-timeout in ms, per request; 0/undefined = none, like kubectl. */
  requestTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Receives one kubectl-style line per request (`GET <url> 200 OK in 3 milliseconds`). */
  log?: (line: string) => void;
}

/** Kubeconfig resolution alone: no client-node import, no request. */
export function resolveConnection(opts: ConnectionOptions = {}): ResolvedConfig {
  const files = kubeconfigPaths({ kubeconfig: opts.kubeconfig, env: opts.env, homeDir: opts.homeDir });
  return resolveConfig(loadKubeconfig(files), opts);
}

export async function connect(opts: ConnectionOptions = {}): Promise<KubeClient> {
  const rc = resolveConnection(opts);
  const creds = await loadCredentials(rc, { as: opts.as, asGroups: opts.asGroups });
  const http = new Transport({ server: rc.cluster.server, agent: creds.agent, tls: creds.tls as never, headers: creds.headers, timeoutMs: opts.requestTimeoutMs, log: opts.log });
  return new Client(http, rc, opts.as || rc.userName);
}
