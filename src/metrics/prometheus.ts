// The Prometheus HTTP API client: instant queries, over plain HTTP(S) to a URL (with an optional
// bearer token or basic auth from a file) or through the API server's service proxy, so an
// in-cluster Prometheus needs no port-forward. Failures are values: the caller decides whether no
// answer is fatal (before a rollout starts) or just an inconclusive check (mid-rollout).
import { errorOf, parseVector, type Sample } from './result.js';

export type Where =
  { kind: 'url'; url: string; from: 'flag' | 'env' } | { kind: 'proxy'; namespace: string; service: string; port: string };

/** Istio's Prometheus addon: Service prometheus, port 9090, in istio-system. */
export const ADDON: Where = { kind: 'proxy', namespace: 'istio-system', service: 'prometheus', port: '9090' };

/** --prometheus, else $MESH_PROMETHEUS_URL, else Istio's addon through the service proxy. */
export function locatePrometheus(flag: string | undefined, env: NodeJS.ProcessEnv): Where {
  if (flag) return { kind: 'url', url: flag, from: 'flag' };
  if (env.MESH_PROMETHEUS_URL) return { kind: 'url', url: env.MESH_PROMETHEUS_URL, from: 'env' };
  return ADDON;
}

export const describeWhere = (w: Where): string =>
  w.kind === 'url' ? redact(w.url) : `service ${w.namespace}/${w.service}:${w.port} (through the API server's service proxy)`;

/** A URL for messages: no password. */
export const redact = (url: string): string => url.replace(/\/\/[^/@]*@/, '//***@');

/** The API server path that proxies `apiPath?params` to the service (scheme:name:port form). */
export function serviceProxyPath(w: Extract<Where, { kind: 'proxy' }>, apiPath: string, params: Record<string, string>): string {
  const q = new URLSearchParams(params).toString();
  return `/api/v1/namespaces/${encodeURIComponent(w.namespace)}/services/http:${encodeURIComponent(w.service)}:${encodeURIComponent(w.port)}/proxy${apiPath}${q ? `?${q}` : ''}`;
}

/** The Authorization header a token file gives: "Bearer …"/"Basic …" as written, user:password → Basic, else a bearer token. */
export function authorization(fileText: string): string {
  const text = fileText.trim();
  if (/^(Bearer|Basic) \S+$/.test(text)) return text;
  if (/^[^\s:]+:\S*$/.test(text) && !text.startsWith('ey')) return `Basic ${Buffer.from(text).toString('base64')}`;
  return `Bearer ${text}`;
}

export interface HttpAnswer {
  status: number;
  body: unknown;
}
export type Get = (apiPath: string, params: Record<string, string>, timeoutMs: number) => Promise<HttpAnswer>;

export class PrometheusError extends Error {
  override name = 'PrometheusError';
}

export interface Prometheus {
  readonly where: Where;
  /** Queries made so far (for the figures in the report). */
  readonly queryCount: number;
  query(promql: string, timeoutMs?: number): Promise<Sample[]>;
}

export function prometheus(where: Where, get: Get): Prometheus {
  let count = 0;
  return {
    where,
    get queryCount() {
      return count;
    },
    async query(promql, timeoutMs = 10_000) {
      count++;
      let res: HttpAnswer;
      try {
        res = await get('/api/v1/query', { query: promql }, timeoutMs);
      } catch (err) {
        throw new PrometheusError(`Prometheus at ${describeWhere(where)} did not answer: ${(err as Error).message}`);
      }
      if (res.status !== 200)
        throw new PrometheusError(`Prometheus at ${describeWhere(where)} answered ${res.status}: ${errorOf(res.body)}`);
      try {
        return parseVector(res.body);
      } catch (err) {
        throw new PrometheusError(`Prometheus at ${describeWhere(where)}: ${(err as Error).message}`);
      }
    },
  };
}

/** GET over plain HTTP(S) to a Prometheus URL (its path prefix kept, e.g. https://host/prometheus). */
export function urlGet(base: string, auth?: string): Get {
  const root = base.replace(/\/+$/, '');
  return async (apiPath, params, timeoutMs) => {
    const url = new URL(`${root}${apiPath}?${new URLSearchParams(params)}`);
    // Loaded here, not at start-up: most commands never talk to Prometheus directly.
    const lib = url.protocol === 'https:' ? await import('node:https') : url.protocol === 'http:' ? await import('node:http') : undefined;
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Accept: 'application/json', 'User-Agent': 'kubectl-mesh' };
      if (url.username || url.password) {
        headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
        url.username = '';
        url.password = '';
      }
      if (auth) headers.Authorization = auth;
      if (!lib) {
        reject(new Error(`unsupported URL scheme ${url.protocol} (use http or https)`));
        return;
      }
      const req = lib.get(url, { headers, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            /* an HTML error page, say: kept as text */
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      });
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs}ms`)));
      req.on('error', reject);
    });
  };
}

/** GET through the API server's service proxy, with the kubeconfig's credentials. */
export function proxyGet(w: Extract<Where, { kind: 'proxy' }>, request: (path: string, timeoutMs: number) => Promise<HttpAnswer>): Get {
  return (apiPath, params, timeoutMs) => request(serviceProxyPath(w, apiPath, params), timeoutMs);
}
