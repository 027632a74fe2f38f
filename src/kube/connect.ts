// Entry point of the adapter: kubeconfig + flags → credentials → transport → client.
import { ExitCode, MeshError } from '../errors.js';
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
  /** --match-server-version: read the server's version before anything else (see matchServerVersion). */
  matchServerVersion?: boolean;
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
  const client = new Client(http, rc, userName, cache, async () => toolKubeconfig(rc, await credentials.effectiveUser()));
  if (opts.matchServerVersion) await matchServerVersion(client);
  return client;
}

/**
 * kubectl's --match-server-version reads the server's version first and fails when it cannot, or when it
 * differs from kubectl's own build (client-go discovery.MatchesServerVersion). kubectl-mesh is not a
 * build of Kubernetes: its own version (kubectl-mesh's release) never equals a server's, so comparing
 * would fail every command. What stays meaningful is the first half: the server must answer /version
 * with a Kubernetes version before anything is read or written.
 */
async function matchServerVersion(client: KubeClient): Promise<void> {
  let version: string;
  try {
    version = await client.serverVersion();
  } catch (err) {
    client.close();
    if (!(err instanceof MeshError)) throw err;
    throw new MeshError(`--match-server-version: cannot read the server's version: ${err.message}`, err.exitCode, err.hint, { cause: err });
  }
  if (!version) {
    client.close();
    throw new MeshError(
      `--match-server-version: ${client.server} answered /version without a Kubernetes version (gitVersion)`,
      ExitCode.unreachable,
      'check that --server/the kubeconfig names a Kubernetes API server',
    );
  }
}
