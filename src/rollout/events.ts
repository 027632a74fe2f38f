// What a running rollout reports: one event per thing that happened. The same events become one
// plain line each (CI logs), one JSON object per line (-o json), or the live view at a terminal.
import { formatValue } from './gates.js';
import { stepLabel } from './steps.js';
import type { MetricCheck, RolloutState, Verdict } from './types.js';

export type RolloutEventBody =
  | { event: 'started'; steps: string[]; resumed: boolean; prometheus?: string }
  | { event: 'step'; step: number; steps: number; weight: number; canary: string; stable: string }
  | { event: 'check'; step: number; weight: number; verdict: Verdict; failures: number; checks: MetricCheck[] }
  | { event: 'paused'; step: number; reason: string; resume: string; rollback: string }
  | { event: 'rollback'; reason: string; toRevision: number }
  | { event: 'promoted'; canary: string }
  | { event: 'done'; weight: number; promoted: boolean };

export type RolloutEvent = { at: string; namespace: string; service: string } & RolloutEventBody;

export const eventBase = (s: RolloutState, now: Date) => ({ at: now.toISOString(), namespace: s.namespace, service: s.service });

export const resumeCommand = (s: Pick<RolloutState, 'namespace' | 'service'>): string =>
  `kubectl mesh canary ${s.service} -n ${s.namespace} --resume`;
export const rollbackCommand = (s: Pick<RolloutState, 'namespace' | 'service'>): string =>
  `kubectl mesh rollback ${s.service} -n ${s.namespace}`;

export function describeChecks(checks: MetricCheck[]): string {
  return checks
    .map((c) => {
      const canary = formatValue(c.name, c.canary);
      const stable = c.stable === undefined ? '' : ` (stable ${formatValue(c.name, c.stable)})`;
      return `${c.name} ${canary}${stable} ${c.verdict}`;
    })
    .join(', ');
}

/** One plain line per event, for logs. */
export function eventLine(e: RolloutEvent): string {
  const who = `${e.namespace}/${e.service}`;
  switch (e.event) {
    case 'started':
      return `${who}: rollout ${e.resumed ? 'resumed' : 'started'}: ${e.steps.join(' → ')}${e.prometheus ? ` (metrics from ${e.prometheus})` : ''}`;
    case 'step':
      return `${who}: step ${e.step}/${e.steps}: ${e.weight}% to ${e.canary}, ${Math.round((100 - e.weight) * 100) / 100}% to ${e.stable}`;
    case 'check':
      return `${who}: check at ${e.weight}%: ${e.verdict}${e.failures ? ` (${e.failures} failed in this step)` : ''}: ${describeChecks(e.checks)}`;
    case 'paused':
      return `${who}: rollout paused at step ${e.step} (${e.reason}); resume: ${e.resume}; roll back: ${e.rollback}`;
    case 'rollback':
      return `${who}: rolling back to revision ${e.toRevision}: ${e.reason}`;
    case 'promoted':
      return `${who}: promoted ${e.canary}`;
    case 'done':
      return `${who}: rollout done at ${e.weight}%${e.promoted ? ', promoted' : ''}`;
  }
}

/** The rollout as `status` shows it: "step 2/4 (25%), next step in 1m10s, success-rate 99.8% / p99 120ms". */
export function rolloutSummary(s: RolloutState, now: Date): string {
  const steps = s.policy.steps;
  const step = steps[s.step];
  const where = step ? `step ${s.step + 1}/${steps.length} (${stepLabel(step)})` : 'not started';
  const checks = s.lastChecks?.length ? `, ${s.lastChecks.map((c) => `${c.name} ${formatValue(c.name, c.canary)}`).join(' / ')}` : '';
  if (s.phase === 'paused') return `${where}, paused${s.reason ? `: ${s.reason}` : ''}${checks}`;
  if (s.phase !== 'running') return `${s.phase}${s.reason ? `: ${s.reason}` : ''}`;
  let next = '';
  if (step && 'weight' in step && s.stepStartedAt) {
    const left = Date.parse(s.stepStartedAt) + s.policy.intervalMs - now.getTime();
    next = left > 0 ? `, next step in ${duration(left)}` : ', holding for a passing check';
  }
  return `${where}${next}${checks}`;
}

export function duration(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  return s % 60 ? `${m}m${s % 60}s` : `${m}m`;
}
