import { str, writeFlagsExcept } from '../cli/global-flags.js';
import { UsageError } from '../errors.js';
import { abortingRollout } from '../rollout/state.js';
import { planRollback } from '../routing/rollback.js';
import type { Command } from './command.js';
import { askRevision } from '../ui/flows/rollback.js';
import { serviceOrPick } from './support/pick.js';
import { optionalServiceArg, requireValues } from './support/args.js';
import { runChange } from './support/change.js';
import { writeOptions } from './support/options.js';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'Restore the previous routing revision at once',
  usage: 'rollback SERVICE [--to-revision N] [flags]',
  description: [
    'Restores the routes kubectl-mesh owned at an earlier revision (the previous one by default);',
    "everybody else's routes stay as they are now. Subsets the old routes need are restored first.",
    'Readiness and analysis findings only warn here: a rollback is the way out of trouble.',
  ].join('\n'),
  examples: [
    'kubectl mesh rollback reviews',
    'kubectl mesh rollback reviews --to-revision 2',
    'kubectl mesh history reviews   # to pick a revision',
  ],
  flags: [
    { name: 'to-revision', kind: 'string', placeholder: 'N', description: 'revision to restore (see "kubectl mesh history")' },
    // Rollback restores the HPAs its revision had, and never blocks: no --scale-hpa, no --force.
    ...writeFlagsExcept('scale-hpa', 'force'),
  ],
  async run(ctx, args, flags) {
    const usage = 'rollback SERVICE [--to-revision N] [-n NAMESPACE] [--yes]';
    const named = optionalServiceArg(args, 0, usage);
    const to = str(flags, 'to-revision');
    if (to !== undefined && !/^[1-9]\d*$/.test(to))
      throw new UsageError(`--to-revision "${to}" is not a revision number`, 'see "kubectl mesh history SERVICE"');
    requireValues(ctx, { SERVICE: named }, usage);
    const req = { toRevision: to === undefined ? undefined : Number(to) };
    const { ctx: c, service, source } = await serviceOrPick(ctx, named, false);
    return runChange(
      c,
      {
        service,
        emergency: true,
        ask: async (t) => {
          req.toRevision ??= await askRevision(ctx, t);
        },
        plan: (t, who) => abortingRollout(planRollback(t, { ...req, ...who }), t.vs, who),
      },
      writeOptions(c.flags),
      source,
    );
  },
};
