// Which proxy a request goes through, with Go's rules (net/http ProxyFromEnvironment), since
// kubectl uses them: the cluster's proxy-url wins; else HTTPS_PROXY (https) or HTTP_PROXY (http),
// upper case first, skipped for localhost, loopback addresses and hosts NO_PROXY matches.
import { isIP } from 'node:net';

export function proxyFor(target: URL, proxyUrl: string | undefined, env: NodeJS.ProcessEnv): URL | undefined {
  if (proxyUrl) return parseProxy(proxyUrl);
  const https = target.protocol === 'https:';
  const raw = https ? env.HTTPS_PROXY || env.https_proxy : env.HTTP_PROXY || env.http_proxy;
  if (!raw) return undefined;
  const host = hostOf(target);
  const port = target.port || (https ? '443' : '80');
  if (!useProxy(host, port, env.NO_PROXY ?? env.no_proxy ?? '')) return undefined;
  return parseProxy(raw);
}

/** URL.hostname keeps IPv6 brackets; Go compares the bare address. */
export const hostOf = (u: URL): string => u.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();

function parseProxy(raw: string): URL {
  // Go assumes http:// for a proxy given without a scheme.
  return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
}

export function useProxy(host: string, port: string, noProxy: string): boolean {
  if (host === 'localhost' || isLoopback(host)) return false;
  for (let entry of noProxy
    .split(',')
    .map((e) => e.trim().toLowerCase())
    .filter(Boolean)) {
    if (entry === '*') return false;
    if (entry.includes('/') && isIP(host) && inCidr(host, entry)) return false;
    let entryPort = '';
    const m = /^(.*):(\d+)$/.exec(entry);
    if (m && !isIP(entry)) {
      entry = m[1]!;
      entryPort = m[2]!;
    }
    entry = entry.replace(/^\[(.*)\]$/, '$1');
    if (isIP(entry)) {
      if (entry === host && (!entryPort || entryPort === port)) return false;
      continue;
    }
    if (entry.startsWith('*.')) entry = entry.slice(1);
    const matchHost = !entry.startsWith('.');
    const suffix = matchHost ? `.${entry}` : entry;
    if ((host.endsWith(suffix) || (matchHost && host === entry)) && (!entryPort || entryPort === port)) return false;
  }
  return true;
}

function isLoopback(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith('127.');
  return isIP(host) === 6 && (host === '::1' || /^(0*:)*:?0*1$/.test(host) || host.startsWith('::ffff:127.'));
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!base || isIP(base) !== isIP(ip) || !Number.isInteger(bits)) return false;
  const a = toBytes(ip);
  const b = toBytes(base);
  for (let i = 0; i < a.length && bits - i * 8 > 0; i++) {
    const mask = bits - i * 8 >= 8 ? 0xff : (0xff << (8 - (bits - i * 8))) & 0xff;
    if ((a[i] & mask) !== (b[i] & mask)) return false;
  }
  return true;
}

function toBytes(ip: string): number[] {
  if (isIP(ip) === 4) return ip.split('.').map(Number);
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const tl = tail ? tail.split(':') : [];
  const groups = [...h, ...Array<string>(8 - h.length - tl.length).fill('0'), ...tl];
  return groups.flatMap((g) => {
    const n = parseInt(g || '0', 16);
    return [n >> 8, n & 0xff];
  });
}
