// Helpers for the e2e tests of the verbs (on top of harness.ts): a fresh namespace per test file with a
// small versioned app in it, resourceVersion snapshots ("nothing was written"), and request counting.
// The test cluster runs no controller-manager and no kubelet, so namespaces are emptied and finalized
// here by hand, and Pods are created and marked Ready by test/cluster/pods.mjs.
import { randomBytes } from 'node:crypto';
import { setPodsReady, startWorkloads } from '../cluster/pods.mjs';
import { getJson, kubectl, mesh, type Result, type RunOptions } from './harness.js';

export const kubeconfig = (): string => {
  const k = process.env.KUBECONFIG;
  if (!k) throw new Error('KUBECONFIG is not set: run the e2e tests through "npm test", or export the cluster:up kubeconfig');
  return k;
};

/** Fails loudly (the test should stop) when a setup step does not work. */
export async function must(r: Promise<Result> | Result, what: string): Promise<Result> {
  const res = await r;
  if (res.code !== 0) throw new Error(`${what} failed (exit ${res.code}): ${res.stderr.trim()}`);
  return res;
}

const apply = (objects: object[], ns?: string): Promise<Result> =>
  must(
    kubectl(['apply', '-f', '-', ...(ns ? ['-n', ns] : [])], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }) }),
    'kubectl apply',
  );

/** Creates namespace `ns` (with its `default` ServiceAccount, which no controller creates here). */
export async function createNamespace(ns: string, labels: Record<string, string> = {}): Promise<void> {
  await apply([{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels } }]);
  await apply([{ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default', namespace: ns } }]);
}

/**
 * Deletes everything the tests put into `ns`, then the namespace. Without a namespace controller a
 * deleted namespace stays Terminating, so its finalizer is cleared through the finalize subresource.
 */
export async function deleteNamespace(ns: string): Promise<void> {
  await kubectl([
    'delete',
    'virtualservices,destinationrules,horizontalpodautoscalers,deployments,services,endpoints,serviceaccounts',
    '--all',
    '-n',
    ns,
    '--wait=false',
  ]);
  await kubectl(['delete', 'pods', '--all', '-n', ns, '--force', '--grace-period=0', '--wait=false']);
  await kubectl(['delete', 'namespace', ns, '--wait=false']);
  const finalize = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns }, spec: { finalizers: [] } };
  await kubectl(['replace', '--raw', `/api/v1/namespaces/${ns}/finalize`, '-f', '-'], { input: JSON.stringify(finalize) });
}

export interface AppOptions {
  /** Replicas (and pods) per version; default 2. */
  replicas?: number;
  /** HPA min/max per version; default 2..10. No HPA when false. */
  hpa?: { min: number; max: number } | false;
  /** Version label; default "version". */
  versionLabel?: string;
  /**
   * Each version created in a later second than the one before (creationTimestamp has whole seconds):
   * their ages then differ, not only their order. Up to a second per version.
   */
  apart?: boolean;
}

/** Waits until the clock is past the second Deployment `name` was created in. */
async function pastCreationSecond(ns: string, name: string): Promise<void> {
  const created = Date.parse((await getJson('deployment', name, ns)).metadata.creationTimestamp);
  const wait = created + 1000 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait + 50));
}

/**
 * A Service `name` in `ns` selecting app=name, one Deployment `name-<version>` per version (created in
 * the given order, so the first is the oldest), an HPA per Deployment, and Ready pods for all of them.
 */
export async function createApp(ns: string, name: string, versions: string[], opts: AppOptions = {}): Promise<void> {
  const replicas = opts.replicas ?? 2;
  const label = opts.versionLabel ?? 'version';
  const hpa = opts.hpa === undefined ? { min: 2, max: 10 } : opts.hpa;
  await apply([
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: ns, labels: { app: name } },
      spec: { selector: { app: name }, ports: [{ name: 'http', port: 9080, targetPort: 9080 }] },
    },
  ]);
  for (const [i, v] of versions.entries()) {
    if (opts.apart && i > 0) await pastCreationSecond(ns, `${name}-${versions[i - 1]}`);
    const labels = { app: name, [label]: v };
    // One apply per version: creation order (and creationTimestamp) says which version is older.
    await apply([
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `${name}-${v}`, namespace: ns, labels },
        spec: {
          replicas,
          selector: { matchLabels: labels },
          template: {
            metadata: { labels },
            spec: { containers: [{ name, image: `example.com/${name}:${v}`, ports: [{ containerPort: 9080 }] }] },
          },
        },
      },
    ]);
    if (hpa) {
      await apply([
        {
          apiVersion: 'autoscaling/v2',
          kind: 'HorizontalPodAutoscaler',
          metadata: { name: `${name}-${v}`, namespace: ns, labels },
          spec: {
            scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `${name}-${v}` },
            minReplicas: hpa.min,
            maxReplicas: hpa.max,
            metrics: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } }],
          },
        },
      ]);
    }
  }
  await startWorkloads(kubeconfig(), ns);
}

/**
 * Services `<prefix>-1` … `<prefix>-n` in `ns`, each with one Deployment of one pod per version, all
 * applied in one go (no HPAs, no creation order between versions), then Ready pods: many services, fast.
 */
export async function createServices(ns: string, prefix: string, n: number, versions: string[]): Promise<void> {
  const objects: object[] = [];
  for (let i = 1; i <= n; i++) {
    const app = `${prefix}-${i}`;
    objects.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: app, namespace: ns },
      spec: { selector: { app }, ports: [{ port: 80 }] },
    });
    for (const v of versions) {
      const labels = { app, version: v };
      objects.push({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: `${app}-${v}`, namespace: ns, labels },
        spec: {
          replicas: 1,
          selector: { matchLabels: labels },
          template: { metadata: { labels }, spec: { containers: [{ name: app, image: `example.com/${app}:${v}` }] } },
        },
      });
    }
  }
  await apply(objects);
  await startWorkloads(kubeconfig(), ns);
}

/** Applies any objects (e.g. a user's VirtualService) as admin. */
export const applyObjects = (objects: object[]): Promise<Result> => apply(objects);

export const setReady = (ns: string, selector: string, ready: boolean): Promise<string[]> =>
  setPodsReady(kubeconfig(), ns, selector, ready);

/** `kind/name` → resourceVersion (or "absent") for the routing objects and HPAs in `ns`. */
export async function resourceVersions(ns: string): Promise<Record<string, string>> {
  const r = await must(
    kubectl(['get', 'virtualservices,destinationrules,horizontalpodautoscalers', '-n', ns, '-o', 'json']),
    'kubectl get',
  );
  const out: Record<string, string> = {};
  for (const o of JSON.parse(r.stdout).items) out[`${o.kind}/${o.metadata.name}`] = o.metadata.resourceVersion;
  return out;
}

export const vsOf = (name: string, ns: string): Promise<any> => getJson('virtualservice', name, ns);
export const drOf = (name: string, ns: string): Promise<any> => getJson('destinationrule', name, ns);
export const hpaOf = (name: string, ns: string): Promise<any> => getJson('hpa', name, ns);

/** The history annotation of a VirtualService, parsed. */
export const historyOf = (vs: any): any[] => JSON.parse(vs?.metadata?.annotations?.['kubectl-mesh.io/history'] ?? '[]');

/** Weight per subset of the route named `name` (default mesh-primary). */
export function weights(vs: any, name = 'mesh-primary'): Record<string, number> {
  const route = (vs?.spec?.http ?? []).find((r: any) => r.name === name);
  return Object.fromEntries((route?.route ?? []).map((d: any) => [d.destination.subset, d.weight ?? 100]));
}

/** One API request log line of `-v=6` (`GET https://… 200 OK in 3 milliseconds`). */
export const REQUEST_LINE = /^(GET|POST|PUT|PATCH|DELETE) (https?:\/\/\S+) (\d{3})?/;

export interface Requests {
  result: Result;
  lines: { method: string; url: string; status: string }[];
}

/** Runs `kubectl mesh ARGS -v=6` and returns the API requests it logged, in order. */
export async function requests(args: string[], opts: RunOptions = {}): Promise<Requests> {
  const result = await mesh([...args, '-v=6'], opts);
  const lines = result.stderr
    .split('\n')
    .map((l) => REQUEST_LINE.exec(l))
    .filter((m): m is RegExpExecArray => !!m)
    .map((m) => ({ method: m[1], url: m[2], status: m[3] ?? '' }));
  return { result, lines };
}

/** Number of API requests `kubectl mesh ARGS` makes. */
export async function requestCount(args: string[], opts: RunOptions = {}): Promise<number> {
  const { result, lines } = await requests(args, opts);
  if (result.code !== 0) throw new Error(`kubectl mesh ${args.join(' ')} failed (exit ${result.code}): ${result.stderr.trim()}`);
  return lines.length;
}

/** The resource path of a request URL without the server, query and namespace prefix, e.g. "destinationrules/reviews". */
export function resourceOf(url: string): string {
  const p = new URL(url).pathname;
  return p.replace(/^.*\/namespaces\/[^/]+\//, '').replace(/^\/apis?\/.*?\/(?=[a-z]+(\/|$))/, '');
}

/**
 * A namespace name of one's own: `<prefix>-<random>`. Test files run side by side (--jobs=2) and a
 * deleted namespace may linger, so every file works in namespaces it created under fresh names.
 */
export const scratchNamespace = (prefix: string): string => `${prefix}-${randomBytes(3).toString('hex')}`;

/** Stderr that is exactly one `error: …` line (notes and warnings from analysis are allowed before it). */
export function errorLines(stderr: string): string[] {
  return stderr.split('\n').filter((l) => l.startsWith('error:'));
}

export { getJson, kubectl, mesh };
