// JSON over node:http(s) with one keep-alive agent: no client library on the request path,
// so a command costs only its requests. Counts and logs every request like `kubectl -v=6`.
import http from 'node:http';
import https from 'node:https';
import { performance } from 'node:perf_hooks';
import type { ConnectionOptions } from 'node:tls';
import type { Headers } from './auth.js';
import { translateNetworkError } from './errors.js';
import { H2Connection } from './h2.js';

export interface TransportOptions {
  server: string;
  agent: http.Agent;
  /** TLS settings for HTTP/2; without them (proxies, plain http) requests go over the HTTP/1.1 agent. */
  tls?: ConnectionOptions;
  headers(): Promise<Headers>;
  /** Bounds each request from send to the last body byte; 0 or undefined = no bound (kubectl's default). */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface HttpResponse { status: number; body: unknown }

export class Transport {
  #count = 0;
  /** Settles once: an HTTP/2 connection, or undefined for HTTP/1.1 over the agent. */
  #h2?: Promise<H2Connection | undefined>;
  readonly server: string;

  constructor(private readonly opts: TransportOptions) {
    // client-go accepts a server without a scheme and assumes TLS.
    const server = opts.server.includes('://') ? opts.server : `https://${opts.server}`;
    this.server = server.replace(/\/+$/, '');
  }

  private h2(): Promise<H2Connection | undefined> {
    if (!this.opts.tls || !this.server.startsWith('https:')) return Promise.resolve(undefined);
    // A failed connect is not remembered, so the next request can try again.
    this.#h2 ??= H2Connection.connect(new URL(this.server).origin, this.opts.tls, this.opts.timeoutMs).catch((err) => { this.#h2 = undefined; throw err; });
    return this.#h2;
  }

  get requestCount(): number { return this.#count; }

  /** Any HTTP status resolves; only a failure to get an answer rejects (UnreachableError). */
  async request(method: string, path: string, body?: unknown): Promise<HttpResponse> {
    this.#count++;
    const url = `${this.server}${path}`;
    const started = performance.now();
    const elapsed = (): string => `in ${Math.round(performance.now() - started)} milliseconds`;
    try {
      const res = await this.send(method, url, body);
      this.opts.log?.(`${method} ${url} ${res.status} ${http.STATUS_CODES[res.status] ?? ''} ${elapsed()}`);
      return res;
    } catch (err) {
      this.opts.log?.(`${method} ${url}  ${elapsed()}`);
      throw translateNetworkError(this.server, err, this.opts.timeoutMs);
    }
  }

  close(): void {
    this.opts.agent.destroy();
    this.#h2?.then((c) => c?.close(), () => {});
  }

  private async send(method: string, url: string, body: unknown): Promise<HttpResponse> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const headers: Headers = { Accept: 'application/json', 'User-Agent': 'kubectl-mesh', ...(await this.opts.headers()) };
    if (payload) {
      headers['Content-Type'] = 'application/json';
      headers['Content-Length'] = String(payload.length);
    }
    const h2 = await this.h2();
    if (h2) {
      const u = new URL(url);
      const h2Headers = Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
      delete h2Headers['content-length'];
      const res = await h2.request(method, u.pathname + u.search, h2Headers, payload, this.opts.timeoutMs);
      return { status: res.status, body: decode(res.body, res.contentType) };
    }
    const lib = url.startsWith('http:') ? http : https;
    return new Promise<HttpResponse>((resolve, reject) => {
      let timedOut: Error | undefined;
      const fail = (err: Error): void => { clearTimeout(timer); reject(timedOut ?? err); };
      const req = lib.request(url, { method, headers, agent: this.opts.agent }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', fail);
        res.on('end', () => {
          clearTimeout(timer);
          resolve({ status: res.statusCode ?? 0, body: decode(Buffer.concat(chunks), res.headers['content-type']) });
        });
      });
      const timeoutMs = this.opts.timeoutMs;
      const timer = timeoutMs ? setTimeout(() => {
        timedOut = Object.assign(new Error(`no answer within ${timeoutMs}ms`), { code: 'ETIMEDOUT_MESH' });
        // Also ends a response whose body stalls: its 'error' then reports the timeout.
        req.destroy(timedOut);
      }, timeoutMs) : undefined;
      req.on('error', fail);
      req.end(payload);
    });
  }
}

function decode(buf: Buffer, contentType: string | undefined): unknown {
  const text = buf.toString('utf8');
  if (!contentType?.includes('json')) return text;
  try { return JSON.parse(text); } catch { return text; }
}
