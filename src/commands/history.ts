import type { Command } from './command.js';
import { serviceOrPick } from './support/pick.js';
import { optionalServiceArg, requireValues } from './support/args.js';
import { scopeOptions } from './support/options.js';
import { readTargets } from './support/read.js';
import { warnAboutTarget } from './support/target-warnings.js';
import { printData } from '../ui/output.js';
import { printable } from '../ui/printable.js';
import { renderTable } from '../ui/table.js';

export const historyCommand: Command = {
  name: 'history',
  summary: 'List the routing revisions of a service (when, who, what changed)',
  usage: 'history SERVICE [flags]',
  description: 'Revisions are kept in an annotation on the VirtualService, so every user and machine sees the same history.',
  examples: ['kubectl mesh history reviews -n shop', 'kubectl mesh history reviews -o json'],
  flags: [],
  async run(ctx, args) {
    const usage = 'history SERVICE [-n NAMESPACE] [-o json|yaml]';
    const named = optionalServiceArg(args, 0, usage);
    requireValues(ctx, { SERVICE: named }, usage);
    const { ctx: c, service } = await serviceOrPick(ctx, named, false);
    const { targets } = await readTargets(c, service, scopeOptions(c.flags));
    warnAboutTarget(ctx, targets[0]);
    const history = targets[0].history;
    await printData(ctx, history, () => {
      if (!history.length) return `No routing revisions recorded for ${service} (kubectl-mesh has not changed it yet).\n`;
      return renderTable(
        ['REVISION', 'WHEN', 'USER', 'CHANGE'],
        history.map((r) => [String(r.revision), r.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), r.user, r.change].map(printable)),
      );
    });
  },
};
