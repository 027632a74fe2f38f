import { str, writeFlags } from '../cli/global-flags.js';
import { parseWeight, planCanary } from '../routing/canary.js';
import { askCanary, type CanaryAnswers } from '../ui/flows/canary.js';
import { serviceOrPick } from '../ui/flows/pick-service.js';
import type { Command } from './command.js';
import { gatewayFlags, gatewayOf, optionalServiceArg, requireValues } from './support/args.js';
import { runChange } from './support/change.js';
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
    'but does not promote. At a terminal, a missing WEIGHT or SERVICE is asked for.',
  ].join('\n'),
  examples: [
    'kubectl mesh canary 20 reviews -n shop',
    'kubectl mesh canary 50 reviews --stable v1 --canary v3 --scale-hpa',
    'kubectl mesh canary 20 reviews --dry-run=client -o yaml',
    'kubectl mesh canary 20 reviews -f manifests/demo            # offline, prints the objects',
    'kubectl mesh canary                                          # at a terminal: pick service and weight',
  ],
  flags: [
    { name: 'stable', kind: 'string', placeholder: 'SUBSET', description: 'subset (or version) that keeps the rest of the traffic' },
    { name: 'canary', kind: 'string', placeholder: 'SUBSET', description: 'subset (or version) that receives WEIGHT%' },
    ...gatewayFlags,
    ...writeFlags,
  ],
  async run(ctx, args, flags) {
    // "canary reviews": the service, with the weight left to ask for.
    const serviceOnly = args.length === 1 && !/^[-\d]/.test(args[0]!);
    const req: CanaryAnswers = { weight: serviceOnly || args[0] === undefined ? undefined : parseWeight(args[0]), stable: str(flags, 'stable'), canary: str(flags, 'canary') };
    const named = optionalServiceArg(args, serviceOnly ? 0 : 1, USAGE);
    requireValues(ctx, { WEIGHT: req.weight, SERVICE: named }, USAGE);
    const gateway = gatewayOf(flags);
    const { ctx: c, service, source } = await serviceOrPick(ctx, named, true);
    const opts = writeOptions(c.flags);
    return runChange(c, {
      service,
      ask: (t) => askCanary(ctx, t, req),
      plan: (t, who) => planCanary(t, { ...req, weight: req.weight!, scaleHpa: opts.scaleHpa, gateway, ...who }),
    }, opts, source);
  },
};
