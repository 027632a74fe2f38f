// Credentials and TLS material. Static ones (files, tokens) are read directly; exec plugins,
// auth providers (OIDC …) and proxies are delegated to client-node. This is the only module
// that loads client-node, and only when needed, because importing it costs startup time.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { Cluster, User } from '@kubernetes/client-node';
import { ExternalToolError, UsageError } from '../errors.js';
import type { ResolvedConfig } from './context.js';
import { isStatic, staticCredentials } from './static-auth.js';

export type Headers = Record<string, string | string[]>;

export interface Credentials {
  /** Keep-alive agent carrying the cluster's CA and the user's client certificate. */
  agent: http.Agent;
  /** The same TLS material for an HTTP/2 connection; absent where only the agent works (proxies). */
  tls?: https.AgentOptions;
  /** Per-request headers: Authorization and impersonation. */
  headers(): Promise<Headers>;
}

export interface Impersonation { as?: string; asGroups?: string[] }

export async function loadCredentials(rc: ResolvedConfig, imp: Impersonation = {}): Promise<Credentials> {
  const fixed = impersonationHeaders(rc, imp);
  if (isStatic(rc)) return staticCredentials(rc, fixed);
  // The bundle loads client-node as a separate CommonJS file: its exports may sit under default.
  const mod = (await import('@kubernetes/client-node')) as typeof import('@kubernetes/client-node') & { default?: typeof import('@kubernetes/client-node') };
  const KubeConfig = mod.KubeConfig ?? mod.default!.KubeConfig;
  const kc = new KubeConfig();
  const name = rc.userName || 'anonymous';
  let user: User;
  try {
    user = toUser(name, rc);
  } catch (err) {
    throw credentialError(rc.userName, err);
  }
  kc.loadFromOptions({
    clusters: [toCluster(rc)],
    users: [user],
    contexts: [{ name: rc.contextName, cluster: rc.clusterName, user: name }],
    currentContext: rc.contextName,
  });

  const apply = async (): Promise<https.RequestOptions> => {
    const o: https.RequestOptions = {};
    try {
      await kc.applyToHTTPSOptions(o);
    } catch (err) {
      throw credentialError(rc.userName, err);
    }
    return o;
  };
  const authHeaders = (o: https.RequestOptions): Headers => {
    const h: Headers = { ...fixed };
    const auth = (o.headers as Record<string, string> | undefined)?.Authorization;
    if (auth) h.Authorization = auth;
    else if (o.auth) h.Authorization = `Basic ${Buffer.from(o.auth).toString('base64')}`;
    return h;
  };

  const first = await apply();
  const tls: https.AgentOptions = { keepAlive: true, ca: first.ca, cert: first.cert, key: first.key, servername: first.servername };
  if (first.rejectUnauthorized !== undefined) tls.rejectUnauthorized = first.rejectUnauthorized;
  const plain = rc.cluster.server.startsWith('http:');
  // client-node's own agent is kept only for proxies, which it knows how to tunnel through.
  const agent = rc.cluster['proxy-url'] ? (first.agent as http.Agent) : plain ? new http.Agent({ keepAlive: true }) : new https.Agent(tls);

  // Exec plugins and auth providers hand out expiring tokens; client-node caches them until expiry.
  const dynamic = Boolean(rc.user.exec || rc.user['auth-provider']);
  const initial = authHeaders(first);
  const h2 = !rc.cluster['proxy-url'] && !plain ? { tls } : {};
  return { agent, ...h2, headers: async () => (dynamic ? authHeaders(await apply()) : initial) };
}

function impersonationHeaders(rc: ResolvedConfig, imp: Impersonation): Headers {
  const user = imp.as || rc.user.as;
  const groups = imp.asGroups?.length ? imp.asGroups : rc.user['as-groups'] ?? [];
  const extra = Object.entries(rc.user['as-user-extra'] ?? {});
  if (!user) {
    if (groups.length || extra.length) throw new UsageError('--as-group needs --as: the API server only impersonates groups of a user', 'add --as <user>');
    return {};
  }
  const h: Headers = { 'Impersonate-User': user };
  if (groups.length) h['Impersonate-Group'] = groups;
  if (rc.user['as-uid'] && !imp.as) h['Impersonate-Uid'] = rc.user['as-uid'];
  for (const [k, v] of extra) h[`Impersonate-Extra-${encodeURIComponent(k)}`] = v;
  return h;
}

function toCluster(rc: ResolvedConfig): Cluster {
  const c = rc.cluster;
  return {
    name: rc.clusterName,
    server: c.server,
    caFile: c['certificate-authority'],
    caData: c['certificate-authority-data'],
    // client-node refuses http:// servers unless TLS verification is off; kubectl allows them.
    skipTLSVerify: c['insecure-skip-tls-verify'] === true || c.server.startsWith('http:'),
    tlsServerName: c['tls-server-name'],
    proxyUrl: c['proxy-url'],
  };
}

function toUser(name: string, rc: ResolvedConfig): User {
  const u = rc.user;
  return {
    name,
    // Read once and trimmed like client-go; client-node's tokenFile provider keeps the newline.
    token: u.token || (u['token-file'] ? readFileSync(u['token-file'], 'utf8').trim() : undefined),
    certFile: u['client-certificate'],
    certData: u['client-certificate-data'],
    keyFile: u['client-key'],
    keyData: u['client-key-data'],
    username: u.username,
    password: u.password,
    exec: u.exec,
    authProvider: u['auth-provider'],
    // Impersonation is ours (flags override the kubeconfig), so client-node must not add its own.
    impersonateUser: undefined,
  };
}

function credentialError(userName: string, err: unknown): Error {
  const e = err as NodeJS.ErrnoException;
  const reason = (e?.message ?? String(err)).trim().split('\n')[0] || 'it failed without a message';
  if (e?.syscall?.startsWith('spawn')) {
    return new ExternalToolError(`cannot run the credential plugin of kubeconfig user "${userName}": ${reason}`,
      'install it, or fix users[].user.exec.command in the kubeconfig');
  }
  if (e?.code === 'ENOENT' || e?.code === 'EACCES') {
    return new UsageError(`cannot read a file named in the kubeconfig: ${reason}`, 'fix the path in the kubeconfig');
  }
  return new ExternalToolError(`cannot get credentials for kubeconfig user "${userName}": ${reason}`,
    'check the exec/auth-provider plugin of that user (run it by hand, or log in again)');
}
