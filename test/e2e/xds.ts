// What Istio's control plane really sends a sidecar: runs test/xds-probe against the test bed's istiod
// (ISTIOD_ADDRESS, XDS_PROBE from scripts/test.mjs) and compares its routes with what kubectl-mesh wrote.
// Istio adds its own retries and timeouts to every route, so only names, matches and destinations
// (clusters, weights) are compared.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { isDeepStrictEqual } from 'node:util';
import { run } from './harness.js';

export interface EnvoyRoute {
  name: string;
  prefix?: string;
  path?: string;
  regex?: string;
  headers?: { name: string; exact?: string; prefix?: string; regex?: string; invert?: boolean }[];
  cluster?: string;
  weightedClusters?: { cluster: string; weight: number }[];
  directResponse?: number;
}

export interface Push {
  nonce: string;
  version: string;
  routeConfig: string;
  virtualHost?: string;
  routes: EnvoyRoute[] | null;
  /** Set by Probe: when the test read the push (Date.now()); the probe prints a push before it ACKs it. */
  receivedAt?: number;
}

export const istiodAddress = (): string => {
  const a = process.env.ISTIOD_ADDRESS;
  if (!a) throw new Error('ISTIOD_ADDRESS is not set: run the e2e tests through "npm test" (cluster:up prints it)');
  return a;
};
const probeBin = (): string => {
  const p = process.env.XDS_PROBE;
  if (!p) throw new Error('XDS_PROBE is not set: run the e2e tests through "npm test"');
  return p;
};

export interface ProbeTarget {
  namespace: string;
  host: string;
  port?: number;
  name?: string;
  /** A gateway proxy with these labels (k=v,...) asking for this route config (http.PORT), not a sidecar. */
  router?: { labels: string; route: string };
}

const probeArgs = (t: ProbeTarget, extra: string[] = []): string[] => [
  '--address',
  istiodAddress(),
  '--namespace',
  t.namespace,
  '--host',
  t.host,
  '--port',
  String(t.port ?? 9080),
  '--name',
  t.name ?? 'probe',
  ...(t.router ? ['--router', t.router.labels, '--route', t.router.route] : []),
  ...extra,
];

/** The routes a sidecar in t.namespace gets for t.host now (one xDS answer). */
export async function routesNow(t: ProbeTarget): Promise<Push> {
  const r = await run(probeBin(), probeArgs(t, ['--once', '--timeout', '20s']), { timeoutMs: 30_000 });
  if (r.code !== 0) throw new Error(`xds-probe failed (exit ${r.code}): ${r.stderr.trim()}`);
  return JSON.parse(r.stdout.trim().split('\n')[0]) as Push;
}

/**
 * Polls until the routes Istio sends equal `expected` (istiod debounces pushes ~100 ms, and informers
 * lag a little); resolves the last routes seen either way, so a test can compare and show them.
 */
export async function routesSettle(t: ProbeTarget, expected: EnvoyRoute[], timeoutMs = 20_000): Promise<EnvoyRoute[] | null> {
  const deadline = Date.now() + timeoutMs;
  let last: EnvoyRoute[] | null = null;
  while (Date.now() < deadline) {
    last = normalised((await routesNow(t)).routes);
    if (isDeepStrictEqual(last, expected)) return last;
    await new Promise((r) => setTimeout(r, 300));
  }
  return last;
}

/** A long-running probe (one JSON line per push); --no-ack makes it a stuck proxy. */
export class Probe {
  readonly pushes: Push[] = [];
  private readonly child: ChildProcess;
  private waiters: (() => void)[] = [];

  constructor(t: ProbeTarget, opts: { noAck?: boolean } = {}) {
    this.child = spawn(probeBin(), probeArgs(t, [...(opts.noAck ? ['--no-ack'] : []), '--timeout', '10m']), {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    createInterface({ input: this.child.stdout! }).on('line', (line) => {
      this.pushes.push({ ...(JSON.parse(line) as Push), receivedAt: Date.now() });
      for (const w of this.waiters.splice(0)) w();
    });
  }

  /** Resolves once `n` pushes arrived (or rejects after timeoutMs). */
  async waitForPushes(n: number, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.pushes.length < n) {
      if (Date.now() > deadline) throw new Error(`xds-probe got ${this.pushes.length} pushes, expected ${n}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill('SIGTERM');
    await exited;
  }
}

/** Sidecars of one service in one namespace, each connected once istiod has pushed to it; stopAll() for teardown. */
export class ProbeSet {
  private readonly started: Probe[] = [];

  constructor(
    private readonly namespace: string,
    private readonly host: string,
  ) {}

  async connect(name: string, noAck = false): Promise<Probe> {
    const p = new Probe({ namespace: this.namespace, host: this.host, name }, { noAck });
    this.started.push(p);
    await p.waitForPushes(1);
    return p;
  }

  async stopAll(): Promise<void> {
    for (const p of this.started) await p.stop();
  }
}

const fqdn = (host: string, ns: string): string => (host.includes('.') ? host : `${host}.${ns}.svc.cluster.local`);

/**
 * The Envoy routes Istio should make of a VirtualService's http routes for a sidecar (what we claim):
 * same order and names; header matches; `/` prefix for a rule without a uri match; one destination →
 * a cluster, several → weighted clusters without the 0-weight ones (as Istio 1.31 does: checked here).
 */
export function expectedRoutes(vs: any, port = 9080): EnvoyRoute[] {
  const ns = vs.metadata.namespace;
  return (vs.spec.http ?? []).flatMap((http: any) => {
    const dests = (http.route ?? [])
      .map((d: any) => ({
        cluster: `outbound|${d.destination.port?.number ?? port}|${d.destination.subset ?? ''}|${fqdn(d.destination.host, ns)}`,
        weight: d.weight ?? 0,
      }))
      .filter((d: any, _: number, all: any[]) => all.length === 1 || d.weight > 0);
    // One destination: a plain cluster. Several: weighted clusters, even when only one keeps a weight.
    const target = http.route?.length === 1 ? { cluster: dests[0].cluster } : { weightedClusters: dests };
    const matches = http.match?.length ? http.match : [undefined];
    return matches.map((m: any) => {
      const headers = Object.entries(m?.headers ?? {}).map(([name, v]: [string, any]) => ({ name, ...v }));
      const uri = m?.uri ?? { prefix: '/' };
      return {
        name: http.name ?? '',
        ...(uri.prefix !== undefined ? { prefix: uri.prefix } : uri.exact !== undefined ? { path: uri.exact } : { regex: uri.regex }),
        ...(headers.length ? { headers: headers.sort((a, b) => a.name.localeCompare(b.name)) } : {}),
        ...target,
      } as EnvoyRoute;
    });
  });
}

/** Envoy routes with header matches in a stable order, so two lists compare as JSON. */
export const normalised = (routes: EnvoyRoute[] | null): EnvoyRoute[] | null =>
  routes && routes.map((r) => (r.headers ? { ...r, headers: [...r.headers].sort((a, b) => a.name.localeCompare(b.name)) } : r));
