// `env NAME` without SERVICE: the environment across every service of the namespace (or -A) that has a
// version for it; `--delete` and `env prune` remove it from every service it touches. All or nothing,
// through change-many; each service is planned by the single-service planner (src/routing/env.ts).
import { list, parseDuration, str } from '../cli/global-flags.js';
import type { FlagValues } from '../cli/flags.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { planEnv, planEnvDelete } from '../routing/env.js';
import { readEnvMeta } from '../routing/env-meta.js';
import { environmentsOf, knownMeta, routing, withVersion, type Scope } from '../routing/environments.js';
import { parseHeader } from '../routing/headers.js';
import { parseSelector } from '../routing/selector.js';
import type { Target } from '../routing/target.js';
import type { Source } from '../source/source.js';
import type { HeaderCondition } from '../routing/types.js';
import { envRoutes } from '../routing/view.js';
import { runChangeMany } from './support/change-many.js';
import { scopeOptions, writeOptions, type WriteOptions } from './support/options.js';
import { readTargets } from './support/read.js';

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

const DAY = 86_400_000;

/** --ttl: kubectl-style durations plus days (8h, 24h, 7d). */
export function parseTtl(text: string): number {
  const days = /^(\d+(?:\.\d+)?)d$/.exec(text.trim());
  let ms: number;
  try {
    ms = days ? Math.round(Number(days[1]) * DAY) : parseDuration(text, 'ttl');
  } catch {
    throw new UsageError(`--ttl "${text}" is not a duration`, 'use a number with a unit, e.g. 30m, 8h, 24h, 7d');
  }
  if (ms <= 0) throw new UsageError(`--ttl "${text}" must be longer than 0`, 'e.g. --ttl 24h');
  return ms;
}

/** The request the flags describe (headers may still be empty: the environment's own are used then). */
export function manyRequest(ctx: Context, env: string, flags: FlagValues): ManyRequest {
  const type = (str(flags, 'match') ?? 'exact') as HeaderCondition['type'];
  if (str(flags, 'subset'))
    throw new UsageError(
      "--subset names one service's subset",
      'without SERVICE, pass --version VALUE (the version label value every service uses)',
    );
  if (str(flags, 'gateway') || str(flags, 'host'))
    throw new UsageError("--gateway binds one service's VirtualService", 'pass SERVICE with --gateway');
  const ttl = str(flags, 'ttl');
  const services = list(flags, 'services')
    .flatMap((s) => s.split(','))
    .map((s) => s.trim())
    .filter(Boolean);
  const selector = str(flags, 'selector');
  return {
    env,
    headers: list(flags, 'header').map((h) => parseHeader(h, type)),
    version: str(flags, 'version') ?? env,
    scope: { ...(services.length ? { services } : {}), ...(selector !== undefined ? { selector: parseSelector(selector) } : {}) },
    ...(ttl !== undefined ? { expires: new Date(ctx.now().getTime() + parseTtl(ttl)).toISOString() } : {}),
    stable: str(flags, 'stable'),
  };
}

/** The header an environment already uses (a re-run without --header keeps it). */
const existingHeaders = (targets: Target[], env: string): HeaderCondition[] | undefined =>
  targets.flatMap((t) => envRoutes(t.vs)).find((e) => e.name === env)?.headers;

/** Without --stable, a service routed for the first time keeps its oldest other version as the baseline. */
const baselineFor = (t: Target, version: string, stable?: string): string | undefined =>
  stable ?? (t.vs ? undefined : t.versions.find((v) => v.value !== version)?.subset);

export function runEnvMany(ctx: Context, req: ManyRequest, opts: WriteOptions = writeOptions(ctx.flags), source?: Source): Promise<number> {
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
          stable: baselineFor(t, req.version, req.stable),
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
  opts: WriteOptions = writeOptions(ctx.flags),
  source?: Source,
): Promise<number> {
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
export async function runEnvPrune(ctx: Context): Promise<number> {
  const { targets, scope } = await readTargets(ctx, undefined, scopeOptions(ctx.flags));
  const where = scope.namespace === undefined ? 'any namespace' : `namespace ${scope.namespace}`;
  const { environments, warnings } = environmentsOf(targets, ctx.now());
  for (const w of warnings) ctx.note(`warning: ${w}`);
  const expired = environments.filter((e) => e.expired).map((e) => e.name);
  if (!expired.length) {
    ctx.streams.stdout.write(`no expired environments in ${where}; nothing to do\n`);
    return 0;
  }
  ctx.note(`expired: ${expired.join(', ')}`);
  return runEnvDelete(ctx, expired, {});
}
