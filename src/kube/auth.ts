// Credentials and TLS material, with client-go's precedence: a token (or token file) wins over an
// exec plugin; basic auth and a bearer token may not both be set. Files, tokens and exec plugins
// are handled here; only auth providers (OIDC …) load client-node, because importing it costs
// start-up time.
import { readFileSync } from 'node:fs';
import type { User } from '@kubernetes/client-node';
import { ExternalToolError, UsageError } from '../errors.js';
import type { ResolvedConfig } from './context.js';
import { ExecCredential, type ExecIO } from './exec-credential.js';
import type { KubeUser } from './kubeconfig.js';

export type Headers = Record<string, string | string[]>;

/** What a TLS connection to the API server needs (CA, client certificate, name to verify). */
export interface TlsMaterial {
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  servername?: string;
  rejectUnauthorized: boolean;
}

export interface Credentials {
  tls(): Promise<TlsMaterial>;
  /** Per-request headers: Authorization and impersonation. */
  headers(): Promise<Headers>;
  /** After a 401: forgets plugin-issued credentials; true when asking again may help. */
  refresh(): boolean;
  /** The user as it authenticates now (plugin output inlined), for istioctl's kubeconfig. */
  effectiveUser(): Promise<KubeUser>;
}

const read = (file: string): Buffer => {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read a file named in the kubeconfig: ${(err as Error).message}`, 'fix the path in the kubeconfig or flag');
  }
};

const material = (data: string | undefined, file: string | undefined): Buffer | undefined =>
  data ? Buffer.from(data, 'base64') : file ? read(file) : undefined;

export async function loadCredentials(rc: ResolvedConfig, io: ExecIO): Promise<Credentials> {
  const u = rc.user;
  const c = rc.cluster;
  const fixed = impersonationHeaders(u);
  // Read once and trimmed like client-go.
  const token = u.token || (u.tokenFile ? read(u.tokenFile).toString('utf8').trim() : undefined);
  if (token && u.username) {
    throw new UsageError(
      `user "${rc.userName}" has both a bearer token and a username/password`,
      'keep one of them (kubectl refuses the same)',
    );
  }
  if (u.exec && u['auth-provider']) {
    throw new UsageError(`user "${rc.userName}" has both exec and auth-provider`, 'keep one of them in the kubeconfig');
  }
  const baseTls: TlsMaterial = {
    ca: material(c['certificate-authority-data'], c['certificate-authority']),
    cert: material(u['client-certificate-data'], u['client-certificate']),
    key: material(u['client-key-data'], u['client-key']),
    ...(c['tls-server-name'] ? { servername: c['tls-server-name'] } : {}),
    rejectUnauthorized: c['insecure-skip-tls-verify'] !== true,
  };
  const staticHeaders: Headers = { ...fixed };
  if (token) staticHeaders.Authorization = `Bearer ${token}`;
  else if (u.username || u.password)
    staticHeaders.Authorization = `Basic ${Buffer.from(`${u.username ?? ''}:${u.password ?? ''}`).toString('base64')}`;
  const staticUser: KubeUser = { ...u, ...(token ? { token } : {}) };
  delete staticUser.tokenFile;

  if (u.exec && !token) {
    const exec = new ExecCredential(rc, u.exec, io);
    return {
      async tls() {
        const r = await exec.get();
        return r.clientCertificateData
          ? { ...baseTls, cert: Buffer.from(r.clientCertificateData), key: Buffer.from(r.clientKeyData!) }
          : baseTls;
      },
      async headers() {
        const r = await exec.get();
        return r.token ? { ...staticHeaders, Authorization: `Bearer ${r.token}` } : staticHeaders;
      },
      refresh() {
        exec.invalidate();
        return true;
      },
      async effectiveUser() {
        const r = await exec.get();
        const out: KubeUser = { ...staticUser };
        delete out.exec;
        if (r.token) out.token = r.token;
        if (r.clientCertificateData) {
          out['client-certificate-data'] = Buffer.from(r.clientCertificateData).toString('base64');
          out['client-key-data'] = Buffer.from(r.clientKeyData!).toString('base64');
        }
        return out;
      },
    };
  }
  if (u['auth-provider'] && !token) return authProviderCredentials(rc, baseTls, fixed);
  return {
    tls: async () => baseTls,
    headers: async () => staticHeaders,
    refresh: () => false,
    effectiveUser: async () => staticUser,
  };
}

/** Impersonate-* headers from the merged user (kubeconfig as/as-uid/as-groups/as-user-extra, flags on top). */
export function impersonationHeaders(u: KubeUser): Headers {
  const user = u.as;
  const groups = u['as-groups'] ?? [];
  const extra = Object.entries(u['as-user-extra'] ?? {});
  if (!user) {
    if (groups.length || extra.length || u['as-uid']) {
      throw new UsageError(
        '--as-group and --as-uid need --as: the API server only impersonates groups or a uid of a user',
        'add --as <user>',
      );
    }
    return {};
  }
  const h: Headers = { 'Impersonate-User': user };
  if (u['as-uid']) h['Impersonate-Uid'] = u['as-uid'];
  if (groups.length) h['Impersonate-Group'] = groups;
  for (const [k, v] of extra) h[`Impersonate-Extra-${encodeURIComponent(k)}`] = v;
  return h;
}

// Auth providers (OIDC, legacy cloud providers) stay with client-node: it refreshes their tokens.
async function authProviderCredentials(rc: ResolvedConfig, tls: TlsMaterial, fixed: Headers): Promise<Credentials> {
  // The bundle loads client-node as a separate CommonJS file: its exports may sit under default.
  const mod = (await import('@kubernetes/client-node')) as typeof import('@kubernetes/client-node') & {
    default?: typeof import('@kubernetes/client-node');
  };
  const KubeConfig = mod.KubeConfig ?? mod.default!.KubeConfig;
  const kc = new KubeConfig();
  const name = rc.userName || 'anonymous';
  const user: User = { name, authProvider: rc.user['auth-provider'] };
  kc.loadFromOptions({
    clusters: [{ name: rc.clusterName || 'cluster', server: rc.cluster.server, skipTLSVerify: true }],
    users: [user],
    contexts: [{ name: 'ctx', cluster: rc.clusterName || 'cluster', user: name }],
    currentContext: 'ctx',
  });
  const headers = async (): Promise<Headers> => {
    const o: { headers?: Record<string, string> } = {};
    try {
      await kc.applyToHTTPSOptions(o);
    } catch (err) {
      throw credentialError(rc.userName, err);
    }
    const auth = o.headers?.Authorization;
    return auth ? { ...fixed, Authorization: auth } : { ...fixed };
  };
  return {
    tls: async () => tls,
    headers,
    refresh: () => false,
    effectiveUser: async () => {
      const h = await headers();
      const bearer = typeof h.Authorization === 'string' && h.Authorization.startsWith('Bearer ') ? h.Authorization.slice(7) : undefined;
      const out: KubeUser = { ...rc.user };
      delete out['auth-provider'];
      return bearer ? { ...out, token: bearer } : { ...rc.user };
    },
  };
}

function credentialError(userName: string, err: unknown): Error {
  const reason = ((err as Error)?.message ?? String(err)).trim().split('\n')[0] || 'it failed without a message';
  return new ExternalToolError(
    `cannot get credentials for kubeconfig user "${userName}": ${reason}`,
    'check the auth-provider of that user (log in again)',
  );
}
