// An environment across services: which services take part (a Deployment with the environment's
// version, or an existing route of it) and the view `env list` prints. Pure: plain objects in and out.
import { isPodReady } from '../model/readiness.js';
import { NotFoundError } from '../errors.js';
import { findVersions } from './discover.js';
import { readEnvMeta, type EnvMeta } from './env-meta.js';
import { selectorMatches, type Requirement } from './selector.js';
import { podsOf, subsetLabels } from './status.js';
import type { Target } from './target.js';
import type { Workload } from './types.js';
import { describeHeaders, envRoutes } from './view.js';
import { compareText } from '../model/order.js';

export interface Scope {
  /** --services: exactly these (each must exist). */
  services?: string[];
  /** --selector on the Services' labels. */
  selector?: Requirement[];
  /** Where: "namespace shop" or "any namespace", for messages. */
  where: string;
}

const nameOf = (w: Workload): string => w.service.metadata.name;
const qualified = (w: Workload): string => `${w.service.metadata.namespace ?? 'default'}/${nameOf(w)}`;
const byName = (a: Workload, b: Workload): number => compareText(qualified(a), qualified(b));

/** The workloads `scope` allows; a --services name that matches none is an error. */
export function inScope(workloads: Workload[], scope: Scope): Workload[] {
  const missing = (scope.services ?? []).filter((s) => !workloads.some((w) => nameOf(w) === s));
  if (missing.length) {
    const known = [...new Set(workloads.map(nameOf))].sort();
    throw new NotFoundError(
      `service${missing.length > 1 ? 's' : ''} ${missing.join(', ')} not found in ${scope.where}`,
      known.length ? `services there: ${known.slice(0, 8).join(', ')}${known.length > 8 ? ', …' : ''}` : 'check -n/--namespace',
    );
  }
  return workloads
    .filter((w) => !scope.services || scope.services.includes(nameOf(w)))
    .filter((w) => !scope.selector || selectorMatches(scope.selector, w.service.metadata.labels))
    .sort(byName);
}

const versionValues = (w: Workload, versionLabel: string): string[] =>
  findVersions(w.service, w.deployments, versionLabel).map((v) => v.value);

/**
 * Services in scope with a Deployment labelled `versionLabel=version`. None at all: an error that lists
 * the versions that do exist; a service named with --services that lacks it: an error too.
 */
export function withVersion(workloads: Workload[], scope: Scope, version: string, versionLabel: string): Workload[] {
  const scoped = inScope(workloads, scope);
  const lacking = scoped.filter((w) => !versionValues(w, versionLabel).includes(version));
  if (scope.services && lacking.length) {
    throw new NotFoundError(
      lacking
        .map(
          (w) =>
            `${qualified(w)} has no Deployment with ${versionLabel}=${version} (versions: ${versionValues(w, versionLabel).join(', ') || 'none'})`,
        )
        .join('; '),
      `deploy it with the pod label ${versionLabel}: ${version}, or leave it out of --services`,
    );
  }
  const found = scoped.filter((w) => !lacking.includes(w));
  if (!found.length) {
    const seen = [...new Set(scoped.flatMap((w) => versionValues(w, versionLabel)))].sort();
    throw new NotFoundError(
      `no service in ${scope.where} has a Deployment with ${versionLabel}=${version}`,
      seen.length
        ? `versions there: ${seen.join(', ')} (pass --version to use another)`
        : `label a Deployment's pod template ${versionLabel}: ${version} first`,
    );
  }
  return found;
}

/** Targets in scope that route `env` (for --delete). None: an error naming the environments that exist. */
export function routing(targets: Target[], scope: Scope, envs: string[]): Target[] {
  const scoped = new Set(
    inScope(
      targets.map((t) => t.workload),
      scope,
    ),
  );
  const inside = targets.filter((t) => scoped.has(t.workload));
  const found = inside.filter((t) => envRoutes(t.vs).some((e) => envs.includes(e.name)));
  if (!found.length) {
    const existing = [...new Set(inside.flatMap((t) => envRoutes(t.vs).map((e) => e.name)))].sort();
    throw new NotFoundError(
      `environment "${envs.join(', ')}" has no route in ${scope.where}`,
      existing.length ? `existing environments: ${existing.join(', ')}` : 'there are no environments; nothing to delete',
    );
  }
  return found;
}

export interface EnvService {
  namespace: string;
  service: string;
  headers: string;
  subset: string;
  /** Ready and all pods of the subset; absent when pods are unknown (offline, -f: files hold no pods). */
  ready?: number;
  pods?: number;
}

export interface Environment {
  name: string;
  /** Distinct header conditions across its services (one, unless edited by hand). */
  headers: string[];
  createdBy?: string;
  createdAt?: string;
  expires?: string;
  expired: boolean;
  services: EnvService[];
  /** Services of the same namespaces that have versions or routing but no route of this environment: their requests go to the baseline. */
  baseline: string[];
}

/**
 * Every environment the targets route, with its services, metadata and the services that fall back
 * to the baseline. Unreadable metadata annotations come back as warnings (one per object).
 */
export function environmentsOf(
  targets: Target[],
  now: Date,
  { podsKnown = true }: { podsKnown?: boolean } = {},
): { environments: Environment[]; warnings: string[] } {
  const warnings: string[] = [];
  const byEnv = new Map<string, { services: EnvService[]; meta: EnvMeta[] }>();
  for (const t of targets) {
    const { meta, problem } = readEnvMeta(t.vs);
    if (problem) warnings.push(problem);
    for (const e of envRoutes(t.vs)) {
      const entry = byEnv.get(e.name) ?? { services: [], meta: [] };
      byEnv.set(e.name, entry);
      const labels = subsetLabels(t, e.subset);
      const pods = labels ? podsOf(t, labels) : [];
      entry.services.push({
        namespace: t.ref.namespace,
        service: t.ref.name,
        headers: describeHeaders(e.headers),
        subset: e.subset,
        ...(podsKnown ? { ready: pods.filter(isPodReady).length, pods: pods.length } : {}),
      });
      if (meta[e.name]) entry.meta.push(meta[e.name]);
    }
  }
  const environments = [...byEnv.entries()]
    .sort(([a], [b]) => compareText(a, b))
    .map(([name, { services, meta }]): Environment => {
      const first = [...meta].sort((a, b) => compareText(a.createdAt, b.createdAt))[0];
      // The latest expiry wins: a service renewed later keeps the environment alive.
      const expiries = meta
        .map((m) => m.expires)
        .filter((x): x is string => !!x)
        .sort();
      const expires = expiries.length === meta.length && expiries.length ? expiries.at(-1) : undefined;
      const namespaces = new Set(services.map((s) => s.namespace));
      const members = new Set(services.map((s) => `${s.namespace}/${s.service}`));
      return {
        name,
        headers: [...new Set(services.map((s) => s.headers))],
        ...(first ? { createdBy: first.createdBy, createdAt: first.createdAt } : {}),
        ...(expires ? { expires } : {}),
        expired: !!expires && Date.parse(expires) <= now.getTime(),
        services,
        baseline: targets
          .filter((t) => namespaces.has(t.ref.namespace) && !members.has(`${t.ref.namespace}/${t.ref.name}`))
          .map((t) => `${t.ref.namespace}/${t.ref.name}`)
          .sort(),
      };
    });
  return { environments, warnings };
}

/** The environment's metadata as recorded so far (creator, first time, expiry), for a run that adds services. */
export function knownMeta(targets: Target[], env: string): EnvMeta | undefined {
  const e = environmentsOf(targets, new Date(0)).environments.find((x) => x.name === env);
  return e?.createdBy && e.createdAt
    ? { createdBy: e.createdBy, createdAt: e.createdAt, ...(e.expires ? { expires: e.expires } : {}) }
    : undefined;
}
