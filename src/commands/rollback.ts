import { str, writeFlags } from '../cli/global-flags.js';
import { UsageError } from '../errors.js';
import { planRollback } from '../routing/rollback.js';
import type { Command } from './command.js';
import { serviceArg } from './support/args.js';
import { runChange } from './support/change.js';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Restore the previous routing revision at once',
  usage: 'rollback SERVICE [--to-revision N] [flags]',
  description: [
    'Restores the routes kubectl-mesh owned at an earlier revision (the previous one by default);',
    'everybody else\'s routes stay as they are now. Subsets the old routes need are restored first.',
    'Readiness and analysis findings only warn here: a rollback is the way out of trouble.',
  ].join('\n'),
  examples: ['kubectl mesh rollback reviews', 'kubectl mesh rollback reviews --to-revision 2', 'kubectl mesh history reviews   # to pick a revision'],
  flags: [
    { name: 'to-revision', kind: 'string', placeholder: 'N', description: 'revision to restore (see "kubectl mesh history")' },
    ...writeFlags.filter((f) => f.name !== 'scale-hpa' && f.name !== 'version-label'),
  ],
  async run(ctx, args, flags) {
    const service = serviceArg(args, 0, 'rollback SERVICE');
    const to = str(flags, 'to-revision');
    if (to !== undefined && !/^[1-9]\d*$/.test(to)) throw new UsageError(`--to-revision "${to}" is not a revision number`, 'see "kubectl mesh history SERVICE"');
    return runChange(ctx, {
      service,
      emergency: true,
      plan: (t, who) => planRollback(t, { toRevision: to === undefined ? undefined : Number(to), ...who }),
    });
  },
};
