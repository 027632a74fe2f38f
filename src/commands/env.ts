// `env` (an environment across services, or on one) and `green` (the environment "green" on one
// service). The code that runs them is in run/env.ts.
import type { FlagValues } from '../cli/flags.js';
import { allNamespacesFlag, bool, writeFlagsExcept } from '../cli/global-flags.js';
import { UsageError } from '../errors.js';
import { MATCH_TYPES, parseEnvName } from '../routing/headers.js';
import { verb } from './command.js';
import { gatewayFlags, optionalServiceArg } from './support/args.js';
import type { EnvOptions } from './run/env.js';
import { manyFlags, oneFlags } from './support/env-options.js';
import { scopeOptions, writeOptions } from './support/options.js';
import { USAGE } from './usage.js';

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

/** Flags that make `env NAME` change something; without any, it shows the environment. */
const ACTION_FLAGS = ['header', 'delete', 'version', 'services', 'selector', 'ttl', 'match', 'stable', 'subset', 'gateway'];

function envOptions(args: string[], flags: FlagValues): EnvOptions {
  const [first] = args;
  if (first === 'list' || first === 'prune') {
    if (args.length > 1) throw new UsageError(`unexpected argument "${args[1]}"`, `usage: kubectl mesh env ${first} [-n NAMESPACE|-A]`);
    return first === 'list' ? { kind: 'list', scope: scopeOptions(flags) } : { kind: 'prune', write: writeOptions(flags) };
  }
  if (first === undefined) return { kind: 'guided', many: manyFlags(flags), write: writeOptions(flags) };
  const env = parseEnvName(first);
  const service = optionalServiceArg(args, 1, USAGE.env);
  if (service !== undefined) {
    if (bool(flags, 'all-namespaces')) throw new UsageError('SERVICE and -A do not go together', 'pass -n NAMESPACE with a SERVICE');
    return { kind: 'one', env, service, one: oneFlags(flags), write: writeOptions(flags), usage: USAGE.env };
  }
  if (!ACTION_FLAGS.some((f) => flags[f] !== undefined)) return { kind: 'list', only: env, scope: scopeOptions(flags) };
  // --delete takes the environment's routes as they are: a --header given with it is not read.
  if (bool(flags, 'delete')) return { kind: 'delete', env, many: manyFlags({ ...flags, header: [] }), write: writeOptions(flags) };
  return { kind: 'many', env, many: manyFlags(flags), write: writeOptions(flags) };
}

const loadEnv = () => import('./run/env.js').then((m) => m.runEnvCommand);

export const envCommand = verb({
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
  options: envOptions,
  load: loadEnv,
});

export const greenCommand = verb({
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
  options: (args, flags): EnvOptions => ({
    kind: 'one',
    env: 'green',
    service: optionalServiceArg(args, 0, USAGE.green),
    one: oneFlags(flags),
    write: writeOptions(flags),
    usage: USAGE.green,
    defaultHeader: 'x-env=green',
  }),
  load: loadEnv,
});
