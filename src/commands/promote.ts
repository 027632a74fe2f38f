import { bool, str, writeFlagsExcept } from '../cli/global-flags.js';
import { planPromote } from '../routing/promote.js';
import type { Command } from './command.js';
import { serviceOrPick } from './support/pick.js';
import { optionalServiceArg, requireValues } from './support/args.js';
import { runChange } from './support/change.js';
import { writeOptions } from './support/options.js';

export const promoteCommand: Command = {
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
  async run(ctx, args, flags) {
    const usage = 'promote SERVICE [--canary SUBSET] [--prune] [-n NAMESPACE] [--yes]';
    const named = optionalServiceArg(args, 0, usage);
    requireValues(ctx, { SERVICE: named }, usage);
    const { ctx: c, service, source } = await serviceOrPick(ctx, named, true);
    return runChange(
      c,
      {
        service,
        plan: (t, who) => planPromote(t, { canary: str(flags, 'canary'), prune: bool(flags, 'prune'), ...who }),
      },
      writeOptions(c.flags),
      source,
    );
  },
};
