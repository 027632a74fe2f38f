// JSON over HTTP/2 (HTTP/1.1 where the server or a plain http:// URL needs it): no client library on
// the request path, so a command costs only its requests. Counts and logs every request like
// `kubectl -v=6`. Failure handling as client-go's: a request the server never processed (dead or
// GOAWAY'd session) and an idempotent GET are sent once more on a fresh connection; 429 (and a 5xx
// GET with Retry-After) waits as told, bounded; a 401 with plugin credentials asks the plugin again
// once; `Warning:` headers go to stderr, each text once.
import http from 'node:http';
import type { TLSSocket } from 'node:tls';
import { MeshError } from '../errors.js';
import type { Credentials, Headers } from './auth.js';
import { dialTls } from './dial.js';
import { translateNetworkError } from './errors.js';
import { connectionBroke, H2Session, unprocessed, type HealthCheck } from './h2.js';
import { hostOf, proxyFor } from './proxy.js';
import { parseWarnings } from './warnings.js';

export interface TransportOptions {
  server: string;
  credentials: Credentials;
  proxyUrl?: string;
  env: NodeJS.ProcessEnv;
  health: HealthCheck;
  /** Bounds each request from send to the last body byte; 0 or undefined = no bound (kubectl's default). */
  timeoutMs?: number;
  log?: (line: string) => void;
  warn?: (text: string) => void;
}

export interface HttpResponse {
  status: number;
  body: unknown;
}

const MAX_THROTTLE_RETRIES = 10; // client-go's maxRetries
const MAX_RETRY_AFTER_MS = 10_000;

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

export class Transport {
  #count = 0;
  #session?: Promise<H2Session | undefined>;
  #h1Agent?: http.Agent;
  #warned = new Set<string>();
  /** The server answered ALPN with HTTP/1.1 once: don't try h2 again. */
  #h1Only = false;
  #spare?: TLSSocket;
  readonly server: string;
  private readonly url: URL;

  constructor(private readonly opts: TransportOptions) {
    // client-go accepts a server without a scheme and assumes TLS.
    const server = opts.server.includes('://') ? opts.server : `https://${opts.server}`;
    this.server = server.replace(/\/+$/, '');
    this.url = new URL(this.server);
  }

  get requestCount(): number {
    return this.#count;
  }

  /** Any HTTP status resolves; only a failure to get an answer rejects (UnreachableError). */
  async request(method: string, path: string, body?: unknown): Promise<HttpResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    let retriedConnection = false;
    let refreshed = false;
    for (let throttled = 0; ;) {
      let res: Raw;
      try {
        res = await this.once(method, path, payload);
      } catch (err) {
        if (err instanceof MeshError) throw err; // credentials (exec plugin), not the network
        const retry = !retriedConnection && (unprocessed(err) || (method === 'GET' && connectionBroke(err)));
        if (retry) {
          retriedConnection = true;
          continue;
        }
        throw translateNetworkError(this.server, err);
      }
      this.warnings(res.headers.warning);
      if (res.status === 401 && !refreshed && this.opts.credentials.refresh()) {
        refreshed = true;
        continue;
      }
      const wait = retryAfterMs(res, method);
      if (wait !== undefined && throttled++ < MAX_THROTTLE_RETRIES) {
        await new Promise((r) => setTimeout(r, wait));
        continue;
      }
      return { status: res.status, body: decode(res.body, first(res.headers['content-type'])) };
    }
  }

  close(): void {
    this.#h1Agent?.destroy();
    this.#spare?.destroy();
    this.#session?.then(
      (s) => s?.close(),
      () => {},
    );
  }

  /** One attempt, logged and counted like one request of kubectl -v=6. */
  private async once(method: string, path: string, payload: Buffer | undefined): Promise<Raw> {
    this.#count++;
    const url = `${this.server}${path}`;
    const started = Date.now();
    const elapsed = (): string => `in ${Date.now() - started} milliseconds`;
    try {
      const res = await this.bounded(this.send(method, url, payload));
      this.opts.log?.(`${method} ${url} ${res.status} ${http.STATUS_CODES[res.status] ?? ''} ${elapsed()}`);
      return res;
    } catch (err) {
      this.opts.log?.(`${method} ${url}  ${elapsed()}`);
      throw err;
    }
  }

  /** --request-timeout covers the whole attempt, connecting included, like Go's http.Client.Timeout. */
  private bounded<T>(work: Promise<T>): Promise<T> {
    const ms = this.opts.timeoutMs;
    if (!ms) return work;
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(Object.assign(new Error(`no answer within ${ms}ms`), { code: 'ETIMEDOUT_MESH', requestTimeout: true }));
      }, ms);
    });
    work.catch(() => {}); // settles later on its own bounds; its outcome no longer matters
    return Promise.race([work, expired]).finally(() => {
      clearTimeout(timer);
    });
  }

  private async send(method: string, url: string, payload: Buffer | undefined): Promise<Raw> {
    const headers: Headers = { Accept: 'application/json', 'User-Agent': 'kubectl-mesh', ...(await this.opts.credentials.headers()) };
    if (payload) headers['Content-Type'] = 'application/json';
    const session = await this.session();
    if (session) {
      const u = new URL(url);
      const h2Headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
      const res = await session.request(method, u.pathname + u.search, h2Headers, payload, this.opts.timeoutMs);
      return { status: res.status, headers: res.headers, body: res.body };
    }
    return this.sendH1(method, url, headers, payload);
  }

  /** The live HTTP/2 session, a new one if the last died; undefined when the server speaks only HTTP/1.1. */
  private async session(): Promise<H2Session | undefined> {
    if (this.url.protocol !== 'https:') return undefined;
    for (;;) {
      const opening = this.#session;
      if (!opening) break;
      // Everyone waiting on one connection attempt shares its failure: no second 10 s handshake.
      const current = await opening;
      if (current && !current.dead) return current;
      if (this.#h1Only) return undefined;
      if (this.#session === opening) {
        this.#session = undefined;
        break;
      }
    }
    if (this.#h1Only) return undefined;
    const opening = (async () => {
      const socket = await this.dial();
      if (socket.alpnProtocol !== 'h2') {
        this.#h1Only = true;
        this.#spare = socket; // the first HTTP/1.1 request uses it
        return undefined;
      }
      return new H2Session(this.url.origin, socket, this.opts.health);
    })();
    this.#session = opening;
    // A failed connect is not remembered, so the next request can try again.
    opening.catch(() => {
      if (this.#session === opening) this.#session = undefined;
    });
    return opening;
  }

  private async dial() {
    return dialTls(this.url, {
      tls: await this.opts.credentials.tls(),
      proxy: proxyFor(this.url, this.opts.proxyUrl, this.opts.env),
      timeoutMs: this.opts.timeoutMs,
    });
  }

  private async sendH1(method: string, url: string, headers: Headers, payload: Buffer | undefined): Promise<Raw> {
    const u = new URL(url);
    const plain = u.protocol === 'http:';
    const proxy = plain ? proxyFor(u, this.opts.proxyUrl, this.opts.env) : undefined;
    // https that negotiated HTTP/1.1: one connection per request, dialled with our bounds and proxy.
    const spare = this.#spare;
    this.#spare = undefined;
    const socket = plain ? undefined : spare && !spare.destroyed ? spare : await this.dial();
    if (plain && !proxy) this.#h1Agent ??= new http.Agent({ keepAlive: true });
    const options: http.RequestOptions = {
      method,
      headers: { ...headers, Host: u.host, ...(payload ? { 'Content-Length': String(payload.length) } : {}) },
      host: proxy ? hostOf(proxy) : hostOf(u),
      port: proxy ? Number(proxy.port || 80) : Number(u.port || (plain ? 80 : 443)),
      // Through a proxy a plain request names the whole URL.
      path: proxy ? url : u.pathname + u.search,
      ...(socket ? { createConnection: () => socket } : plain && !proxy ? { agent: this.#h1Agent } : {}),
    };
    return new Promise<Raw>((resolve, reject) => {
      let timedOut: Error | undefined;
      const fail = (err: Error): void => {
        clearTimeout(timer);
        socket?.destroy();
        reject(timedOut ?? err);
      };
      const req = http.request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          socket?.destroy();
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
        });
      });
      const timeoutMs = this.opts.timeoutMs;
      const timer = timeoutMs
        ? setTimeout(() => {
            timedOut = Object.assign(new Error(`no answer within ${timeoutMs}ms`), { code: 'ETIMEDOUT_MESH', requestTimeout: true });
            // Also ends a response whose body stalls: its 'error' then reports the timeout.
            req.destroy(timedOut);
          }, timeoutMs)
        : undefined;
      req.on('error', fail);
      req.end(payload);
    });
  }

  private warnings(value: string | string[] | undefined): void {
    if (!value || !this.opts.warn) return;
    for (const text of parseWarnings(Array.isArray(value) ? value : [value])) {
      if (this.#warned.has(text)) continue;
      this.#warned.add(text);
      this.opts.warn(text);
    }
  }
}

/** How long to wait before sending again, per client-go: 429 any method, 5xx only for GET; with Retry-After. */
function retryAfterMs(res: Raw, method: string): number | undefined {
  if (res.status !== 429 && !(res.status >= 500 && method === 'GET')) return undefined;
  const header = first(res.headers['retry-after']);
  if (header === undefined) return undefined;
  const seconds = Number.parseInt(header, 10);
  if (!Number.isInteger(seconds) || seconds < 0) return undefined;
  return Math.min(seconds * 1000, MAX_RETRY_AFTER_MS);
}

const first = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);

function decode(buf: Buffer, contentType: string | undefined): unknown {
  const text = buf.toString('utf8');
  if (!contentType?.includes('json')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
