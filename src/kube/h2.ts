// One HTTP/2 session for a command's requests, as kubectl does: one TLS handshake, parallel lists
// multiplexed. A session is single-use once anything goes wrong: after GOAWAY, close or an error it
// is marked dead and the transport opens a new one. While streams are open, a session that reads
// nothing for HTTP2_READ_IDLE_TIMEOUT_SECONDS (default 30) is pinged and dropped when the ping gets
// no answer within HTTP2_PING_TIMEOUT_SECONDS (default 15): client-go's health check, same knobs.
import http2 from 'node:http2';
import type tls from 'node:tls';
import type { Headers } from './auth.js';

export interface RawResponse {
  status: number;
  headers: http2.IncomingHttpHeaders;
  body: Buffer;
}

export interface HealthCheck {
  readIdleMs: number;
  pingTimeoutMs: number;
}

export function healthCheckFromEnv(env: NodeJS.ProcessEnv): HealthCheck {
  const seconds = (name: string, dflt: number): number => {
    const n = Number.parseInt(env[name] ?? '', 10);
    return Number.isInteger(n) && n >= 0 ? n : dflt;
  };
  return {
    readIdleMs: seconds('HTTP2_READ_IDLE_TIMEOUT_SECONDS', 30) * 1000,
    pingTimeoutMs: seconds('HTTP2_PING_TIMEOUT_SECONDS', 15) * 1000,
  };
}

/** A request that failed before the server could have acted on it: safe to send again on a new session. */
export const unprocessed = (err: unknown): boolean => (err as { unprocessed?: boolean })?.unprocessed === true;

/** A connection that broke (reset, GOAWAY, failed health check): a GET may be sent again, as client-go does. */
export const connectionBroke = (err: unknown): boolean => {
  const code = (err as { code?: string })?.code ?? '';
  return /^(ECONNRESET|EPIPE|ECONNABORTED|ERR_STREAM_PREMATURE_CLOSE|ETIMEDOUT_MESH_PING)$/.test(code) || code.startsWith('ERR_HTTP2_');
};

export class H2Session {
  #active = 0;
  #dead = false;
  /** Streams above this id were not processed by the server (from its GOAWAY). */
  #lastStreamId = Number.MAX_SAFE_INTEGER;
  #idle?: NodeJS.Timeout;
  private readonly session: http2.ClientHttp2Session;

  constructor(
    origin: string,
    socket: tls.TLSSocket,
    private readonly health: HealthCheck,
  ) {
    this.session = http2.connect(origin, { createConnection: () => socket });
    this.session.on('goaway', (_code: number, lastStreamID: number) => {
      this.#lastStreamId = lastStreamID;
      this.#dead = true;
    });
    this.session.on('close', () => {
      this.#dead = true;
      this.stopIdle();
    });
    this.session.on('error', () => {
      this.#dead = true;
    }); // surfaces through the pending streams' errors
    socket.on('close', () => {
      this.#dead = true;
    });
    this.session.unref();
  }

  get dead(): boolean {
    return this.#dead || this.session.destroyed || this.session.closed;
  }

  request(method: string, path: string, headers: Headers, payload: Buffer | undefined, timeoutMs?: number): Promise<RawResponse> {
    return new Promise<RawResponse>((resolve, reject) => {
      let stream: http2.ClientHttp2Stream;
      try {
        // Node ends DELETE/GET/HEAD streams at once unless told otherwise; a DELETE carries DeleteOptions.
        stream = this.session.request({ ':method': method, ':path': path, ...headers }, { endStream: payload === undefined });
      } catch (err) {
        this.#dead = true;
        reject(Object.assign(err as Error, { unprocessed: true }));
        return;
      }
      // Only open streams keep the process alive: an idle session must not delay exit.
      if (this.#active++ === 0) this.session.ref();
      this.touch();
      let settled = false;
      const done = () => {
        settled = true;
        clearTimeout(timer);
        if (--this.#active === 0) {
          this.session.unref();
          this.stopIdle();
        }
      };
      let status = 0;
      let resHeaders: http2.IncomingHttpHeaders = {};
      const chunks: Buffer[] = [];
      stream.on('response', (h) => {
        status = Number(h[':status']);
        resHeaders = h;
        this.touch();
      });
      stream.on('data', (c: Buffer) => {
        chunks.push(c);
        this.touch();
      });
      stream.on('end', () => {
        if (settled) return;
        done();
        if (status) resolve({ status, headers: resHeaders, body: Buffer.concat(chunks) });
        // The session went away before any answer.
        else
          reject(
            Object.assign(new Error('the API server closed the connection before answering'), {
              code: 'ERR_HTTP2_STREAM_CLOSED_MESH',
              ...(this.refused(stream) ? { unprocessed: true } : {}),
            }),
          );
      });
      stream.on('error', (err: Error & { code?: string }) => {
        if (settled) return;
        done();
        // REFUSED_STREAM, or a stream the server's GOAWAY says it never saw: not processed.
        reject(Object.assign(err, this.refused(stream) ? { unprocessed: true } : {}));
      });
      stream.on('close', () => {
        if (settled) return;
        done();
        reject(
          Object.assign(new Error(`the API server closed the stream (HTTP/2 code ${stream.rstCode})`), {
            code: 'ERR_HTTP2_STREAM_CLOSED_MESH',
            ...(this.refused(stream) ? { unprocessed: true } : {}),
          }),
        );
      });
      const timer = timeoutMs
        ? setTimeout(() => {
            if (settled) return;
            done();
            stream.close(http2.constants.NGHTTP2_CANCEL);
            reject(Object.assign(new Error(`no answer within ${timeoutMs}ms`), { code: 'ETIMEDOUT_MESH', requestTimeout: true }));
          }, timeoutMs)
        : undefined;
      stream.end(payload);
    });
  }

  close(): void {
    this.stopIdle();
    this.session.close();
  }

  /** REFUSED_STREAM, or a stream above the last one the server's GOAWAY says it saw. */
  private refused(stream: http2.ClientHttp2Stream): boolean {
    return stream.rstCode === http2.constants.NGHTTP2_REFUSED_STREAM || (stream.id !== undefined && stream.id > this.#lastStreamId);
  }

  /** Re-arms the read-idle timer: something arrived (or a stream started). */
  private touch(): void {
    if (!this.health.readIdleMs) return;
    this.stopIdle();
    this.#idle = setTimeout(() => {
      this.ping();
    }, this.health.readIdleMs);
    this.#idle.unref();
  }

  private stopIdle(): void {
    clearTimeout(this.#idle);
    this.#idle = undefined;
  }

  private ping(): void {
    if (this.#active === 0 || this.dead) return;
    const fail = () => {
      this.#dead = true;
      this.session.destroy(
        Object.assign(
          new Error(`the API server did not answer a ping within ${this.health.pingTimeoutMs / 1000}s (connection lost or server frozen)`),
          { code: 'ETIMEDOUT_MESH_PING' },
        ),
      );
    };
    const timer = setTimeout(fail, this.health.pingTimeoutMs);
    try {
      this.session.ping((err) => {
        clearTimeout(timer);
        if (err) fail();
        else this.touch();
      });
    } catch {
      clearTimeout(timer);
      fail();
    }
  }
}
