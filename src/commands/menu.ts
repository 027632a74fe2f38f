// `kubectl mesh` with no verb, at a terminal: the menu flow (src/ui/flows/menu.ts), wired to the verbs.
import type { FlagValues } from '../cli/flags.js';
import type { Context } from '../context.js';
import { ExitCode } from '../errors.js';
import { runMenu as menu } from '../ui/flows/menu.js';
import { findCommand } from './index.js';
import { scopeOptions } from './support/options.js';
import { pick } from './support/pick.js';

export function runMenu(ctx: Context, flags: FlagValues): Promise<number> {
  return menu(ctx, {
    pick: (c) => pick(c, scopeOptions(flags), false),
    run: async (action, namespace, args) => {
      const verb = findCommand(action);
      if (!verb) throw new Error(`the menu offered "${action}", which is not a verb`);
      return (await verb.run(ctx, args, namespace === undefined ? flags : { ...flags, namespace })) ?? ExitCode.ok;
    },
  });
}
