// `canary WEIGHT SERVICE`: one routing change through the write path (asking, at a terminal, for what
// is missing); a rollout goes to run/rollout.ts.
import type { Context } from '../../context.js';
import type { ExitCodeValue } from '../../errors.js';
import { planCanary } from '../../routing/canary.js';
import type { Gateway } from '../../routing/target.js';
import { askCanary } from '../../ui/flows/canary.js';
import { requireValues } from '../support/args.js';
import { runChange } from '../support/change.js';
import type { WriteOptions } from '../support/options.js';
import { serviceOrPick } from '../support/pick.js';
import { USAGE } from '../usage.js';
import type { RolloutOptions } from './rollout.js';

/** `canary WEIGHT SERVICE`: either may be missing, to be asked for at a terminal. */
export interface WeightOptions {
  kind: 'weight';
  weight: number | undefined;
  service: string | undefined;
  stable: string | undefined;
  canary: string | undefined;
  gateway: Gateway | undefined;
  write: WriteOptions;
}

export type CanaryOptions = WeightOptions | RolloutOptions;

export async function runCanary(ctx: Context, given: CanaryOptions): Promise<ExitCodeValue> {
  if (given.kind === 'rollout') return (await import('./rollout.js')).runRolloutCommand(ctx, given);
  const req = { weight: given.weight, stable: given.stable, canary: given.canary };
  requireValues(ctx, { WEIGHT: req.weight, SERVICE: given.service }, USAGE.canary);
  const { opts, service, source } = await serviceOrPick(ctx, given.write, given.service, true);
  return runChange(
    ctx,
    {
      service,
      ask: (t) => askCanary(ctx, t, req),
      plan: (t, who) => planCanary(t, { ...req, weight: req.weight!, scaleHpa: opts.scaleHpa, gateway: given.gateway, ...who }),
    },
    opts,
    source,
  );
}
