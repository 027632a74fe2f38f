// Guided rollback: which revision to go back to (the previous one pre-selected).
import type { Context } from '../../context.js';
import type { Target } from '../../routing/target.js';
import { prompter } from '../prompt.js';
import { revisionChoices } from './choices.js';

/** The revision to restore; undefined when there is nothing to choose (planning explains). */
export async function askRevision(ctx: Context, t: Target): Promise<number | undefined> {
  if (t.history.length < 3) return undefined; // only the previous one: nothing to choose
  return prompter(ctx).select(`Roll ${t.ref.name} back to revision`, revisionChoices(t), t.history.at(-2)!.revision);
}
