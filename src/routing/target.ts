// Everything the verbs share: which routing objects belong to the service, its versions,
// which subsets play stable and canary, and assembling the new objects with a history entry.
import { NotFoundError, UsageError } from '../errors.js';
import { findDestinationRule, findVersions, findVirtualService, requireVersions } from './discover.js';
import { appendRevisions, latestRevision, ownedRoutes, readHistory, withHistory, type Binding, type Revision } from './history.js';
import { sameValue } from '../model/equal.js';
import { MANAGED_BY_LABEL, MANAGED_BY_VALUE, isOwnedRoute } from '../model/names.js';
import { serviceFqdnOf } from './hosts.js';
import { httpRoutes, referencedSubsets, type ServiceRef } from './routes.js';
import type { DestinationRule, HttpRoute, Obj, Roles, Subset, Version, VirtualService, VirtualServiceSpec, Workload } from './types.js';
import { currentSplit } from './view.js';

export interface Target {
  workload: Workload;
  ref: ServiceRef;
  vs?: VirtualService;
  dr?: DestinationRule;
  versions: Version[];
  history: Revision[];
  versionLabel: string;
  /** A revision the next write must keep in the history, with all after it (an in-progress rollout's baseline). */
  keepHistoryFrom?: number;
}

export function resolveTarget(workload: Workload, versionLabel: string): Target {
  const svc = workload.service;
  const dr = findDestinationRule(svc, workload.destinationRules);
  const vs = findVirtualService(svc, workload.virtualServices);
  return {
    workload,
    ref: { name: svc.metadata.name, namespace: svc.metadata.namespace ?? 'default', host: serviceFqdnOf(svc) },
    vs,
    dr,
    versions: findVersions(svc, workload.deployments, versionLabel, dr),
    history: readHistory(vs),
    versionLabel,
  };
}

const drSubsets = (t: Target): Subset[] => t.dr?.spec?.subsets ?? [];

/** All subset names a user may name: the DestinationRule's and one per discovered version. */
export const knownSubsets = (t: Target): string[] => [...new Set([...drSubsets(t).map((s) => s.name), ...t.versions.map((v) => v.subset)])];

/** Accepts a subset name or a version value; unknown names fail like Istio's IST0101 would. */
export function resolveSubset(t: Target, name: string, flag: string): string {
  if (knownSubsets(t).includes(name)) return name;
  const byValue = t.versions.find((v) => v.value === name);
  if (byValue) return byValue.subset;
  const known = knownSubsets(t);
  throw new NotFoundError(
    `subset "${name}" does not exist for ${t.ref.namespace}/${t.ref.name} (IST0101 ReferencedResourceNotFound): no DestinationRule subset or Deployment with ${t.versionLabel}=${name}`,
    known.length ? `pass one of ${known.join(', ')} to ${flag}` : `deploy a Deployment labelled ${t.versionLabel}=${name} first`,
  );
}

/** The flags that name the roles, for messages: `env` names its candidate with --subset. */
export interface RoleFlags {
  stable: string;
  canary: string;
}

/** Which subset is stable and which the candidate: flags, then the last recorded roles, then discovery. */
export function chooseRoles(t: Target, explicit: Roles, flags: RoleFlags = { stable: '--stable', canary: '--canary' }): Required<Roles> {
  const stable = explicit.stable && resolveSubset(t, explicit.stable, flags.stable);
  const canary = explicit.canary && resolveSubset(t, explicit.canary, flags.canary);
  if (stable && canary) return checkDistinct({ stable, canary }, flags);
  const recorded = latestRevision(t.vs)?.roles;
  const known = knownSubsets(t);
  if (recorded?.stable && recorded.canary && known.includes(recorded.stable) && known.includes(recorded.canary)) {
    if (!stable && !canary) return { stable: recorded.stable, canary: recorded.canary };
  }
  const pool = t.versions.map((v) => v.subset);
  if (!stable && !canary) {
    requireVersions(t.workload.service, t.versions, t.versionLabel);
    if (pool.length > 2) {
      throw new UsageError(
        `service ${t.ref.namespace}/${t.ref.name} has ${pool.length} versions (${pool.join(', ')}), so which is stable and which is the canary is ambiguous`,
        `pass ${flags.stable} and ${flags.canary}`,
      );
    }
    const split = currentSplit(t.vs, t.ref);
    const weightOf = (s: string) => split.find((w) => w.subset === s)?.weight ?? 0;
    // The version taking most traffic is stable; with no routing yet, the older Deployment.
    const [older, newer] = pool as [string, string];
    return weightOf(newer) > weightOf(older) ? { stable: newer, canary: older } : { stable: older, canary: newer };
  }
  // A new candidate is released against the recorded stable (after a promote there is no recorded canary).
  if (canary && recorded?.stable && recorded.stable !== canary && known.includes(recorded.stable))
    return { stable: recorded.stable, canary };
  const given = (stable ?? canary)!;
  const others = (recorded?.stable && recorded.canary ? [recorded.stable, recorded.canary] : pool).filter((s) => s !== given);
  if (others.length !== 1) {
    throw new UsageError(
      `cannot tell which subset pairs with ${given}`,
      `pass both ${flags.stable} and ${flags.canary} (known: ${known.join(', ')})`,
    );
  }
  return checkDistinct(stable ? { stable, canary: others[0] } : { stable: others[0], canary: canary! }, flags);
}

const checkDistinct = (r: Required<Roles>, flags: RoleFlags): Required<Roles> => {
  if (r.stable === r.canary)
    throw new UsageError(`${flags.stable} and ${flags.canary} both name ${r.stable}`, 'name two different subsets');
  return r;
};

/** `name`, or `name-mesh`, `name-mesh-2`, … when an object of the namespace (routing something else) already has it. */
const freeName = (existing: Obj[], name: string): string => {
  const taken = new Set(existing.map((o) => o.metadata.name));
  let free = name;
  for (let n = 1; taken.has(free); n++) free = n === 1 ? `${name}-mesh` : `${name}-mesh-${n}`;
  return free;
};

/** The DestinationRule with every subset in `needed` present (created when missing). Never removes. */
export function withSubsets(t: Target, needed: string[], known: Subset[] = []): DestinationRule | undefined {
  const existing = drSubsets(t);
  const added: Subset[] = needed
    .filter((n) => !existing.some((s) => s.name === n))
    .map((name) => known.find((s) => s.name === name) ?? { name, labels: t.versions.find((v) => v.subset === name)?.labels })
    .filter((s): s is Subset => !!s.labels);
  if (!added.length) return t.dr;
  if (t.dr) return { ...t.dr, spec: { ...t.dr.spec, subsets: [...existing, ...added] } };
  return {
    apiVersion: 'networking.istio.io/v1',
    kind: 'DestinationRule',
    metadata: {
      name: freeName(t.workload.destinationRules, t.ref.name),
      namespace: t.ref.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
    },
    spec: { host: t.ref.host, subsets: added },
  };
}

/** Subsets of the service that `routes` or the VirtualService's tcp and tls routes send traffic to. */
export const usedSubsets = (t: Target, routes: HttpRoute[]): Set<string> =>
  referencedSubsets([...routes, ...(t.vs?.spec?.tcp ?? []), ...(t.vs?.spec?.tls ?? [])], t.ref, t.vs?.metadata.namespace);

/** The DestinationRule without the `drop` subsets (no `subsets` key left when none remain). */
export function dropSubsets(dr: DestinationRule, drop: Set<string>): DestinationRule {
  const { subsets: _old, ...spec } = dr.spec ?? {};
  const subsets = (dr.spec?.subsets ?? []).filter((s) => !drop.has(s.name));
  return { ...dr, spec: subsets.length ? { ...dr.spec, subsets } : spec };
}

/** The DestinationRule without `subset`, unless any route (http, tcp or tls) still sends traffic to it. */
export function withoutSubset(
  dr: DestinationRule | undefined,
  subset: string,
  routes: HttpRoute[],
  t: Target,
): DestinationRule | undefined {
  if (!dr || usedSubsets(t, routes).has(subset)) return dr;
  return { ...dr, spec: { ...dr.spec, subsets: drSubsets({ ...t, dr }).filter((s) => s.name !== subset) } };
}

export interface Gateway {
  gateway: string;
  host: string;
}

/** The VirtualService with new routes and a history entry (a baseline entry first, on our first write). */
export function nextVirtualService(
  t: Target,
  routes: HttpRoute[],
  entry: Omit<Revision, 'revision' | 'routes' | 'subsets'>,
  dr: DestinationRule | undefined,
  baselineRoutes: HttpRoute[] = ownedRoutes(t.vs),
  gateway?: Gateway,
  /** Hosts and gateways to restore (a rollback past a gateway binding). */
  binding?: Binding,
): VirtualService {
  const base: VirtualService = t.vs ?? {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: {
      name: freeName(t.workload.virtualServices, t.ref.name),
      namespace: t.ref.namespace,
      labels: { [MANAGED_BY_LABEL]: MANAGED_BY_VALUE },
    },
    spec: { hosts: [t.ref.host], http: [] },
  };
  const spec: VirtualServiceSpec = { ...base.spec, http: routes };
  if (binding) {
    spec.hosts = binding.hosts;
    if (binding.gateways) spec.gateways = binding.gateways;
    else delete spec.gateways;
  }
  if (gateway) {
    spec.hosts = [...new Set([...(spec.hosts ?? []), gateway.host])];
    // Binding a gateway drops the implicit "mesh"; keep it so in-mesh callers still get our routes.
    spec.gateways = [...new Set([...(spec.gateways ?? ['mesh']), gateway.gateway, 'mesh'])];
  }
  const owned = routes.filter(isOwnedRoute);
  // Subsets routes use, with their definitions: a rollback restores them before it writes the routes
  // that need them, even after a --prune removed them.
  const after = dr?.spec?.subsets ?? [];
  const before = drSubsets(t);
  const subsetsOf = (rs: HttpRoute[]) => {
    const used = referencedSubsets(rs, t.ref, base.metadata.namespace);
    return [...after, ...before.filter((b) => !after.some((a) => a.name === b.name))].filter((s) => used.has(s.name));
  };
  const subsets = subsetsOf(owned);
  const adopted = baselineRoutes.find((r) => !isOwnedRoute(r));
  const added = after.map((s) => s.name).filter((s) => !before.some((b) => b.name === s));
  const latest = {
    ...entry,
    ...(adopted ? { adopted: { route: adopted, subsets: subsetsOf([adopted]) } } : {}),
    ...(added.length ? { addedSubsets: added } : {}),
    ...(dr && !t.dr ? { createdDestinationRule: true } : {}),
    ...(gateway && !sameValue(bindingOf(base), bindingOf({ ...base, spec })) ? { unbound: bindingOf(base) } : {}),
    routes: owned,
    subsets,
  };
  const history = t.history.length
    ? appendRevisions(t.history, [latest], t.keepHistoryFrom)
    : appendRevisions(
        [],
        [
          {
            at: entry.at,
            user: entry.user,
            change: 'before kubectl-mesh',
            routes: baselineRoutes,
            roles: {},
            subsets: drSubsets(t).filter((s) => referencedSubsets(baselineRoutes, t.ref, base.metadata.namespace).has(s.name)),
            absent: { virtualService: !t.vs, destinationRule: !t.dr },
            ...(t.vs ? { binding: bindingOf(t.vs) } : {}),
          },
          latest,
        ],
      );
  return withHistory({ ...base, spec }, history);
}

export const bindingOf = (vs: VirtualService): Binding => ({
  hosts: vs.spec?.hosts ?? [],
  ...(vs.spec?.gateways ? { gateways: vs.spec.gateways } : {}),
});

export const currentRoutes = (t: Target): HttpRoute[] => httpRoutes(t.vs);
