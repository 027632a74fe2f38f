// A KubeClient over an in-memory object store, for command tests (the pattern of Argo Rollouts'
// NewFakeArgoRolloutsOptions and client-go's fake clientset): it keeps resourceVersions and answers
// like the API server does (409 on a stale write or an existing name, 404 on a missing one), records
// every call, and lets a test put a reactor in front of a verb to inject a failure or a concurrent
// edit. Failures are the real client's errors (translateStatus), so the command sees what it would.
// The real API server stays the judge in test/e2e.
import type { KubeClient, ListOptions, RemoveOptions, WriteOptions } from '../../src/kube/client.js';
import { translateStatus } from '../../src/kube/errors.js';
import { apiVersionOf, resourcePath, type IstioVersion, type Kind, type Obj } from '../../src/kube/resources.js';

export type Verb = 'list' | 'get' | 'create' | 'replace' | 'remove';

export interface Action {
  verb: Verb;
  kind: Kind;
  namespace?: string;
  name?: string;
  obj?: Obj;
  dryRun?: boolean;
}

/**
 * Sees every call of its verb and kind before the store does. Returns undefined to let the store
 * answer, `{ status }` to fail with that HTTP status, or `{ result }` to answer itself.
 */
export type Reactor = (
  action: Action,
  kube: FakeKube,
) => { status: number; reason?: string; message?: string } | { result: unknown } | undefined;

const key = (kind: string, ns: string | undefined, name: string | undefined) => `${kind}/${ns ?? ''}/${name ?? ''}`;
const clone = <T>(o: T): T => structuredClone(o);

export class FakeKube implements KubeClient {
  readonly namespace: string;
  readonly contextName = 'fake';
  readonly userName = 'alice';
  readonly server = 'https://fake.invalid';
  /** Every call, in order (reads too). */
  readonly actions: Action[] = [];
  #objects = new Map<string, Obj>();
  #reactors: { verb: Verb; kind: Kind | '*'; react: Reactor }[] = [];
  #version = 100;

  constructor(objects: Obj[] = [], opts: { namespace?: string; istio?: IstioVersion } = {}) {
    this.namespace = opts.namespace ?? 'shop';
    this.istio = opts.istio ?? 'v1';
    for (const o of objects) this.put(o);
  }

  readonly istio: IstioVersion;

  /** Runs react first for calls of verb on kind ('*': any kind); the latest added runs first. */
  prependReactor(verb: Verb, kind: Kind | '*', react: Reactor): this {
    this.#reactors.unshift({ verb, kind, react });
    return this;
  }

  /** Stores o as the server would (a new resourceVersion), bypassing reactors: a test's own edit. */
  put(o: Obj): Obj {
    const stored = clone(o);
    stored.metadata = { ...stored.metadata, resourceVersion: String(++this.#version), uid: stored.metadata.uid ?? `uid-${this.#version}` };
    this.#objects.set(key(o.kind!, o.metadata.namespace, o.metadata.name), stored);
    return clone(stored);
  }

  /** The stored object, or undefined. */
  object(kind: Kind, namespace: string, name: string): Obj | undefined {
    const o = this.#objects.get(key(kind, namespace, name));
    return o && clone(o);
  }

  /** The write calls (create, replace, remove) as `verb Kind ns/name`, in order. */
  writes(): string[] {
    return this.actions
      .filter((a) => a.verb !== 'list' && a.verb !== 'get')
      .map((a) => `${a.verb} ${a.kind} ${a.namespace}/${a.name}${a.dryRun ? ' (dry run)' : ''}`);
  }

  get requestCount(): number {
    return this.actions.length;
  }
  close(): void {}
  async istioVersion(): Promise<IstioVersion> {
    return this.istio;
  }
  async serverVersion(): Promise<string> {
    return 'v1.36.0-fake';
  }
  async namespaceExists(ns: string): Promise<boolean> {
    return [...this.#objects.values()].some((o) => o.metadata.namespace === ns);
  }

  async list<T extends Obj = Obj>(kind: Kind, namespace: string | undefined, opts: ListOptions = {}): Promise<T[]> {
    return this.#call({ verb: 'list', kind, namespace }, () => {
      const match = selector(opts.labelSelector);
      return [...this.#objects.values()]
        .filter((o) => o.kind === kind && (namespace === undefined || o.metadata.namespace === namespace) && match(o.metadata.labels ?? {}))
        .map((o) => ({ ...clone(o), apiVersion: apiVersionOf(kind, this.istio) }));
    }) as Promise<T[]>;
  }

  async get<T extends Obj = Obj>(kind: Kind, namespace: string, name: string): Promise<T | undefined> {
    return this.#call({ verb: 'get', kind, namespace, name }, () => this.object(kind, namespace, name)) as Promise<T | undefined>;
  }

  async create<T extends Obj = Obj>(kind: Kind, obj: T, opts: WriteOptions = {}): Promise<T> {
    const namespace = obj.metadata.namespace ?? this.namespace;
    return this.#call({ verb: 'create', kind, namespace, name: obj.metadata.name, obj: clone(obj), dryRun: opts.dryRun }, (fail) => {
      if (this.#objects.has(key(kind, namespace, obj.metadata.name)))
        fail(409, 'AlreadyExists', `${kind} "${obj.metadata.name}" already exists`);
      const o = { ...clone(obj), kind, apiVersion: apiVersionOf(kind, this.istio), metadata: { ...obj.metadata, namespace } };
      return opts.dryRun ? o : this.put(o);
    }) as Promise<T>;
  }

  async replace<T extends Obj = Obj>(kind: Kind, obj: T, opts: WriteOptions = {}): Promise<T> {
    const namespace = obj.metadata.namespace ?? this.namespace;
    return this.#call({ verb: 'replace', kind, namespace, name: obj.metadata.name, obj: clone(obj), dryRun: opts.dryRun }, (fail) => {
      const current = this.#objects.get(key(kind, namespace, obj.metadata.name));
      if (!current) return fail(404, 'NotFound', `${kind} "${obj.metadata.name}" not found`);
      if (obj.metadata.resourceVersion !== current.metadata.resourceVersion) {
        fail(
          409,
          'Conflict',
          `Operation cannot be fulfilled on ${kind} "${obj.metadata.name}": the object has been modified; please apply your changes to the latest version and try again`,
        );
      }
      const o = { ...clone(obj), kind, apiVersion: apiVersionOf(kind, this.istio), metadata: { ...obj.metadata, namespace } };
      return opts.dryRun ? o : this.put(o);
    }) as Promise<T>;
  }

  async remove(kind: Kind, namespace: string, name: string, opts: RemoveOptions = {}): Promise<void> {
    await this.#call({ verb: 'remove', kind, namespace, name, dryRun: opts.dryRun }, (fail) => {
      const current = this.#objects.get(key(kind, namespace, name));
      if (!current) return fail(404, 'NotFound', `${kind} "${name}" not found`);
      if (opts.resourceVersion && opts.resourceVersion !== current.metadata.resourceVersion) {
        fail(409, 'Conflict', `Operation cannot be fulfilled on ${kind} "${name}": the object has been modified`);
      }
      if (!opts.dryRun) this.#objects.delete(key(kind, namespace, name));
    });
  }

  /** Records the action; reactors answer first, else the store. */
  async #call(action: Action, store: (fail: (status: number, reason: string, message: string) => never) => unknown): Promise<unknown> {
    this.actions.push(action);
    for (const r of this.#reactors) {
      if (r.verb !== action.verb || (r.kind !== '*' && r.kind !== action.kind)) continue;
      const answer = r.react(action, this);
      if (answer === undefined) continue;
      if ('result' in answer) return answer.result;
      this.#fail(action, answer.status, answer.reason, answer.message);
    }
    return store((status, reason, message) => this.#fail(action, status, reason, message));
  }

  #fail(action: Action, status: number, reason?: string, message?: string): never {
    const path = resourcePath(action.kind, this.istio, action.namespace, action.name);
    const method = { list: 'GET', get: 'GET', create: 'POST', replace: 'PUT', remove: 'DELETE' }[action.verb];
    throw translateStatus({
      method,
      url: `${this.server}${path}`,
      status,
      body: { kind: 'Status', status: 'Failure', reason, message: message ?? `fake: ${status}` },
    });
  }
}

/** Equality selectors only (`a=b,c=d`): what the client sends. */
function selector(s: string | undefined): (labels: Record<string, string>) => boolean {
  const terms = (s ?? '')
    .split(',')
    .filter(Boolean)
    .map((t) => t.split('='));
  return (labels) => terms.every(([k, v]) => labels[k] === v);
}
