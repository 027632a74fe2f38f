// Entry point of the adapter: kubeconfig + flags → credentials → transport → client.
import { loadCredentials } from './auth.js';
import { Client, type KubeClient } from './client.js';
import { resolveConfig, type Overrides, type ResolvedConfig } from './context.js';
import { cacheRoot, DiscoveryCache, discoveryDir } from './discovery-cache.js';
import { healthCheckFromEnv } from './h2.js';
import { Transport } from './http.js';
import { kubeconfigPaths, loadKubeconfig } from './kubeconfig.js';
import { toolKubeconfig } from './tool-kubeconfig.js';

export interface ConnectionOptions extends Overrides {
  kubeconfig?: string;
  /** --cache-dir (discovery cache root); default $KUBECACHEDIR, then ~/.kube/cache. */
  cacheDir?: string;
  /** --request-timeout in ms, per request; 0/undefined = none, like kubectl. */
  requestTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  homeDir?: string;
  /** Where a pod's service-account files are (tests only; default the kubelet's path). */
  serviceAccountDir?: string;
  /** For exec credential plugins: may they prompt, and where their stderr goes. */
  stdinIsTTY?: boolean;
  stderr?: NodeJS.WritableStream;
  /** Receives one kubectl-style line per request (`GET <url> 200 OK in 3 milliseconds`). */
  log?: (line: string) => void;
  /** Receives the text of each distinct `Warning:` header. */
  warn?: (text: string) => void;
}

/** Kubeconfig resolution alone: no client-node import, no request. */
export function resolveConnection(opts: ConnectionOptions = {}): ResolvedConfig {
  const files = kubeconfigPaths({ kubeconfig: opts.kubeconfig, env: opts.env, homeDir: opts.homeDir });
  return resolveConfig(loadKubeconfig(files), opts, { env: opts.env, serviceAccountDir: opts.serviceAccountDir });
}

export async function connect(opts: ConnectionOptions = {}): Promise<KubeClient> {
  const env = opts.env ?? process.env;
  const rc = resolveConnection(opts);
  const credentials = await loadCredentials(rc, { env, stdinIsTTY: opts.stdinIsTTY ?? false, stderr: opts.stderr ?? process.stderr });
  const http = new Transport({
    server: rc.cluster.server,
    credentials,
    proxyUrl: rc.cluster['proxy-url'],
    env,
    health: healthCheckFromEnv(env),
    timeoutMs: opts.requestTimeoutMs,
    log: opts.log,
    warn: opts.warn,
  });
  const cache = new DiscoveryCache(discoveryDir(cacheRoot(opts.cacheDir, env, opts.homeDir), rc.cluster.server));
  const userName = rc.user.as || rc.userName;
  return new Client(http, rc, userName, cache, async () => toolKubeconfig(rc, await credentials.effectiveUser()));
}
