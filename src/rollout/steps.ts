// --steps 10,25,pause,50,100 → the list of steps.
import { UsageError } from '../errors.js';
import { parseWeight } from '../routing/canary.js';
import type { Step } from './types.js';

export function parseSteps(text: string): Step[] {
  const items = text.split(',').map((s) => s.trim());
  if (!items.length || items.some((s) => s === '')) {
    throw new UsageError(
      `--steps "${text}" has an empty step`,
      'list weights and pauses separated by commas, e.g. --steps 10,25,pause,50,100',
    );
  }
  const steps = items.map((s): Step => (s === 'pause' ? { pause: true } : { weight: parseWeight(s, '--steps') }));
  if (!steps.some((s) => 'weight' in s)) throw new UsageError(`--steps "${text}" has no weight`, 'e.g. --steps 10,25,50,100');
  if ('weight' in steps[0] && steps[0].weight === 0) {
    throw new UsageError(
      'the first step of --steps sends 0% to the canary, which tests nothing',
      'start with a weight above 0, e.g. --steps 10,50,100',
    );
  }
  return steps;
}

export const stepLabel = (s: Step): string => ('pause' in s ? 'pause' : `${s.weight}%`);

/** Number of weight steps, and the 1-based position of step `index` among all steps. */
export const describeSteps = (steps: Step[]): string => steps.map(stepLabel).join(' → ');

/** The canary weight in force at step `index` (the last weight at or before it; 0 before any). */
export function weightAt(steps: Step[], index: number): number {
  for (let i = Math.min(index, steps.length - 1); i >= 0; i--) {
    const s = steps[i];
    if ('weight' in s) return s.weight;
  }
  return 0;
}
