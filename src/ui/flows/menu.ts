// `kubectl mesh` with no verb, at a terminal: pick a service, then what to do with it, and go on
// into that verb's own guided flow. The picking and the verbs come in as callbacks.
import type { Context } from '../../context.js';
import { prompter } from '../prompt.js';
import { actionChoices } from './choices.js';
import { askEnvName } from './env.js';
import type { Picked } from './pick-service.js';

export interface MenuActions {
  /** Asks for a namespace and a service. */
  pick(ctx: Context): Promise<Picked>;
  /** Runs a verb with these arguments in the namespace picked; resolves its exit code. */
  run(action: string, namespace: string | undefined, args: string[]): Promise<number>;
}

export async function runMenu(ctx: Context, actions: MenuActions): Promise<number> {
  const picked = await actions.pick(ctx);
  const action = await prompter(ctx).select(`What do you want to do with ${picked.service}?`, actionChoices(picked.target));
  const args = action === 'env' ? [await askEnvName(ctx), picked.service] : [picked.service];
  return actions.run(action, picked.namespace, args);
}
