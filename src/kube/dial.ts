// Opens the TLS connection to the API server with client-go's bounds: 30 s to connect (to the
// server, or to the proxy and through its CONNECT tunnel), 10 s for the TLS handshake. A server that
// accepts TCP but never answers (frozen, overloaded) therefore fails within seconds, not never.
import http from 'node:http';
import net from 'node:net';
import tls from 'node:tls';
import type { TlsMaterial } from './auth.js';
import { hostOf } from './proxy.js';
import { isSocksProxy, socks5Handshake } from './socks5.js';

export const DIAL_TIMEOUT_MS = 30_000;
export const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

export interface DialOptions {
  tls: TlsMaterial;
  proxy?: URL;
  /** --request-timeout, when shorter than the defaults. */
  timeoutMs?: number;
}

const bound = (limit: number, timeoutMs?: number) => (timeoutMs && timeoutMs < limit ? timeoutMs : limit);
/** Names the default bound that expired, or says --request-timeout did when it was the shorter one. */
const timeoutError = (what: string, ms: number, dflt: number) =>
  ms < dflt
    ? Object.assign(new Error(`no answer within ${ms}ms`), { code: 'ETIMEDOUT_MESH', requestTimeout: true })
    : Object.assign(new Error(`${what} timed out after ${ms / 1000}s`), { code: 'ETIMEDOUT_MESH' });

/** A TLS socket to `server` (https URL) with ALPN h2 and http/1.1 offered. */
export async function dialTls(server: URL, o: DialOptions): Promise<tls.TLSSocket> {
  const port = Number(server.port || 443);
  const host = hostOf(server);
  const raw = !o.proxy
    ? await dialTcp(host, port, o.timeoutMs)
    : isSocksProxy(o.proxy)
      ? await socksTunnel(o.proxy, host, port, o.timeoutMs)
      : await tunnel(o.proxy, host, port, o.timeoutMs);
  const limit = bound(TLS_HANDSHAKE_TIMEOUT_MS, o.timeoutMs);
  return new Promise<tls.TLSSocket>((resolve, reject) => {
    const s = tls.connect({
      socket: raw,
      ca: o.tls.ca,
      cert: o.tls.cert,
      key: o.tls.key,
      rejectUnauthorized: o.tls.rejectUnauthorized,
      // Go verifies the IP SANs for an IP and sends no SNI for it; a name is both sent and verified.
      // `host` is what Node checks the certificate against when no servername is set: without it, a
      // socket handed in checks "localhost".
      host,
      servername: o.tls.servername || (net.isIP(host) ? undefined : host),
      ALPNProtocols: ['h2', 'http/1.1'],
    });
    const timer = setTimeout(() => s.destroy(timeoutError('TLS handshake', limit, TLS_HANDSHAKE_TIMEOUT_MS)), limit);
    s.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      raw.destroy();
      reject(err);
    });
  });
}

/** A plain TCP socket, bounded like Go's net.Dialer{Timeout: 30s}. */
export function dialTcp(host: string, port: number, timeoutMs?: number): Promise<net.Socket> {
  const limit = bound(DIAL_TIMEOUT_MS, timeoutMs);
  return new Promise<net.Socket>((resolve, reject) => {
    const s = net.connect({ host, port });
    const timer = setTimeout(() => s.destroy(timeoutError(`connecting to ${host}:${port}`, limit, DIAL_TIMEOUT_MS)), limit);
    s.once('connect', () => {
      clearTimeout(timer);
      s.setKeepAlive(true, 30_000);
      resolve(s);
    });
    s.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  });
}

/** An HTTP CONNECT tunnel through an http:// or https:// proxy (with user:pass@ as Basic auth). */
async function tunnel(proxy: URL, host: string, port: number, timeoutMs?: number): Promise<net.Socket> {
  if (proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw Object.assign(new Error(`proxy scheme ${proxy.protocol} is not supported (use http://, https://, socks5:// or socks5h://)`), {
      code: 'EPROXY_MESH',
    });
  }
  const limit = bound(DIAL_TIMEOUT_MS, timeoutMs);
  const authority = net.isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`;
  const headers: Record<string, string> = { Host: authority };
  if (proxy.username)
    headers['Proxy-Authorization'] =
      `Basic ${Buffer.from(`${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`).toString('base64')}`;
  const proxyHost = hostOf(proxy);
  const proxyPort = Number(proxy.port || (proxy.protocol === 'https:' ? 443 : 80));
  const first = await dialTcp(proxyHost, proxyPort, timeoutMs);
  const toProxy =
    proxy.protocol === 'https:'
      ? tls.connect({ socket: first, host: proxyHost, servername: net.isIP(proxyHost) ? undefined : proxyHost })
      : first;
  return new Promise<net.Socket>((resolve, reject) => {
    const req = http.request({ method: 'CONNECT', path: authority, headers, createConnection: () => toProxy });
    const timer = setTimeout(() => req.destroy(timeoutError(`CONNECT through proxy ${proxy.host}`, limit, DIAL_TIMEOUT_MS)), limit);
    req.once('connect', (res, socket) => {
      clearTimeout(timer);
      if (res.statusCode !== 200) {
        socket.destroy();
        reject(
          Object.assign(
            new Error(`proxy ${proxy.host} refused CONNECT ${authority}: ${res.statusCode} ${res.statusMessage ?? ''}`.trim()),
            { code: 'EPROXY_MESH' },
          ),
        );
        return;
      }
      resolve(socket);
    });
    req.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    req.end();
  });
}

/** A SOCKS5 CONNECT tunnel (socks5:// or socks5h://, with user:pass@ as RFC 1929 auth), bounded like tunnel(). */
async function socksTunnel(proxy: URL, host: string, port: number, timeoutMs?: number): Promise<net.Socket> {
  const limit = bound(DIAL_TIMEOUT_MS, timeoutMs);
  let socket: net.Socket;
  try {
    socket = await dialTcp(hostOf(proxy), Number(proxy.port || 1080), timeoutMs);
  } catch (err) {
    const e = err as Error & { code?: string };
    if (e.code === 'ETIMEDOUT_MESH') throw err;
    throw Object.assign(new Error(`cannot connect to socks5 proxy ${proxy.host}: ${e.message}`), { code: 'EPROXY_MESH', cause: err });
  }
  const timer = setTimeout(() => socket.destroy(timeoutError(`SOCKS5 CONNECT through proxy ${proxy.host}`, limit, DIAL_TIMEOUT_MS)), limit);
  try {
    await socks5Handshake(socket, proxy, host, port);
    return socket;
  } catch (err) {
    socket.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
}
