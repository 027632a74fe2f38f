import { str, writeFlags } from '../cli/global-flags.js';
import { isRollout, runRolloutCommand } from './canary-rollout.js';
import { parseWeight, planCanary } from '../routing/canary.js';
import { askCanary, type CanaryAnswers } from '../ui/flows/canary.js';
import { serviceOrPick } from './support/pick.js';
import type { Command } from './command.js';
import { gatewayFlags, gatewayOf, optionalServiceArg, requireValues } from './support/args.js';
import { runChange } from './support/change.js';
import { checkRolloutFlagUse, rolloutFlags } from './support/rollout-options.js';
import { writeOptions } from './support/options.js';

const USAGE = 'canary WEIGHT SERVICE [-n NAMESPACE] [--stable SUBSET --canary SUBSET] [--yes]';

export const canaryCommand: Command = {
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
  async run(ctx, args, flags) {
    checkRolloutFlagUse(flags);
    if (isRollout(flags)) return runRolloutCommand(ctx, args, flags);
    // "canary reviews": the service, with the weight left to ask for.
    const serviceOnly = args.length === 1 && !/^[-\d]/.test(args[0]);
    const req: CanaryAnswers = {
      weight: serviceOnly || args[0] === undefined ? undefined : parseWeight(args[0]),
      stable: str(flags, 'stable'),
      canary: str(flags, 'canary'),
    };
    const named = optionalServiceArg(args, serviceOnly ? 0 : 1, USAGE);
    requireValues(ctx, { WEIGHT: req.weight, SERVICE: named }, USAGE);
    const gateway = gatewayOf(flags);
    const { ctx: c, service, source } = await serviceOrPick(ctx, named, true);
    const opts = writeOptions(c.flags);
    return runChange(
      c,
      {
        service,
        ask: (t) => askCanary(ctx, t, req),
        plan: (t, who) => planCanary(t, { ...req, weight: req.weight!, scaleHpa: opts.scaleHpa, gateway, ...who }),
      },
      opts,
      source,
    );
  },
};
