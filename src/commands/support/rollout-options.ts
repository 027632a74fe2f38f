// canary --steps …: the flags of a rollout → its policy, checked before anything is read or written.
import type { FlagSpec, FlagValues } from '../../cli/flags.js';
import { bool, list, parseDuration, str } from '../../cli/global-flags.js';
import { UsageError } from '../../errors.js';
import { parseGates, parseRegressions } from '../../rollout/gates.js';
import { parseSteps } from '../../rollout/steps.js';
import type { RolloutPolicy } from '../../rollout/types.js';

export const prometheusFlags: FlagSpec[] = [
  {
    name: 'prometheus',
    kind: 'string',
    placeholder: 'URL',
    description: 'Prometheus to query (default: $MESH_PROMETHEUS_URL, then istio-system/prometheus through the API server)',
  },
  {
    name: 'prometheus-token-file',
    kind: 'string',
    placeholder: 'FILE',
    description: 'file with a bearer token (or user:password for basic auth) for --prometheus',
  },
];

export const rolloutFlags: FlagSpec[] = [
  {
    name: 'steps',
    kind: 'string',
    placeholder: '10,25,pause,50,100',
    description: 'run a rollout: canary weights (up to two decimals) and pauses, held --interval each',
  },
  { name: 'interval', kind: 'string', placeholder: '1m', description: 'how long each step holds (default 1m)' },
  {
    name: 'check-every',
    kind: 'string',
    placeholder: '30s',
    description: 'how often the metrics are checked during a step, and their window (default 30s)',
  },
  { name: 'promote', kind: 'boolean', description: 'promote the canary after the last step' },
  {
    name: 'resume',
    kind: 'boolean',
    description: 'carry on the rollout recorded on the service (after a pause, Ctrl-C or a lost terminal)',
  },
  {
    name: 'analysis',
    kind: 'list',
    placeholder: 'GATE',
    description: "metric gate, repeatable: success-rate>=99, p99<=500ms, or 'NAME:PROMQL<=VALUE'",
  },
  {
    name: 'compare-stable',
    kind: 'boolean',
    description: 'also measure stable and fail a canary much worse than it (default true; --compare-stable=false)',
  },
  {
    name: 'max-regression',
    kind: 'list',
    placeholder: '1%|100ms',
    description: 'how much worse than stable the canary may be: success rate points (1%) or p99 (100ms)',
  },
  {
    name: 'no-data-timeout',
    kind: 'string',
    placeholder: 'DURATION',
    description: 'fail a step whose checks had no canary data this long (default: --interval)',
  },
  { name: 'max-failures', kind: 'string', placeholder: 'N', description: 'failed checks in one step before rolling back (default 2)' },
  ...prometheusFlags,
];

const ROLLOUT_ONLY = [
  'interval',
  'check-every',
  'promote',
  'analysis',
  'compare-stable',
  'max-regression',
  'no-data-timeout',
  'max-failures',
];

/** Rollout flags given without --steps or --resume are a mistake worth naming. */
export function checkRolloutFlagUse(flags: FlagValues): void {
  if (str(flags, 'steps') !== undefined || bool(flags, 'resume')) return;
  const stray = ROLLOUT_ONLY.find((f) => flags[f] !== undefined);
  if (stray) throw new UsageError(`--${stray} belongs to a rollout`, 'add --steps, e.g. --steps 10,50,100 --interval 1m');
}

export function rolloutPolicy(flags: FlagValues): RolloutPolicy {
  const intervalMs = parseDuration(str(flags, 'interval') ?? '1m', 'interval');
  const checkEveryMs = parseDuration(str(flags, 'check-every') ?? '30s', 'check-every');
  if (checkEveryMs < 1000)
    throw new UsageError(
      `--check-every ${str(flags, 'check-every')} is under a second`,
      'Prometheus needs time between checks: use 1s or more',
    );
  const maxFailuresText = str(flags, 'max-failures') ?? '2';
  if (!/^[1-9]\d*$/.test(maxFailuresText))
    throw new UsageError(`--max-failures "${maxFailuresText}" is not a positive integer`, 'e.g. --max-failures 2');
  const compareStable = flags['compare-stable'] !== false;
  const maxRegression = parseRegressions(list(flags, 'max-regression'));
  if (maxRegression.length && !compareStable)
    throw new UsageError('--max-regression compares with stable, but --compare-stable=false was given', 'drop one of them');
  return {
    steps: parseSteps(str(flags, 'steps')!),
    intervalMs,
    checkEveryMs,
    promote: bool(flags, 'promote'),
    gates: parseGates(list(flags, 'analysis')),
    compareStable,
    maxRegression,
    noDataTimeoutMs:
      str(flags, 'no-data-timeout') === undefined ? intervalMs : parseDuration(str(flags, 'no-data-timeout')!, 'no-data-timeout'),
    maxFailures: Number(maxFailuresText),
  };
}

/** The PromQL window of a check: the check interval, at least 5s (two scrapes at the usual 1–2s test rate). */
export const checkWindowMs = (p: Pick<RolloutPolicy, 'checkEveryMs'>): number => Math.max(5000, p.checkEveryMs);
