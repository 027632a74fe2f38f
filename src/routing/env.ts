// env NAME / green: an owned header route per named environment, above the catch-all,
// sends requests carrying the header to one subset; everything else keeps the catch-all.
import { ConflictError, NotFoundError, UsageError } from '../errors.js';
import { planWithEnvMeta, readEnvMeta, type EnvMeta } from './env-meta.js';
import { finish } from './finish.js';
import { headerMatch } from './headers.js';
import { latestRevision } from './history.js';
import { envRouteName } from '../model/names.js';
import type { Plan } from './plan.js';
import { setPrimary } from './primary.js';
import { httpRoutes, removeRoute, upsertRoute } from './routes.js';
import { chooseRoles, resolveSubset, withSubsets, type Gateway, type Target } from './target.js';
import type { HeaderCondition, Roles } from './types.js';
import { describeHeaders, envRoutes } from './view.js';

export interface EnvRequest {
  env: string;
  headers: HeaderCondition[];
  subset?: string;
  /** Only needed when the VirtualService is created and discovery cannot tell stable apart. */
  stable?: string;
  gateway?: Gateway;
  user: string;
  at: string;
  /** ISO expiry from --ttl; without it a recorded expiry stays. */
  expires?: string;
  /** What other services already record about the environment (namespace-wide runs share one creator and expiry). */
  known?: EnvMeta;
}

const conditionKey = (h: HeaderCondition[]): string =>
  h
    .map((c) => `${c.name}\u0000${c.type}\u0000${c.value}`)
    .sort()
    .join('\u0001');

/** Two environments with the same header on one service: the first route would take both. */
function checkHeaderFree(t: Target, req: EnvRequest): void {
  const taken = envRoutes(t.vs).find((e) => e.name !== req.env && conditionKey(e.headers) === conditionKey(req.headers));
  if (taken) {
    throw new ConflictError(
      `header ${describeHeaders(req.headers)} is already used by environment "${taken.name}" on ${t.ref.namespace}/${t.ref.name}`,
      `pick another header for ${req.env}, or delete ${taken.name} first (kubectl mesh env ${taken.name} --delete)`,
    );
  }
}

/** Creator and time stay as first recorded; --ttl renews the expiry. */
function nextMeta(t: Target, req: EnvRequest): EnvMeta {
  // An entry left behind by a promote or rollback that removed the route says nothing about a new environment.
  const here = envRoutes(t.vs).some((e) => e.name === req.env) ? readEnvMeta(t.vs).meta[req.env] : undefined;
  const first = req.known ?? here;
  const expires = req.expires ?? req.known?.expires ?? here?.expires;
  return { createdBy: first?.createdBy ?? req.user, createdAt: first?.createdAt ?? req.at, ...(expires ? { expires } : {}) };
}

export function planEnv(t: Target, req: EnvRequest): Plan {
  if (!req.headers.length)
    throw new UsageError(`environment "${req.env}" needs at least one --header`, `pass e.g. --header x-env=${req.env}`);
  const dup = req.headers.find((h, i) => req.headers.findIndex((o) => o.name === h.name) !== i);
  // One match clause holds one condition per header; a second would silently replace the first.
  if (dup)
    throw new UsageError(
      `header ${dup.name} is given twice for environment "${req.env}"`,
      'pass each header once (use --match regex for alternatives)',
    );
  checkHeaderFree(t, req);
  const recorded: Roles = latestRevision(t.vs)?.roles ?? {};
  const needRoles = !req.subset || !t.vs;
  const roles: Roles = needRoles
    ? chooseRoles(t, { stable: req.stable, canary: req.subset }, { stable: '--stable', canary: '--subset' })
    : recorded;
  const subset = req.subset ? resolveSubset(t, req.subset, '--subset') : roles.canary!;
  const vsName = `${t.ref.namespace}/${t.vs?.metadata.name ?? t.ref.name}`;
  // A new VirtualService needs a catch-all too, or requests without the header would get 404.
  const { routes: withPrimary, baseline } = t.vs
    ? { routes: httpRoutes(t.vs), baseline: undefined }
    : setPrimary(t, [{ subset: roles.stable!, weight: 100 }]);
  const routes = upsertRoute(
    withPrimary,
    envRouteName(req.env),
    (existing) => ({
      ...(existing ?? { name: envRouteName(req.env) }),
      match: [headerMatch(req.headers)],
      route: [{ destination: { ...existing?.route?.[0]?.destination, host: t.ref.host, subset } }],
    }),
    vsName,
  );
  const previous = envRoutes(t.vs).find((e) => e.name === req.env)?.subset;
  const what = `${describeHeaders(req.headers)} → ${subset}`;
  const plan = finish(t, {
    summary: `${t.ref.name}: env ${req.env}: ${what}`,
    routes,
    dr: withSubsets(t, t.vs ? [subset] : [roles.stable!, subset]),
    baseline,
    // HPAs scaled to the split stay scaled: the split does not change here.
    entry: { at: req.at, user: req.user, change: `env ${req.env}: ${what}`, roles, scaled: latestRevision(t.vs)?.scaled },
    receiving: previous === subset ? [] : [subset],
    gateway: req.gateway,
  });
  return planWithEnvMeta(plan, t.vs, [[req.env, nextMeta(t, req)]]);
}

/** Removes the routes of `envs` (one or several: `env prune`) and their metadata. */
export function planEnvDelete(t: Target, envs: string | string[], who: { user: string; at: string }): Plan {
  const names = typeof envs === 'string' ? [envs] : envs;
  const present = envRoutes(t.vs);
  const missing = names.find((env) => !present.some((e) => e.name === env));
  if (missing) {
    throw new NotFoundError(
      `environment "${missing}" has no route on ${t.ref.namespace}/${t.ref.name}`,
      present.length ? `existing environments: ${present.map((e) => e.name).join(', ')}` : 'there are no environments; nothing to delete',
    );
  }
  const what = `env ${names.join(', ')} removed`;
  const plan = finish(t, {
    summary: `${t.ref.name}: ${what}`,
    routes: names.reduce((routes, env) => removeRoute(routes, envRouteName(env)), httpRoutes(t.vs)),
    dr: t.dr,
    entry: { at: who.at, user: who.user, change: what, roles: latestRevision(t.vs)?.roles ?? {}, scaled: latestRevision(t.vs)?.scaled },
    receiving: [],
  });
  return planWithEnvMeta(
    plan,
    t.vs,
    names.map((env) => [env, undefined]),
  );
}
