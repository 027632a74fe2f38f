// `canary SERVICE --steps … | --resume`: the options were checked (canary.ts); here the rollout is
// driven (support/rollout-run.ts).
import type { Context } from '../../context.js';
import type { ExitCodeValue } from '../../errors.js';
import { openPrometheus, type PrometheusOptions } from '../../metrics/open.js';
import type { RolloutPolicy } from '../../rollout/types.js';
import { openSource } from '../support/open-source.js';
import type { WriteOptions } from '../support/options.js';
import { runRollout } from '../support/rollout-run.js';

/** `canary SERVICE --steps …` or `--resume`. */
export interface RolloutOptions {
  kind: 'rollout';
  service: string;
  /** A new rollout's policy; undefined with --resume. */
  policy: RolloutPolicy | undefined;
  roles: { stable?: string; canary?: string };
  /** --dry-run=client: print the plan of steps and the queries. */
  dryRun: boolean;
  write: WriteOptions;
  prometheus: PrometheusOptions;
}

export async function runRolloutCommand(ctx: Context, given: RolloutOptions): Promise<ExitCodeValue> {
  const src = await openSource(ctx, given.write);
  return runRollout(ctx, src, {
    service: given.service,
    namespace: given.write.namespace ?? src.defaultNamespace,
    // Each step is written like "canary N --yes": the rollout was asked for as a whole.
    write: { ...given.write, dryRun: 'none', diff: false, yes: true },
    policy: given.policy,
    roles: given.roles,
    dryRun: given.dryRun,
    prometheus: () => openPrometheus(ctx, given.prometheus),
  });
}
