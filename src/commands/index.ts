// The verbs, in the order help lists them.
import { analyzeCommand } from './analyze.js';
import { canaryCommand } from './canary.js';
import type { Command } from './command.js';
import { completeCommandFor } from './complete.js';
import { completionCommand } from './completion.js';
import { envCommand, greenCommand } from './env.js';
import { historyCommand } from './history.js';
import { promoteCommand } from './promote.js';
import { rollbackCommand } from './rollback.js';
import { statusCommand } from './status.js';
import { versionCommand } from './version.js';

export const commands: Command[] = [
  canaryCommand,
  greenCommand,
  envCommand,
  promoteCommand,
  rollbackCommand,
  historyCommand,
  statusCommand,
  analyzeCommand,
  versionCommand,
  completionCommand,
];

/** Verbs that work but are not listed in help (shell completion's protocol). */
export const hiddenCommands: Command[] = [completeCommandFor(() => commands)];

export const findCommand = (name: string): Command | undefined =>
  commands.find((c) => c.name === name) ?? hiddenCommands.find((c) => c.name === name);
