// `promote`: the candidate becomes stable. The code that runs it is in run/promote.ts.
import { bool, str, writeFlagsExcept } from '../cli/global-flags.js';
import { verb } from './command.js';
import { optionalServiceArg } from './support/args.js';
import type { PromoteOptions } from './run/promote.js';
import { writeOptions } from './support/options.js';
import { USAGE } from './usage.js';

export const promoteCommand = verb({
  name: 'promote',
  summary: 'Make the candidate the new stable: 100% to it, its header routes removed',
  usage: 'promote SERVICE [--prune] [flags]',
  description: [
    'The candidate (canary/green) subset becomes stable and takes 100% of traffic. Header routes that',
    'pointed at it are removed (other environments stay). HPAs scaled to weight get their baseline back.',
    'The old subset stays in the DestinationRule, so a rollback is instant, until --prune.',
  ].join('\n'),
  examples: [
    'kubectl mesh promote reviews',
    'kubectl mesh promote reviews --prune',
    'kubectl mesh promote reviews --canary v3 --dry-run=server',
  ],
  flags: [
    { name: 'canary', kind: 'string', placeholder: 'SUBSET', description: 'subset to promote (default: the recorded candidate)' },
    {
      name: 'prune',
      kind: 'boolean',
      description: 'also remove the old stable subset from the DestinationRule (after the routes stop using it)',
    },
    ...writeFlagsExcept('scale-hpa'),
  ],
  options: (args, flags): PromoteOptions => ({
    service: optionalServiceArg(args, 0, USAGE.promote),
    canary: str(flags, 'canary'),
    prune: bool(flags, 'prune'),
    write: writeOptions(flags),
  }),
  load: () => import('./run/promote.js').then((m) => m.runPromote),
});
