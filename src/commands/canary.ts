import { bool, str, writeFlags } from '../cli/global-flags.js';
import { parseWeight, planCanary } from '../routing/canary.js';
import type { Command } from './command.js';
import { gatewayFlags, gatewayOf, serviceArg } from './support/args.js';
import { runChange } from './support/change.js';

export const canaryCommand: Command = {
  name: 'canary',
  summary: 'Send WEIGHT% of traffic to the canary version, the rest to stable',
  usage: 'canary WEIGHT SERVICE [flags]',
  description: [
    'Set the weighted split between the stable and canary subsets of SERVICE.',
    'Subsets come from --stable/--canary, or are discovered from the Deployments behind the Service',
    '(by --version-label): the version taking most traffic is stable. Creates the DestinationRule and',
    'VirtualService when missing; only routes named mesh-… are touched. "canary 100" shifts all traffic',
    'but does not promote.',
  ].join('\n'),
  examples: [
    'kubectl mesh canary 20 reviews -n shop',
    'kubectl mesh canary 50 reviews --stable v1 --canary v3 --scale-hpa',
    'kubectl mesh canary 20 reviews --dry-run=client -o yaml',
    'kubectl mesh canary 20 reviews -f manifests/demo            # offline, prints the objects',
  ],
  flags: [
    { name: 'stable', kind: 'string', placeholder: 'SUBSET', description: 'subset (or version) that keeps the rest of the traffic' },
    { name: 'canary', kind: 'string', placeholder: 'SUBSET', description: 'subset (or version) that receives WEIGHT%' },
    ...gatewayFlags,
    ...writeFlags,
  ],
  async run(ctx, args, flags) {
    const weight = parseWeight(args[0]);
    const service = serviceArg(args, 1, 'canary WEIGHT SERVICE');
    const gateway = gatewayOf(flags);
    return runChange(ctx, {
      service,
      plan: (t, who) => planCanary(t, {
        weight, stable: str(flags, 'stable'), canary: str(flags, 'canary'), scaleHpa: bool(flags, 'scale-hpa'), gateway, ...who,
      }),
    });
  },
};
