// Credentials that need no code of client-node: CA, client certificate, bearer token, basic
// auth. Most kubeconfigs are like this, and skipping client-node's import saves ~0.1–0.4 s.
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { UsageError } from '../errors.js';
import type { Credentials, Headers } from './auth.js';
import type { ResolvedConfig } from './context.js';

/** True when the user and cluster need nothing but files and fields of the kubeconfig. */
export const isStatic = (rc: ResolvedConfig): boolean =>
  !rc.user.exec && !rc.user['auth-provider'] && !rc.cluster['proxy-url'];

const read = (file: string): Buffer => {
  try {
    return readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read a file named in the kubeconfig: ${(err as Error).message}`, 'fix the path in the kubeconfig');
  }
};

const material = (data: string | undefined, file: string | undefined): Buffer | undefined =>
  data ? Buffer.from(data, 'base64') : file ? read(file) : undefined;

export function staticCredentials(rc: ResolvedConfig, fixed: Headers): Credentials {
  const c = rc.cluster;
  const u = rc.user;
  const headers: Headers = { ...fixed };
  // Read once and trimmed like client-go.
  const token = u.token || (u['token-file'] ? read(u['token-file']).toString('utf8').trim() : undefined);
  if (token) headers.Authorization = `Bearer ${token}`;
  else if (u.username) headers.Authorization = `Basic ${Buffer.from(`${u.username}:${u.password ?? ''}`).toString('base64')}`;
  if (c.server.startsWith('http:')) return { agent: new http.Agent({ keepAlive: true }), headers: async () => headers };
  const tls: https.AgentOptions = {
    ca: material(c['certificate-authority-data'], c['certificate-authority']),
    cert: material(u['client-certificate-data'], u['client-certificate']),
    key: material(u['client-key-data'], u['client-key']),
    servername: c['tls-server-name'],
    rejectUnauthorized: c['insecure-skip-tls-verify'] !== true,
  };
  return { agent: new https.Agent({ keepAlive: true, ...tls }), tls, headers: async () => headers };
}
