import type { FlagValues } from '../cli/flags.js';
import { allNamespacesFlag, bool, list, str, writeFlagsExcept } from '../cli/global-flags.js';
import { UsageError } from '../errors.js';
import { planEnv, planEnvDelete } from '../routing/env.js';
import { MATCH_TYPES, parseEnvName, parseHeader } from '../routing/headers.js';
import type { HeaderCondition } from '../routing/types.js';
import type { Context } from '../context.js';
import type { Command } from './command.js';
import { askEnv, askEnvironment, type EnvAnswers } from '../ui/flows/env.js';
import { inNamespace, namespaceOrAsk, serviceOrPick } from './support/pick.js';
import { spin } from '../ui/spinner.js';
import { runEnvList } from './env-list.js';
import { manyRequest, parseTtl, runEnvDelete, runEnvMany, runEnvPrune } from './env-many.js';
import { readTargets } from './support/read.js';
import { gatewayFlags, gatewayOf, optionalServiceArg, requireValues } from './support/args.js';
import { runChange } from './support/change.js';
import { scopeOptions, writeOptions } from './support/options.js';

const envFlags = [
  {
    name: 'header',
    kind: 'list' as const,
    placeholder: 'NAME=VALUE',
    description: 'request header that selects the environment (repeatable: all must match)',
  },
  {
    name: 'match',
    kind: 'string' as const,
    choices: MATCH_TYPES,
    placeholder: 'exact|prefix|regex',
    description: 'how header values match (default exact; values are literal unless regex)',
  },
  {
    name: 'subset',
    kind: 'string' as const,
    placeholder: 'SUBSET',
    description: 'subset (or version) the environment goes to (default: the candidate)',
  },
  {
    name: 'stable',
    kind: 'string' as const,
    placeholder: 'SUBSET',
    description: 'when the VirtualService is created: subset for everyone else',
  },
  { name: 'delete', kind: 'boolean' as const, description: 'remove the environment (from SERVICE, or from every service it routes)' },
  {
    name: 'version',
    kind: 'string' as const,
    placeholder: 'VALUE',
    description: 'without SERVICE: the version label value of the environment (default: its NAME)',
  },
  { name: 'services', kind: 'list' as const, placeholder: 'A,B', description: 'without SERVICE: only these services' },
  {
    name: 'selector',
    short: 'l',
    kind: 'string' as const,
    placeholder: 'KEY=VALUE',
    description: 'without SERVICE: only Services with these labels',
  },
  {
    name: 'ttl',
    kind: 'string' as const,
    placeholder: '24h',
    description: 'expire the environment after this long (e.g. 8h, 7d); "env prune" removes it then',
  },
  allNamespacesFlag,
  ...gatewayFlags,
  // HPAs follow weights, which env does not change.
  ...writeFlagsExcept('scale-hpa'),
];

/** Shared by `env NAME` and `green`: the header route of one named environment. */
export async function runEnv(
  ctx: Context,
  env: string,
  named: string | undefined,
  flags: FlagValues,
  usage: string,
  defaultHeader?: string,
): Promise<number> {
  const deleting = bool(flags, 'delete');
  const given = list(flags, 'header');
  const texts = given.length ? given : ctx.interactive ? [] : defaultHeader ? [defaultHeader] : [];
  requireValues(ctx, { SERVICE: named, '--header': deleting || texts.length ? true : undefined }, usage);
  const type = str(flags, 'match') as HeaderCondition['type'] | undefined;
  const req: EnvAnswers = {
    env,
    headers: texts.map((h) => parseHeader(h, type ?? 'exact')),
    type,
    subset: str(flags, 'subset'),
    stable: str(flags, 'stable'),
  };
  const ttl = str(flags, 'ttl');
  const expires = ttl === undefined ? undefined : new Date(ctx.now().getTime() + parseTtl(ttl)).toISOString();
  const gateway = gatewayOf(flags);
  const { ctx: c, service, source } = await serviceOrPick(ctx, named, !deleting);
  const opts = writeOptions(c.flags);
  if (deleting) return runChange(c, { service, plan: (t, who) => planEnvDelete(t, env, who) }, opts, source);
  return runChange(
    c,
    {
      service,
      ask: (t) => askEnv(ctx, t, req),
      plan: (t, who) => planEnv(t, { ...req, gateway, ...who, ...(expires ? { expires } : {}) }),
    },
    opts,
    source,
  );
}

/** Flags that make `env NAME` change something; without any, it shows the environment. */
const ACTION_FLAGS = ['header', 'delete', 'version', 'services', 'selector', 'ttl', 'match', 'stable', 'subset', 'gateway'];

const USAGE = 'env NAME [SERVICE] --header NAME=VALUE [--version V] [--services A,B] [-l SELECTOR] [--ttl 24h] [-n NAMESPACE|-A] [--yes]';

export const envCommand: Command = {
  name: 'env',
  summary: "Isolated environments: requests carrying a header go to that environment's version of every service",
  usage: 'env [NAME [SERVICE]] [--header NAME=VALUE] [flags] | env list | env prune',
  description: [
    'An environment (UAT, DEV, PreProd, a per-PR preview …) is a header: every service with a Deployment whose',
    "version label equals the environment's name (or --version) gets one header route to that version, above",
    'the weighted catch-all; services without one serve the environment from the baseline. All or nothing:',
    'every service is checked (Ready pods, analysis) before the first write; a write that fails part-way',
    'puts the services already changed back. With SERVICE, only that service (as --subset says).',
    '  env NAME            show one environment           env list     every environment (-n, -A, -o)',
    '  env NAME --delete   remove it from every service   env prune    remove the ones whose --ttl passed',
    "Header propagation: Istio routes each hop on its own, so a request reaches C's uat version through A",
    'and B only if A and B copy the header onto their outgoing calls. Which services call which is not',
    'known without a data plane, so env list cannot flag callees that would drop it.',
    '"list" and "prune" are not environment names.',
  ].join('\n'),
  examples: [
    'kubectl mesh env uat -n shop --header x-env=uat',
    'kubectl mesh env pr-123 --header x-env=pr-123 --ttl 24h',
    'kubectl mesh env dev -A --header x-env=dev --selector team=payments',
    'kubectl mesh env list -n shop',
    'kubectl mesh env uat --delete -n shop',
    'kubectl mesh env prune -A',
    'kubectl mesh env uat reviews --header x-env=uat --subset v3',
  ],
  flags: envFlags,
  async run(ctx, args, flags) {
    const [first] = args;
    if (first === 'list' || first === 'prune') {
      if (args.length > 1) throw new UsageError(`unexpected argument "${args[1]}"`, `usage: kubectl mesh env ${first} [-n NAMESPACE|-A]`);
      return first === 'list' ? runEnvList(ctx) : runEnvPrune(ctx);
    }
    if (first === undefined) {
      requireValues(ctx, { NAME: undefined }, USAGE);
      return guided(ctx, flags);
    }
    const env = parseEnvName(first);
    const service = optionalServiceArg(args, 1, USAGE);
    if (service !== undefined) {
      if (bool(flags, 'all-namespaces')) throw new UsageError('SERVICE and -A do not go together', 'pass -n NAMESPACE with a SERVICE');
      const header = list(flags, 'header').length || bool(flags, 'delete') ? true : undefined;
      requireValues(ctx, { '--header': header }, USAGE);
      return runEnv(ctx, env, service, flags, USAGE);
    }
    if (!ACTION_FLAGS.some((f) => flags[f] !== undefined)) return runEnvList(ctx, env);
    if (bool(flags, 'delete')) {
      const req = manyRequest(ctx, env, { ...flags, header: [] });
      return runEnvDelete(ctx, [env], req.scope);
    }
    return runEnvMany(ctx, manyRequest(ctx, env, flags));
  },
};

/** `kubectl mesh env` at a terminal: namespace, environment, header, services; the plan; one question. */
async function guided(ctx: Context, flags: FlagValues): Promise<number> {
  const namespace = bool(flags, 'all-namespaces') ? undefined : await namespaceOrAsk(ctx);
  const c = namespace === undefined ? ctx : inNamespace(ctx, namespace);
  const { targets } = await spin(c, `reading services in ${namespace ?? 'every namespace'}`, () =>
    readTargets(c, undefined, scopeOptions(c.flags)),
  );
  const answers = await askEnvironment(c, targets);
  const req = manyRequest(c, answers.env, flags);
  return runEnvMany(c, { ...req, headers: answers.headers, version: answers.env, scope: { services: answers.services } });
}

export const greenCommand: Command = {
  name: 'green',
  summary: 'Blue/green: requests with a header (default x-env=green) go to the candidate',
  usage: 'green SERVICE [--header NAME=VALUE] [flags]',
  description:
    'The environment named "green": its header route sends matching requests to the candidate (green) subset;\nall other traffic stays on the catch-all (blue). Same flags as "env".',
  examples: [
    'kubectl mesh green reviews --header x-env=green',
    'kubectl mesh green reviews --subset v2 --diff',
    'kubectl mesh green reviews --delete',
  ],
  flags: envFlags,
  async run(ctx, args, flags) {
    const usage = 'green SERVICE [--header NAME=VALUE] [--match exact|prefix|regex] [--subset SUBSET] [-n NAMESPACE] [--yes]';
    return runEnv(ctx, 'green', optionalServiceArg(args, 0, usage), flags, usage, 'x-env=green');
  },
};
