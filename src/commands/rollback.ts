// `rollback`: an earlier routing revision, at once. The code that runs it is in run/rollback.ts.
import { str, writeFlagsExcept } from '../cli/global-flags.js';
import { UsageError } from '../errors.js';
import { verb } from './command.js';
import { optionalServiceArg } from './support/args.js';
import type { RollbackOptions } from './run/rollback.js';
import { writeOptions } from './support/options.js';
import { USAGE } from './usage.js';

export const rollbackCommand = verb({
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
  options(args, flags): RollbackOptions {
    const service = optionalServiceArg(args, 0, USAGE.rollback);
    const to = str(flags, 'to-revision');
    if (to !== undefined && !/^[1-9]\d*$/.test(to))
      throw new UsageError(`--to-revision "${to}" is not a revision number`, 'see "kubectl mesh history SERVICE"');
    return { service, toRevision: to === undefined ? undefined : Number(to), write: writeOptions(flags) };
  },
  load: () => import('./run/rollback.js').then((m) => m.runRollback),
});
