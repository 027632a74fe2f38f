// One HTTP/2 connection for all of a command's requests, as kubectl does: a single TLS handshake,
// and the parallel list calls multiplexed on it instead of one handshake per socket. Servers that
// don't offer h2 in ALPN (some proxies, test servers) get HTTP/1.1: connect() then says no.
import http2 from 'node:http2';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { Headers } from './auth.js';

export interface RawResponse { status: number; contentType?: string; body: Buffer }

export class H2Connection {
  #active = 0;

  private constructor(private readonly session: http2.ClientHttp2Session) {
    session.on('error', () => {}); // surfaces through the pending streams' errors
    session.unref();
  }

  /** An HTTP/2 connection, or undefined when the server picks HTTP/1.1. Network errors reject. */
  static async connect(origin: string, options: tls.ConnectionOptions, timeoutMs?: number): Promise<H2Connection | undefined> {
    const url = new URL(origin);
    const socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
      const s = tls.connect({
        ...options,
        host: url.hostname,
        port: Number(url.port || 443),
        servername: options.servername || (isIP(url.hostname) ? undefined : url.hostname),
        ALPNProtocols: ['h2', 'http/1.1'],
      });
      // --request-timeout bounds the handshake too: a silent server must not hang the command.
      if (timeoutMs) s.setTimeout(timeoutMs, () => s.destroy(Object.assign(new Error(`no answer within ${timeoutMs}ms`), { code: 'ETIMEDOUT_MESH' })));
      s.once('secureConnect', () => { s.setTimeout(0); resolve(s); });
      s.once('error', reject);
    });
    if (socket.alpnProtocol !== 'h2') {
      socket.destroy();
      return undefined;
    }
    return new H2Connection(http2.connect(origin, { createConnection: () => socket }));
  }

  request(method: string, path: string, headers: Headers, payload: Buffer | undefined, timeoutMs?: number): Promise<RawResponse> {
    // Only open streams keep the process alive: an idle connection must not delay exit.
    if (this.#active++ === 0) this.session.ref();
    return new Promise<RawResponse>((resolve, reject) => {
      const done = () => { clearTimeout(timer); if (--this.#active === 0) this.session.unref(); };
      // Node ends DELETE/GET/HEAD streams at once unless told otherwise; a DELETE carries DeleteOptions.
      const stream = this.session.request({ ':method': method, ':path': path, ...headers }, { endStream: payload === undefined });
      let status = 0;
      let contentType: string | undefined;
      const chunks: Buffer[] = [];
      stream.on('response', (h) => { status = Number(h[':status']); contentType = h['content-type'] as string | undefined; });
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => { done(); resolve({ status, contentType, body: Buffer.concat(chunks) }); });
      stream.on('error', (err) => { done(); reject(err); });
      const timer = timeoutMs ? setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        done();
        reject(Object.assign(new Error(`no answer within ${timeoutMs}ms`), { code: 'ETIMEDOUT_MESH' }));
      }, timeoutMs) : undefined;
      stream.end(payload);
    });
  }

  close(): void { this.session.close(); }
}
