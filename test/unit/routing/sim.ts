// A tiny in-memory "cluster" for the routing core: run a verb's plan, apply its writes in order,
// and check after every single write that no route points at a subset the DestinationRule lacks
// (make-before-break) unless it already did before the plan started.
import { planCanary, type CanaryRequest } from '../../../src/routing/canary.js';
import { planEnv, planEnvDelete, type EnvRequest } from '../../../src/routing/env.js';
import { planPromote, type PromoteRequest } from '../../../src/routing/promote.js';
import { planRollback, type RollbackRequest } from '../../../src/routing/rollback.js';
import type { Plan } from '../../../src/routing/plan.js';
import { httpRoutes, referencedSubsets } from '../../../src/routing/routes.js';
import { resolveTarget, type Target } from '../../../src/routing/target.js';
import type { DestinationRule, Obj, VirtualService, Workload } from '../../../src/routing/types.js';
import { who } from '../builders.js';

type Who = 'user' | 'at';
export type Step =
  | ({ verb: 'canary' } & Omit<CanaryRequest, Who>)
  | ({ verb: 'env' } & Omit<EnvRequest, Who>)
  | { verb: 'env-delete'; env: string }
  | ({ verb: 'promote' } & Omit<PromoteRequest, Who>)
  | ({ verb: 'rollback' } & Omit<RollbackRequest, Who>);

export const target = (w: Workload): Target => resolveTarget(w, 'version');

export function planStep(w: Workload, step: Step): Plan {
  const t = target(w);
  const { verb, ...req } = step;
  switch (verb) {
    case 'canary':
      return planCanary(t, { ...(req as Omit<CanaryRequest, Who>), ...who });
    case 'env':
      return planEnv(t, { ...(req as Omit<EnvRequest, Who>), ...who });
    case 'env-delete':
      return planEnvDelete(t, (req as { env: string }).env, who);
    case 'promote':
      return planPromote(t, { ...(req as Omit<PromoteRequest, Who>), ...who });
    case 'rollback':
      return planRollback(t, { ...(req as Omit<RollbackRequest, Who>), ...who });
  }
}

const listOf = { VirtualService: 'virtualServices', DestinationRule: 'destinationRules', HorizontalPodAutoscaler: 'hpas' } as const;

/** Subsets of the service that routes use but no DestinationRule defines: each is a 503 waiting to happen. */
export function dangling(w: Workload): string[] {
  const t = target(w);
  const defined = new Set((t.dr?.spec?.subsets ?? []).map((s) => s.name));
  return [...referencedSubsets(httpRoutes(t.vs), t.ref, t.vs?.metadata.namespace)].filter((s) => !defined.has(s)).sort();
}

/** Applies the writes in order; throws when an intermediate state routes to a subset that is missing. */
export function apply(w: Workload, plan: Plan): Workload {
  const before = new Set(dangling(w));
  let state = w;
  plan.writes.forEach((write, i) => {
    const key = listOf[write.kind];
    const name = (write.after ?? write.before)!.metadata.name;
    const list = state[key] as Obj[];
    const at = list.findIndex((o) => o.metadata.name === name);
    if (write.action === 'create' && at !== -1) throw new Error(`write ${i}: create of existing ${write.kind} ${name}`);
    if (write.action !== 'create' && at === -1) throw new Error(`write ${i}: ${write.action} of missing ${write.kind} ${name}`);
    const next =
      write.action === 'create'
        ? [...list, write.after!]
        : write.action === 'delete'
          ? list.filter((_, j) => j !== at)
          : list.map((o, j) => (j === at ? write.after! : o));
    state = { ...state, [key]: next };
    const broken = dangling(state).filter((s) => !before.has(s));
    if (broken.length) throw new Error(`write ${i} (${write.action} ${write.kind}) leaves routes to missing subsets ${broken.join(', ')}`);
  });
  return state;
}

export function run(w: Workload, step: Step): { plan: Plan; state: Workload } {
  const plan = planStep(w, step);
  return { plan, state: apply(w, plan) };
}

export const runAll = (w: Workload, steps: Step[]): Workload => steps.reduce((s, step) => run(s, step).state, w);

export const vsOf = (w: Workload): VirtualService | undefined => target(w).vs;
export const drOf = (w: Workload): DestinationRule | undefined => target(w).dr;

/** A write as "action Kind name" — what order assertions compare. */
export const writeLine = (p: Plan): string[] => p.writes.map((x) => `${x.action} ${x.kind} ${(x.after ?? x.before)!.metadata.name}`);

/** The error a function throws (fails the test when it does not throw). */
export function caught(fn: () => unknown): { name: string; exitCode?: number; message: string; hint?: string } {
  try {
    fn();
  } catch (e) {
    return e as never;
  }
  throw new Error('expected an error, none was thrown');
}
