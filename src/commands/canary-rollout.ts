// canary SERVICE --steps … | --resume: the flags checked, then the rollout driven (support/rollout-run.ts).
import type { FlagValues } from '../cli/flags.js';
import { bool, list, str } from '../cli/global-flags.js';
import type { Context } from '../context.js';
import { UsageError } from '../errors.js';
import { openPrometheus } from '../metrics/open.js';
import { serviceArg } from './support/args.js';
import { openSource } from './support/open-source.js';
import { writeOptions } from './support/options.js';
import { rolloutPolicy } from './support/rollout-options.js';
import { runRollout } from './support/rollout-run.js';

const USAGE = 'canary SERVICE --steps 10,25,50,100 [--interval 1m] [--analysis success-rate>=99] | canary SERVICE --resume';

export const isRollout = (flags: FlagValues): boolean => str(flags, 'steps') !== undefined || bool(flags, 'resume');

export async function runRolloutCommand(ctx: Context, args: string[], flags: FlagValues): Promise<number> {
  if (str(flags, 'steps') !== undefined && bool(flags, 'resume'))
    throw new UsageError('--steps and --resume do not go together', '--resume carries on the recorded steps');
  if (args.length !== 1) {
    throw new UsageError(
      args.length ? 'a rollout takes SERVICE only: the weights come from --steps' : 'missing SERVICE',
      `usage: kubectl mesh ${USAGE}`,
    );
  }
  const service = serviceArg(args, 0, USAGE);
  if (list(flags, 'filename').length) {
    throw new UsageError(
      'a rollout needs a live cluster (it holds each step and watches metrics), so --steps and --resume do not work with -f',
      'write one weight offline with "kubectl mesh canary WEIGHT SERVICE -f DIR", or drop -f',
    );
  }
  const dryRun = str(flags, 'dry-run') ?? 'none';
  if (dryRun === 'server')
    throw new UsageError('--dry-run=server cannot run a rollout', 'use --dry-run=client to print the plan of steps and the queries');
  if (ctx.output === 'yaml')
    throw new UsageError('a rollout reports events: -o yaml is not one of its formats', 'use -o json for one JSON object per event');
  const policy = bool(flags, 'resume') ? undefined : rolloutPolicy(flags);
  const opts = writeOptions(flags);
  const src = await openSource(ctx, opts);
  return runRollout(ctx, src, {
    service,
    namespace: opts.namespace ?? src.defaultNamespace,
    // Each step is written like "canary N --yes": the rollout was asked for as a whole.
    write: { ...opts, dryRun: 'none', diff: false, yes: true },
    policy,
    roles: { stable: str(flags, 'stable'), canary: str(flags, 'canary') },
    dryRun: dryRun === 'client',
    prometheus: () => openPrometheus(ctx, { url: str(flags, 'prometheus'), tokenFile: str(flags, 'prometheus-token-file') }),
  });
}
