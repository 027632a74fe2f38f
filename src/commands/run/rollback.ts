// `rollback SERVICE`: the routes of an earlier revision (asked for at a terminal), through the write
// path in emergency mode: findings warn, never block.
import type { Context } from '../../context.js';
import type { ExitCodeValue } from '../../errors.js';
import { abortingRollout } from '../../rollout/state.js';
import { planRollback } from '../../routing/rollback.js';
import { askRevision } from '../../ui/flows/rollback.js';
import { requireValues } from '../support/args.js';
import { runChange } from '../support/change.js';
import type { WriteOptions } from '../support/options.js';
import { serviceOrPick } from '../support/pick.js';
import { USAGE } from '../usage.js';

export interface RollbackOptions {
  service: string | undefined;
  /** --to-revision; undefined: the previous one (or, at a terminal, the one picked). */
  toRevision: number | undefined;
  write: WriteOptions;
}

export async function runRollback(ctx: Context, given: RollbackOptions): Promise<ExitCodeValue> {
  requireValues(ctx, { SERVICE: given.service }, USAGE.rollback);
  const req = { toRevision: given.toRevision };
  const { opts, service, source } = await serviceOrPick(ctx, given.write, given.service, false);
  return runChange(
    ctx,
    {
      service,
      emergency: true,
      ask: async (t) => {
        req.toRevision ??= await askRevision(ctx, t);
      },
      plan: (t, who) => abortingRollout(planRollback(t, { ...req, ...who }), t.vs, who),
    },
    opts,
    source,
  );
}
