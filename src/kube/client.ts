// The cluster adapter the commands use: typed reads and writes of the kinds we touch.
// Writes carry our field manager; dry runs are the server's, so admission still judges them.
import { FIELD_MANAGER, ISTIO_GROUP, ISTIO_VERSIONS } from '../model/names.js';
import { PreconditionError } from '../errors.js';
import type { ResolvedConfig } from './context.js';
import { mergeGroups, type ApiGroup, type ApiGroupList, type DiscoveryCache } from './discovery-cache.js';
import { translateStatus } from './errors.js';
import type { ToolConnection } from './tool-kubeconfig.js';
import type { HttpResponse, Transport } from './http.js';
import { apiVersionOf, isIstioKind, RESOURCES, resourcePath, type IstioVersion, type Kind, type Obj } from './resources.js';

export interface WriteOptions {
  dryRun?: boolean;
}
export interface ListOptions {
  labelSelector?: string;
}
export interface RemoveOptions extends WriteOptions {
  resourceVersion?: string;
}

export interface KubeClient {
  /** -n, else the context's namespace, else 'default'. */
  readonly namespace: string;
  readonly contextName: string;
  /** --as when given, else the context's kubeconfig user name. */
  readonly userName: string;
  readonly server: string;
  readonly requestCount: number;
  istioVersion(): Promise<IstioVersion>;
  list<T extends Obj = Obj>(kind: Kind, namespace: string | undefined, opts?: ListOptions): Promise<T[]>;
  get<T extends Obj = Obj>(kind: Kind, namespace: string, name: string): Promise<T | undefined>;
  create<T extends Obj = Obj>(kind: Kind, obj: T, opts?: WriteOptions): Promise<T>;
  replace<T extends Obj = Obj>(kind: Kind, obj: T, opts?: WriteOptions): Promise<T>;
  remove(kind: Kind, namespace: string, name: string, opts?: RemoveOptions): Promise<void>;
  serverVersion(): Promise<string>;
  namespaceExists(ns: string): Promise<boolean>;
  /** A kubeconfig (and flags) for tools such as istioctl: the same server and identity as this client. */
  toolKubeconfig?(): Promise<ToolConnection>;
  /** A GET of any API path (e.g. a service proxy): any status resolves. Counted and logged like the rest. */
  getRaw?(path: string): Promise<HttpResponse>;
  /** Drops idle keep-alive sockets (they do not hold the process open, but tests like a clean exit). */
  close(): void;
}

const PAGE = 500; // kubectl's chunk size: big lists stay bounded, small ones take one request

export class Client implements KubeClient {
  #istio?: Promise<IstioVersion>;
  readonly namespace: string;
  readonly contextName: string;

  constructor(
    private readonly http: Transport,
    rc: ResolvedConfig,
    readonly userName: string,
    private readonly discovery?: DiscoveryCache,
    readonly toolKubeconfig?: () => Promise<ToolConnection>,
  ) {
    this.namespace = rc.namespace;
    this.contextName = rc.contextName;
  }

  get server(): string {
    return this.http.server;
  }
  get requestCount(): number {
    return this.http.requestCount;
  }
  close(): void {
    this.http.close();
  }

  istioVersion(): Promise<IstioVersion> {
    if (!this.#istio) {
      this.#istio = this.discoverIstio();
      // A failed discovery (e.g. a network blip) is not remembered.
      this.#istio.catch(() => {
        this.#istio = undefined;
      });
    }
    return this.#istio;
  }

  async list<T extends Obj = Obj>(kind: Kind, namespace: string | undefined, opts: ListOptions = {}): Promise<T[]> {
    const version = await this.versionFor(kind);
    const apiVersion = apiVersionOf(kind, version);
    const items: T[] = [];
    let cont: string | undefined;
    do {
      const q = query({ labelSelector: opts.labelSelector, limit: String(PAGE), continue: cont });
      const body = (await this.call('GET', resourcePath(kind, version, namespace) + q)).body as {
        items?: T[];
        metadata?: { continue?: string };
      };
      // List items come without apiVersion/kind; callers print and diff whole objects.
      for (const item of body.items ?? []) items.push({ apiVersion, kind, ...item });
      cont = body.metadata?.continue || undefined;
    } while (cont);
    return items;
  }

  async get<T extends Obj = Obj>(kind: Kind, namespace: string, name: string): Promise<T | undefined> {
    const res = await this.call('GET', resourcePath(kind, await this.versionFor(kind), namespace, name), undefined, [404]);
    return res.status === 404 ? undefined : (res.body as T);
  }

  async create<T extends Obj = Obj>(kind: Kind, obj: T, opts: WriteOptions = {}): Promise<T> {
    const version = await this.versionFor(kind);
    const path = resourcePath(kind, version, this.nsOf(kind, obj));
    return (await this.call('POST', path + writeQuery(opts), this.typed(kind, version, obj))).body as T;
  }

  async replace<T extends Obj = Obj>(kind: Kind, obj: T, opts: WriteOptions = {}): Promise<T> {
    const version = await this.versionFor(kind);
    // resourceVersion travels in the body: a stale read makes the server answer 409.
    const path = resourcePath(kind, version, this.nsOf(kind, obj), obj.metadata.name ?? '');
    return (await this.call('PUT', path + writeQuery(opts), this.typed(kind, version, obj))).body as T;
  }

  async remove(kind: Kind, namespace: string, name: string, opts: RemoveOptions = {}): Promise<void> {
    const path = resourcePath(kind, await this.versionFor(kind), namespace, name);
    const body = {
      apiVersion: 'v1',
      kind: 'DeleteOptions',
      ...(opts.resourceVersion ? { preconditions: { resourceVersion: opts.resourceVersion } } : {}),
      ...(opts.dryRun ? { dryRun: ['All'] } : {}),
    };
    await this.call('DELETE', path, body);
  }

  async serverVersion(): Promise<string> {
    const body = (await this.call('GET', '/version')).body as { gitVersion?: string };
    return body?.gitVersion ?? '';
  }

  async namespaceExists(ns: string): Promise<boolean> {
    return (await this.call('GET', resourcePath('Namespace', 'v1', undefined, ns), undefined, [404])).status !== 404;
  }

  getRaw(path: string): Promise<HttpResponse> {
    return this.http.request('GET', path);
  }

  /** From kubectl's discovery cache when it lists the Istio group; else /api + /apis, then cached. */
  private async discoverIstio(): Promise<IstioVersion> {
    const servedIn = (list: ApiGroupList | undefined): IstioVersion | undefined => {
      const served = new Set(list?.groups.find((g) => g.name === ISTIO_GROUP)?.versions.map((v) => v.version) ?? []);
      return ISTIO_VERSIONS.find((v) => served.has(v));
    };
    // A cached list without Istio may predate its CRDs: ask again, as kubectl does on a miss.
    const cached = servedIn(this.discovery?.read());
    if (cached) return cached;
    const [api, apis] = await Promise.all([this.call('GET', '/api'), this.call('GET', '/apis')]);
    const list = mergeGroups(api.body as { versions?: string[] }, apis.body as { groups?: ApiGroup[] });
    this.discovery?.write(list);
    const version = servedIn(list);
    if (!version) {
      throw new PreconditionError(
        `Istio CRDs are not installed: the API server does not serve ${ISTIO_GROUP}`,
        'install Istio (istioctl install), or check that --context points at the mesh cluster',
      );
    }
    return version;
  }

  private versionFor(kind: Kind): Promise<IstioVersion> {
    // Core kinds ignore the version argument, so they must not pay for discovery.
    return isIstioKind(kind) ? this.istioVersion() : Promise.resolve('v1');
  }

  private nsOf(kind: Kind, obj: Obj): string | undefined {
    return RESOURCES[kind].namespaced ? obj.metadata.namespace || this.namespace : undefined;
  }

  private typed<T extends Obj>(kind: Kind, version: IstioVersion, obj: T): T {
    return { ...obj, apiVersion: apiVersionOf(kind, version), kind };
  }

  private async call(method: string, path: string, body?: unknown, allowed: number[] = []): Promise<HttpResponse> {
    const res = await this.http.request(method, path, body);
    if ((res.status >= 200 && res.status < 300) || allowed.includes(res.status)) return res;
    throw translateStatus({ method, url: `${this.server}${path}`, status: res.status, body: res.body });
  }
}

function query(params: Record<string, string | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const s = q.toString();
  return s ? `?${s}` : '';
}

const writeQuery = (o: WriteOptions): string => query({ fieldManager: FIELD_MANAGER, dryRun: o.dryRun ? 'All' : undefined });
