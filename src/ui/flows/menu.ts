// `kubectl mesh` with no verb, at a terminal: pick a service, then what to do with it, and go on
// into that verb's own guided flow.
import { findCommand } from '../../commands/index.js';
import type { Context } from '../../context.js';
import { prompter } from '../prompt.js';
import { actionChoices } from './choices.js';
import { askEnvName } from './env.js';
import { pickService } from './pick-service.js';

export async function runMenu(ctx: Context): Promise<number> {
  const picked = await pickService(ctx, false);
  const action = await prompter(ctx).select(`What do you want to do with ${picked.service}?`, actionChoices(picked.target));
  const args = action === 'env' ? [await askEnvName(ctx), picked.service] : [picked.service];
  return (await findCommand(action)!.run(picked.ctx, args, picked.ctx.flags)) ?? 0;
}
