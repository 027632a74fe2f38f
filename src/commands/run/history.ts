// `history SERVICE`: one read, the revisions recorded on the VirtualService, as a table or data.
import type { Context } from '../../context.js';
import { ExitCode, type ExitCodeValue } from '../../errors.js';
import { printData } from '../../ui/output.js';
import { printable } from '../../ui/printable.js';
import { renderTable } from '../../ui/table.js';
import { requireValues } from '../support/args.js';
import type { ScopeOptions } from '../support/options.js';
import { serviceOrPick } from '../support/pick.js';
import { readTargets } from '../support/read.js';
import { warnAboutTarget } from '../support/target-warnings.js';
import { USAGE } from '../usage.js';

export async function runHistory(ctx: Context, given: { service: string | undefined; scope: ScopeOptions }): Promise<ExitCodeValue> {
  requireValues(ctx, { SERVICE: given.service }, USAGE.history);
  const { opts, service } = await serviceOrPick(ctx, given.scope, given.service, false);
  const { targets } = await readTargets(ctx, service, opts);
  warnAboutTarget(ctx, targets[0]);
  const history = targets[0].history;
  await printData(ctx, history, () => {
    if (!history.length) return `No routing revisions recorded for ${service} (kubectl-mesh has not changed it yet).\n`;
    return renderTable(
      ['REVISION', 'WHEN', 'USER', 'CHANGE'],
      history.map((r) => [String(r.revision), r.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'), r.user, r.change].map(printable)),
    );
  });
  return ExitCode.ok;
}
