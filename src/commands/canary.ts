// `canary`: one weight, or a rollout of steps (--steps / --resume). The code that runs them is in
// run/canary.ts and run/rollout.ts.
import type { FlagValues } from '../cli/flags.js';
import { bool, list, str, writeFlags } from '../cli/global-flags.js';
import { UsageError } from '../errors.js';
import { parseWeight } from '../routing/canary.js';
import { verb } from './command.js';
import { gatewayFlags, gatewayOf, optionalServiceArg, serviceArg } from './support/args.js';
import type { CanaryOptions } from './run/canary.js';
import type { RolloutOptions } from './run/rollout.js';
import { writeOptions } from './support/options.js';
import { checkRolloutFlagUse, rolloutFlags, rolloutPolicy } from './support/rollout-options.js';
import { USAGE } from './usage.js';

function canaryOptions(args: string[], flags: FlagValues): CanaryOptions {
  checkRolloutFlagUse(flags);
  if (str(flags, 'steps') !== undefined || bool(flags, 'resume')) return rolloutOptions(args, flags);
  // "canary reviews": the service, with the weight left to ask for.
  const serviceOnly = args.length === 1 && !/^[-\d]/.test(args[0]);
  return {
    kind: 'weight',
    weight: serviceOnly || args[0] === undefined ? undefined : parseWeight(args[0]),
    service: optionalServiceArg(args, serviceOnly ? 0 : 1, USAGE.canary),
    stable: str(flags, 'stable'),
    canary: str(flags, 'canary'),
    gateway: gatewayOf(flags),
    write: writeOptions(flags),
  };
}

function rolloutOptions(args: string[], flags: FlagValues): RolloutOptions {
  if (str(flags, 'steps') !== undefined && bool(flags, 'resume'))
    throw new UsageError('--steps and --resume do not go together', '--resume carries on the recorded steps');
  if (args.length !== 1) {
    throw new UsageError(
      args.length ? 'a rollout takes SERVICE only: the weights come from --steps' : 'missing SERVICE',
      `usage: kubectl mesh ${USAGE.rollout}`,
    );
  }
  const service = serviceArg(args, 0, USAGE.rollout);
  if (list(flags, 'filename').length) {
    throw new UsageError(
      'a rollout needs a live cluster (it holds each step and watches metrics), so --steps and --resume do not work with -f',
      'write one weight offline with "kubectl mesh canary WEIGHT SERVICE -f DIR", or drop -f',
    );
  }
  const dryRun = str(flags, 'dry-run') ?? 'none';
  if (dryRun === 'server')
    throw new UsageError('--dry-run=server cannot run a rollout', 'use --dry-run=client to print the plan of steps and the queries');
  if (str(flags, 'output') === 'yaml')
    throw new UsageError('a rollout reports events: -o yaml is not one of its formats', 'use -o json for one JSON object per event');
  return {
    kind: 'rollout',
    service,
    policy: bool(flags, 'resume') ? undefined : rolloutPolicy(flags),
    roles: { stable: str(flags, 'stable'), canary: str(flags, 'canary') },
    dryRun: dryRun === 'client',
    write: writeOptions(flags),
    prometheus: { url: str(flags, 'prometheus'), tokenFile: str(flags, 'prometheus-token-file') },
  };
}

export const canaryCommand = verb({
  name: 'canary',
  summary: 'Send WEIGHT% of traffic to the canary version, the rest to stable',
  usage: 'canary WEIGHT SERVICE [flags]',
  description: [
    'Set the weighted split between the stable and canary subsets of SERVICE.',
    'Subsets come from --stable/--canary, or are discovered from the Deployments behind the Service',
    '(by --version-label): the version taking most traffic is stable. Creates the DestinationRule and',
    'VirtualService when missing; only routes named mesh-… are touched. "canary 100" shifts all traffic',
    'but does not promote. At a terminal, a missing WEIGHT or SERVICE is asked for. WEIGHT may have two',
    "decimals (0.5): Istio's weights are relative, so the smallest integers with that ratio are written.",
    '',
    'With --steps, a rollout runs in the foreground: each step sets the weight the same way, holds it for',
    '--interval while checking --analysis gates in Prometheus every --check-every, and rolls back to the',
    'routing from before the rollout after --max-failures failed checks in a step (exit 4). No canary',
    'data is inconclusive, not a failure, until --no-data-timeout. A "pause" step waits for a person',
    '(at a terminal it asks; elsewhere the command exits 0 and --resume carries on). Ctrl-C or SIGTERM',
    'leaves the current weights and records the rollout as paused (exit 130). -o json: one JSON event per line.',
  ].join('\n'),
  examples: [
    'kubectl mesh canary 20 reviews -n shop',
    'kubectl mesh canary 50 reviews --stable v1 --canary v3 --scale-hpa',
    'kubectl mesh canary 20 reviews --dry-run=client -o yaml',
    'kubectl mesh canary 20 reviews -f manifests/demo            # offline, prints the objects',
    'kubectl mesh canary                                          # at a terminal: pick service and weight',
    'kubectl mesh canary 0.5 reviews                              # a half-percent canary (weights 199/1)',
    'kubectl mesh canary reviews --steps 10,25,50,100 --interval 2m --analysis success-rate>=99 --analysis p99<=500ms --promote',
    'kubectl mesh canary reviews --steps 10,pause,100 --interval 1m   # stops at the pause; then:',
    'kubectl mesh canary reviews --resume',
  ],
  flags: [
    { name: 'stable', kind: 'string', placeholder: 'SUBSET', description: 'subset (or version) that keeps the rest of the traffic' },
    { name: 'canary', kind: 'string', placeholder: 'SUBSET', description: 'subset (or version) that receives WEIGHT%' },
    ...gatewayFlags,
    ...writeFlags,
    ...rolloutFlags,
  ],
  options: canaryOptions,
  load: () => import('./run/canary.js').then((m) => m.runCanary),
});
