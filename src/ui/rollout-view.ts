// How a running rollout shows itself: at a terminal, a live block (step k of n, the weight bar, time
// left as a progress bar, the latest check per metric for canary and stable) with event lines above
// it; elsewhere one plain line per event on stderr; with -o json one JSON object per event on stdout.
import type { Context } from '../context.js';
import { eventLine, duration, type RolloutEvent } from '../rollout/events.js';
import { formatValue } from '../rollout/gates.js';
import { stepLabel, weightAt } from '../rollout/steps.js';
import type { RolloutState } from '../rollout/types.js';
import { spinnerEnabled } from './spinner.js';
import { bar } from './status-view.js';

const paint = (color: boolean, code: string, s: string) => (color ? `\u001b[${code}m${s}\u001b[0m` : s);

/** The live block's lines for `s` at `now`. */
export function liveLines(s: RolloutState, now: Date, color: boolean): string[] {
  const steps = s.policy.steps;
  const step = steps[s.step];
  const weight = weightAt(steps, s.step);
  const head = `${s.namespace}/${s.service}  step ${s.step + 1}/${steps.length} (${step ? stepLabel(step) : '-'})  ${bar(weight, color)} ${weight}% → ${s.roles.canary}`;
  const lines = [head];
  if (step && 'weight' in step && s.stepStartedAt) {
    const elapsed = now.getTime() - Date.parse(s.stepStartedAt);
    const f = Math.min(1, Math.max(0, elapsed / s.policy.intervalMs));
    const width = 30;
    const filled = Math.round(f * width);
    const left = s.policy.intervalMs - elapsed;
    lines.push(
      `  [${'='.repeat(filled)}${' '.repeat(width - filled)}] ${left > 0 ? `${duration(left)} left in this step` : 'interval over: waiting for a passing check'}`,
    );
  }
  for (const c of s.lastChecks ?? []) {
    const verdict =
      c.verdict === 'pass' ? paint(color, '32', 'pass') : c.verdict === 'fail' ? paint(color, '31', 'FAIL') : paint(color, '33', 'no data');
    const stable = s.policy.compareStable ? `  stable ${formatValue(c.name, c.stable).padEnd(8)}` : '';
    lines.push(`  ${c.name.padEnd(14)} canary ${formatValue(c.name, c.canary).padEnd(8)}${stable}  ${verdict}`);
  }
  return lines;
}

export interface RolloutView {
  event(e: RolloutEvent): void;
  /** Redraws the live block (terminal only). */
  live(s: RolloutState, now: Date): void;
  /** Removes the live block (before a prompt, or at the end). */
  clear(): void;
}

export function rolloutView(ctx: Context): RolloutView {
  if (ctx.output === 'json') {
    return {
      event: (e) => {
        ctx.streams.stdout.write(`${JSON.stringify(e)}\n`);
      },
      live: () => {},
      clear: () => {},
    };
  }
  const err = ctx.streams.stderr;
  if (!spinnerEnabled(err, ctx.env))
    return {
      event: (e) => {
        ctx.note(eventLine(e));
      },
      live: () => {},
      clear: () => {},
    };
  let drawn = 0;
  let last: string[] = [];
  const clear = () => {
    if (drawn) err.write(`\u001b[${drawn}F\u001b[J`);
    drawn = 0;
  };
  const draw = (lines: string[]) => {
    clear();
    err.write(`${lines.join('\n')}\n`);
    drawn = lines.length;
    last = lines;
  };
  const color = ctx.color;
  return {
    event(e) {
      clear();
      err.write(`${eventLine(e)}\n`);
      if (last.length) draw(last);
    },
    live: (s, now) => {
      draw(liveLines(s, now, color));
    },
    clear() {
      clear();
      last = [];
    },
  };
}
