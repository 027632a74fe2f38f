// A minimal kubeconfig for tools we run (istioctl) describing exactly what this process talks to:
// the effective server, TLS settings, credentials (files inlined, plugin tokens as issued) and
// impersonation. The caller writes it to a private file and removes it; it is never printed.
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { ResolvedConfig } from './context.js';
import type { KubeCluster, KubeUser } from './kubeconfig.js';

const inline = (file: string | undefined): string | undefined => (file ? readFileSync(file).toString('base64') : undefined);

export interface ToolConnection {
  /** Kubeconfig YAML: server, TLS, credentials, impersonation (as, as-uid, as-groups, as-user-extra). */
  kubeconfig: string;
  /**
   * The impersonation again as kubectl-style flags: istioctl's own --as/--as-group/--as-uid replace
   * the kubeconfig's impersonation even when not given, so they must be passed explicitly.
   */
  impersonationArgs: string[];
}

/**
 * client-go takes http, https and socks5 proxy URLs only; its socks5 already lets the proxy resolve
 * the name (Go treats socks5 as socks5h), so socks5h is written as socks5.
 */
const forClientGo = (proxyUrl: string): string => proxyUrl.replace(/^socks5h:/i, 'socks5:');

export function toolKubeconfig(rc: ResolvedConfig, user: KubeUser): ToolConnection {
  const c = rc.cluster;
  const cluster: KubeCluster = {
    server: c.server,
    ...(c['certificate-authority-data'] || c['certificate-authority']
      ? { 'certificate-authority-data': c['certificate-authority-data'] || inline(c['certificate-authority']) }
      : {}),
    ...(c['insecure-skip-tls-verify'] ? { 'insecure-skip-tls-verify': true } : {}),
    ...(c['tls-server-name'] ? { 'tls-server-name': c['tls-server-name'] } : {}),
    ...(c['proxy-url'] ? { 'proxy-url': forClientGo(c['proxy-url']) } : {}),
  };
  const u: KubeUser = {};
  if (user.token) u.token = user.token;
  else if (user.tokenFile) u.token = readFileSync(user.tokenFile, 'utf8').trim();
  const cert = user['client-certificate-data'] || inline(user['client-certificate']);
  const key = user['client-key-data'] || inline(user['client-key']);
  if (cert && key) {
    u['client-certificate-data'] = cert;
    u['client-key-data'] = key;
  }
  if (user.username || user.password) {
    u.username = user.username;
    u.password = user.password;
  }
  if (user.exec) u.exec = user.exec;
  if (user['auth-provider']) u['auth-provider'] = user['auth-provider'];
  if (user.as) u.as = user.as;
  if (user['as-uid']) u['as-uid'] = user['as-uid'];
  if (user['as-groups']?.length) u['as-groups'] = user['as-groups'];
  if (user['as-user-extra'] && Object.keys(user['as-user-extra']).length) u['as-user-extra'] = user['as-user-extra'];
  const impersonationArgs = user.as
    ? [
        '--as',
        user.as,
        ...(user['as-groups'] ?? []).flatMap((g) => ['--as-group', g]),
        ...(user['as-uid'] ? ['--as-uid', user['as-uid']] : []),
      ]
    : [];
  return {
    impersonationArgs,
    kubeconfig: stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'mesh', cluster }],
      users: [{ name: 'mesh', user: u }],
      contexts: [{ name: 'mesh', context: { cluster: 'mesh', user: 'mesh', namespace: rc.namespace } }],
      'current-context': 'mesh',
    }),
  };
}
