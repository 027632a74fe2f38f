import type { FlagValues } from '../cli/flags.js';
import { bool, list, str, writeFlagsExcept } from '../cli/global-flags.js';
import { planEnv, planEnvDelete } from '../routing/env.js';
import { MATCH_TYPES, parseEnvName, parseHeader } from '../routing/headers.js';
import type { HeaderCondition } from '../routing/types.js';
import type { Context } from '../context.js';
import type { Command } from './command.js';
import { askEnv, askEnvName, type EnvAnswers } from '../ui/flows/env.js';
import { serviceOrPick } from '../ui/flows/pick-service.js';
import { gatewayFlags, gatewayOf, optionalServiceArg, requireValues } from './support/args.js';
import { runChange } from './support/change.js';
import { writeOptions } from './support/options.js';

const envFlags = [
  { name: 'header', kind: 'list' as const, placeholder: 'NAME=VALUE', description: 'request header that selects the environment (repeatable: all must match)' },
  { name: 'match', kind: 'string' as const, choices: MATCH_TYPES, placeholder: 'exact|prefix|regex', description: 'how header values match (default exact; values are literal unless regex)' },
  { name: 'subset', kind: 'string' as const, placeholder: 'SUBSET', description: 'subset (or version) the environment goes to (default: the candidate)' },
  { name: 'stable', kind: 'string' as const, placeholder: 'SUBSET', description: 'when the VirtualService is created: subset for everyone else' },
  { name: 'delete', kind: 'boolean' as const, description: 'remove the environment\'s route' },
  ...gatewayFlags,
  // HPAs follow weights, which env does not change.
  ...writeFlagsExcept('scale-hpa'),
];

/** Shared by `env NAME` and `green`: the header route of one named environment. */
export async function runEnv(ctx: Context, env: string, named: string | undefined, flags: FlagValues, usage: string, defaultHeader?: string): Promise<number> {
  const deleting = bool(flags, 'delete');
  const given = list(flags, 'header');
  const texts = given.length ? given : ctx.interactive ? [] : defaultHeader ? [defaultHeader] : [];
  requireValues(ctx, { SERVICE: named, '--header': deleting || texts.length ? true : undefined }, usage);
  const type = str(flags, 'match') as HeaderCondition['type'] | undefined;
  const req: EnvAnswers = { env, headers: texts.map((h) => parseHeader(h, type ?? 'exact')), type, subset: str(flags, 'subset'), stable: str(flags, 'stable') };
  const gateway = gatewayOf(flags);
  const { ctx: c, service, source } = await serviceOrPick(ctx, named, !deleting);
  const opts = writeOptions(c.flags);
  if (deleting) return runChange(c, { service, plan: (t, who) => planEnvDelete(t, env, who) }, opts, source);
  return runChange(c, {
    service,
    ask: (t) => askEnv(ctx, t, req),
    plan: (t, who) => planEnv(t, { ...req, gateway, ...who }),
  }, opts, source);
}

export const envCommand: Command = {
  name: 'env',
  summary: 'Route requests carrying a header to one version (isolated environments)',
  usage: 'env NAME SERVICE --header NAME=VALUE [--subset SUBSET] [flags]',
  description: [
    'Keep one header route per named environment (UAT, DEV, PreProd …) above the weighted catch-all:',
    'requests whose headers all match go to --subset; everything else follows the catch-all.',
    'Several environments share one cluster; --delete removes one.',
  ].join('\n'),
  examples: [
    'kubectl mesh env uat reviews --header x-env=uat --subset v3',
    'kubectl mesh env dev reviews --header x-env=dev --header x-team=payments --subset v2',
    'kubectl mesh env beta reviews --header user-agent=.*Beta.* --match regex',
    'kubectl mesh env uat reviews --delete',
  ],
  flags: envFlags,
  async run(ctx, args, flags) {
    const usage = 'env NAME SERVICE --header NAME=VALUE [--match exact|prefix|regex] [--subset SUBSET] [-n NAMESPACE] [--yes]';
    const header = list(flags, 'header').length || bool(flags, 'delete') ? true : undefined;
    requireValues(ctx, { NAME: args[0], SERVICE: args[1], '--header': header }, usage);
    const env = args[0] === undefined ? await askEnvName(ctx) : parseEnvName(args[0]);
    return runEnv(ctx, env, optionalServiceArg(args, 1, usage), flags, usage);
  },
};

export const greenCommand: Command = {
  name: 'green',
  summary: 'Blue/green: requests with a header (default x-env=green) go to the candidate',
  usage: 'green SERVICE [--header NAME=VALUE] [flags]',
  description: 'The environment named "green": its header route sends matching requests to the candidate (green) subset;\nall other traffic stays on the catch-all (blue). Same flags as "env".',
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
