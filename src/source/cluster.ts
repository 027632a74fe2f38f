// The live cluster as a Source: a fixed number of list calls per command, writes in plan
// order with optimistic concurrency (the resourceVersion we read travels with each write).
import { ConflictError, ForbiddenError, MeshError, NotFoundError } from '../errors.js';
import type { KubeClient } from '../kube/index.js';
import type { Write } from '../routing/plan.js';
import type { DestinationRule, Deployment, HorizontalPodAutoscaler, Obj, Pod, Service, VirtualService } from '../routing/types.js';
import type { Inventory } from '../routing/workloads.js';
import type { AnalysisObjects, Source } from './source.js';

const selectorOf = (svc: Obj | undefined): string | undefined => {
  const sel = svc?.spec?.selector as Record<string, string> | undefined;
  return sel && Object.keys(sel).length
    ? Object.entries(sel)
        .map(([k, v]) => `${k}=${v}`)
        .join(',')
    : undefined;
};

export function clusterSource(kube: KubeClient): Source {
  return {
    live: true,
    defaultNamespace: kube.namespace,
    user: kube.userName,
    async inventory(namespace, service) {
      const [services, virtualServices, destinationRules, deployments, hpas] = await Promise.all([
        kube.list<Service>('Service', namespace),
        kube.list<VirtualService>('VirtualService', namespace),
        kube.list<DestinationRule>('DestinationRule', namespace),
        kube.list<Deployment>('Deployment', namespace),
        kube.list<HorizontalPodAutoscaler>('HorizontalPodAutoscaler', namespace),
      ]);
      if (namespace && !services.length && !deployments.length && !(await kube.namespaceExists(namespace))) {
        throw new NotFoundError(`namespace "${namespace}" not found`, 'check -n/--namespace, or the --context');
      }
      const svc = service === undefined ? undefined : services.find((s) => s.metadata.name === service);
      // One service: only its pods. No selector means nothing to select (a found-later error explains).
      const labelSelector = service === undefined ? undefined : selectorOf(svc);
      const pods = service !== undefined && !labelSelector ? [] : await kube.list<Pod>('Pod', namespace, { labelSelector });
      return { services, virtualServices, destinationRules, deployments, hpas, pods } satisfies Inventory;
    },
    analysisObjects: (namespace) => analysisObjects(kube, namespace),
    httpRoutes: (namespace) => httpRoutes(kube, namespace),
    async apply(plan, dryRun) {
      const done: string[] = [];
      const written: Obj[] = [];
      for (const w of plan.writes) {
        try {
          written.push(...(await write(kube, w, dryRun === 'server')));
          done.push(`${w.action === 'delete' ? 'deleted' : 'wrote'} ${w.kind} ${name(w)}`);
        } catch (err) {
          // A lost race (409: changed or created meanwhile) goes back as it is: the caller re-reads, and
          // the new read holds our earlier writes, so the re-plan only finishes the job.
          if (!done.length || !(err instanceof MeshError) || err instanceof ConflictError) throw err;
          // Earlier writes stand (they were safe on their own: make-before-break); say how to finish.
          throw new MeshError(
            `${done.join(', ')}, then writing ${w.kind} ${name(w)} failed: ${err.message}`,
            err.exitCode,
            'traffic is safe as it is; fix the cause and run the same command again to finish',
            { cause: err },
          );
        }
      }
      return written;
    },
  };
}

const name = (w: Write): string => {
  const m = (w.after ?? w.before)!.metadata;
  return `${m.namespace}/${m.name}`;
};

async function write(kube: KubeClient, w: Write, dryRun: boolean): Promise<Obj[]> {
  if (w.action === 'delete') {
    const m = w.before!.metadata;
    await kube.remove(w.kind, m.namespace!, m.name, { dryRun, resourceVersion: m.resourceVersion });
    return [];
  }
  const obj = stripServerFields(w.after!);
  return [w.action === 'create' ? await kube.create(w.kind, obj, { dryRun }) : await kube.replace(w.kind, obj, { dryRun })];
}

/** managedFields are the server's bookkeeping; sending them back is noise. */
function stripServerFields(o: Obj): Obj {
  const { managedFields: _m, ...metadata } = o.metadata;
  const { status: _s, ...rest } = o;
  return { ...rest, metadata };
}

/** A list that RBAC may forbid (undefined, with a notice) or whose CRD may be absent ([]). */
async function optionalList(
  kube: KubeClient,
  kind: 'ServiceEntry' | 'Gateway' | 'HTTPRoute',
  namespace: string | undefined,
  notices: string[],
): Promise<Obj[] | undefined> {
  try {
    return await kube.list(kind, namespace);
  } catch (err) {
    if (err instanceof NotFoundError) return [];
    if (!(err instanceof ForbiddenError)) throw err;
    notices.push(`cannot list ${kind}s${namespace ? ` in namespace ${namespace}` : ' in all namespaces'} (forbidden)`);
    return undefined;
  }
}

/**
 * HTTPRoutes of every namespace (a GAMMA route elsewhere can name our Service): cluster-wide if RBAC
 * allows, else the namespace's, else none, with a notice. No Gateway API CRDs means no HTTPRoutes.
 */
async function httpRoutes(kube: KubeClient, namespace: string | undefined): Promise<{ routes: Obj[]; notice?: string }> {
  const everywhere = await optionalList(kube, 'HTTPRoute', undefined, []);
  if (everywhere) return { routes: everywhere };
  const local = namespace === undefined ? undefined : await optionalList(kube, 'HTTPRoute', namespace, []);
  return local
    ? {
        routes: local,
        notice: `cannot list HTTPRoutes in all namespaces; Gateway API routes were checked in namespace ${namespace} only (MESH0006)`,
      }
    : { routes: [], notice: 'cannot list HTTPRoutes (forbidden); Gateway API routes were not checked (MESH0006)' };
}

/** ServiceEntries and Gateways of the namespace, HTTPRoutes of every namespace. */
async function analysisObjects(kube: KubeClient, namespace: string | undefined): Promise<AnalysisObjects> {
  const notices: string[] = [];
  const [serviceEntries, gateways, gamma] = await Promise.all([
    optionalList(kube, 'ServiceEntry', namespace, notices),
    optionalList(kube, 'Gateway', namespace, notices),
    httpRoutes(kube, namespace),
  ]);
  if (gamma.notice) notices.push(gamma.notice);
  return { serviceEntries, gateways, httpRoutes: gamma.routes, notices };
}
