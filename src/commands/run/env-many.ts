// `env NAME` without SERVICE: the environment across every service of the namespace (or -A) that has a
// version for it; `--delete` and `env prune` remove it from every service it touches. All or nothing,
// through change-many; each service is planned by the single-service planner (src/routing/env.ts).
import type { Context } from '../../context.js';
import { ExitCode, UsageError, type ExitCodeValue } from '../../errors.js';
import { planEnv, planEnvDelete } from '../../routing/env.js';
import { readEnvMeta } from '../../routing/env-meta.js';
import { environmentsOf, knownMeta, routing, withVersion, type Scope } from '../../routing/environments.js';
import type { Target } from '../../routing/target.js';
import type { Source } from '../../source/source.js';
import type { HeaderCondition } from '../../routing/types.js';
import { envRoutes } from '../../routing/view.js';
import { runChangeMany } from '../support/change-many.js';
import type { ManyFlags } from '../support/env-options.js';
import type { WriteOptions } from '../support/options.js';
import { readTargets } from '../support/read.js';

export interface ManyRequest {
  env: string;
  /** Given (--header), else the environment's existing header. */
  headers: HeaderCondition[];
  version: string;
  scope: Omit<Scope, 'where'>;
  /** ISO expiry (--ttl). */
  expires?: string;
  stable?: string;
}

/** The request the flags describe, at `now` (headers may still be empty: the environment's own are used then). */
export function manyRequest(env: string, f: ManyFlags, now: Date): ManyRequest {
  return {
    env,
    headers: f.headers,
    version: f.version ?? env,
    scope: f.scope,
    ...(f.ttlMs !== undefined ? { expires: new Date(now.getTime() + f.ttlMs).toISOString() } : {}),
    stable: f.stable,
  };
}

/** The header an environment already uses (a re-run without --header keeps it). */
const existingHeaders = (targets: Target[], env: string): HeaderCondition[] | undefined =>
  targets.flatMap((t) => envRoutes(t.vs)).find((e) => e.name === env)?.headers;

/**
 * Without --stable, a service routed for the first time keeps its oldest other version as the baseline.
 * Two of them created in the same second (one manifest applied at once): which is older is unknown, and
 * a guess by name would send everyone else's requests to, say, a dev build. Refused, naming them.
 */
function baselineFor(t: Target, env: string, version: string, stable?: string): string | undefined {
  if (stable !== undefined || t.vs) return stable;
  const others = t.versions.filter((v) => v.value !== version);
  const oldest = others.filter((v) => v.created === others[0]?.created);
  if (oldest.length > 1) {
    throw new UsageError(
      `cannot tell which version of ${t.ref.namespace}/${t.ref.name} keeps the requests without the header of env ${env}: ${oldest.map((v) => v.value).join(', ')} were created at the same time`,
      'pass --stable VERSION',
    );
  }
  return others[0]?.subset;
}

export function runEnvMany(ctx: Context, req: ManyRequest, opts: WriteOptions, source?: Source): Promise<ExitCodeValue> {
  let headers = req.headers;
  return runChangeMany(
    ctx,
    {
      what: `env ${req.env}`,
      select(workloads, targets, where) {
        if (!headers.length) headers = existingHeaders(targets, req.env) ?? [];
        if (!headers.length) {
          throw new UsageError(`missing --header for the new environment "${req.env}"`, `pass e.g. --header x-env=${req.env}`);
        }
        const chosen = withVersion(workloads, { ...req.scope, where }, req.version, opts.versionLabel);
        warnUnreadable(
          ctx,
          targets.filter((t) => chosen.includes(t.workload)),
        );
        return chosen;
      },
      plan(t, who, targets) {
        const version = t.versions.find((v) => v.value === req.version)!;
        return planEnv(t, {
          env: req.env,
          headers,
          subset: version.subset,
          stable: baselineFor(t, req.env, req.version, req.stable),
          ...who,
          ...(req.expires ? { expires: req.expires } : {}),
          known: knownMeta(targets, req.env),
        });
      },
    },
    opts,
    source,
  );
}

/** A broken metadata annotation is skipped (and rewritten by the write), with one warning per object. */
function warnUnreadable(ctx: Context, targets: Target[]): void {
  for (const t of targets) {
    const { problem } = readEnvMeta(t.vs);
    if (problem) ctx.note(`warning: ${problem}`);
  }
}

/** Removes `envs` from every service in scope that routes them. */
export function runEnvDelete(
  ctx: Context,
  envs: string[],
  scope: Omit<Scope, 'where'>,
  opts: WriteOptions,
  source?: Source,
): Promise<ExitCodeValue> {
  return runChangeMany(
    ctx,
    {
      what: `env ${envs.join(', ')} --delete`,
      select(_w, targets, where) {
        const chosen = routing(targets, { ...scope, where }, envs);
        warnUnreadable(ctx, chosen);
        return chosen.map((t) => t.workload);
      },
      plan: (t, who) =>
        planEnvDelete(
          t,
          envs.filter((e) => envRoutes(t.vs).some((r) => r.name === e)),
          who,
        ),
    },
    opts,
    source,
  );
}

/** `env prune`: deletes the environments whose --ttl has passed; writes nothing when none has. */
export async function runEnvPrune(ctx: Context, opts: WriteOptions): Promise<ExitCodeValue> {
  const { targets, scope } = await readTargets(ctx, undefined, opts);
  const where = scope.namespace === undefined ? 'any namespace' : `namespace ${scope.namespace}`;
  const { environments, warnings } = environmentsOf(targets, ctx.now());
  for (const w of warnings) ctx.note(`warning: ${w}`);
  const expired = environments.filter((e) => e.expired).map((e) => e.name);
  if (!expired.length) {
    ctx.streams.stdout.write(`no expired environments in ${where}; nothing to do\n`);
    return ExitCode.ok;
  }
  ctx.note(`expired: ${expired.join(', ')}`);
  return runEnvDelete(ctx, expired, {}, opts);
}
