// `promote SERVICE`: one routing change through the write path.
import type { Context } from '../../context.js';
import type { ExitCodeValue } from '../../errors.js';
import { planPromote } from '../../routing/promote.js';
import { requireValues } from '../support/args.js';
import { runChange } from '../support/change.js';
import type { WriteOptions } from '../support/options.js';
import { serviceOrPick } from '../support/pick.js';
import { USAGE } from '../usage.js';

export interface PromoteOptions {
  service: string | undefined;
  /** --canary: the subset to promote; undefined: the recorded candidate. */
  canary: string | undefined;
  prune: boolean;
  write: WriteOptions;
}

export async function runPromote(ctx: Context, given: PromoteOptions): Promise<ExitCodeValue> {
  requireValues(ctx, { SERVICE: given.service }, USAGE.promote);
  const { opts, service, source } = await serviceOrPick(ctx, given.write, given.service, true);
  return runChange(ctx, { service, plan: (t, who) => planPromote(t, { canary: given.canary, prune: given.prune, ...who }) }, opts, source);
}
