// Guided canary: which subsets (when discovery cannot tell, or when asked), then the weight,
// picked from the usual next steps or typed (checked as it is typed).
import type { Context } from '../../context.js';
import { knownSubsets, type Target } from '../../routing/target.js';
import type { Roles } from '../../routing/types.js';
import { currentSplit, describeSplit } from '../../routing/view.js';
import { prompter } from '../prompt.js';
import { CHOOSE_SUBSETS, OTHER, subsetChoices, suggestedRoles, validateWeight, weightChoices } from './choices.js';

export interface CanaryAnswers {
  weight?: number;
  stable?: string;
  canary?: string;
}

/** Asks stable, then canary, pre-selecting what discovery (or the last release) suggests. */
export async function askRoles(ctx: Context, t: Target, given: Roles, what = 'canary'): Promise<Required<Roles>> {
  const ask = prompter(ctx);
  const suggested = suggestedRoles(t, given);
  const stable =
    given.stable ??
    (await ask.select(`Stable subset of ${t.ref.name} (keeps the rest of the traffic)`, subsetChoices(t), suggested?.stable));
  const canaryDefault = suggested && suggested.canary !== stable ? suggested.canary : knownSubsets(t).find((s) => s !== stable);
  const canary =
    given.canary ??
    (await ask.select(`${what[0].toUpperCase()}${what.slice(1)} subset of ${t.ref.name}`, subsetChoices(t, stable), canaryDefault));
  return { stable, canary };
}

/** Fills in what `canary` needs and the flags did not say. */
export async function askCanary(ctx: Context, t: Target, req: CanaryAnswers): Promise<void> {
  const given: Roles = { stable: req.stable, canary: req.canary };
  // More than two versions: which two is a question, unless both flags answered it.
  let roles = knownSubsets(t).length > 2 && !(given.stable && given.canary) ? await askRoles(ctx, t, given) : suggestedRoles(t, given);
  if (!roles) return; // one version or none: planning explains what is missing
  while (req.weight === undefined) {
    const split = currentSplit(t.vs, t.ref);
    const now = split.find((w) => w.subset === roles!.canary)?.weight ?? 0;
    const { choices, default: next } = weightChoices(roles, now);
    const picked = await prompter(ctx).select(
      `Weight for ${roles.canary} (now ${split.length ? describeSplit(split) : 'no routing'})`,
      choices,
      next,
    );
    if (picked === CHOOSE_SUBSETS) roles = await askRoles(ctx, t, {});
    else if (picked === OTHER)
      req.weight = Number(await prompter(ctx).input(`Weight for ${roles.canary} (0-100)`, { validate: validateWeight }));
    else req.weight = picked;
  }
  req.stable = roles.stable;
  req.canary = roles.canary;
}
