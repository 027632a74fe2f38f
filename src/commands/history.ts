// `history`: the routing revisions of a service. The code that runs it is in run/history.ts.
import { verb } from './command.js';
import { optionalServiceArg } from './support/args.js';
import { scopeOptions } from './support/options.js';
import { USAGE } from './usage.js';

export const historyCommand = verb({
  name: 'history',
  summary: 'List the routing revisions of a service (when, who, what changed)',
  usage: 'history SERVICE [flags]',
  description:
    'Revisions are kept in an annotation on the VirtualService, so every user and machine sees the same history:\nthe last 10, and while a rollout runs or is paused, every revision since it started (its rollback needs them).',
  examples: ['kubectl mesh history reviews -n shop', 'kubectl mesh history reviews -o json'],
  flags: [],
  options: (args, flags) => ({ service: optionalServiceArg(args, 0, USAGE.history), scope: scopeOptions(flags) }),
  load: () => import('./run/history.js').then((m) => m.runHistory),
});
