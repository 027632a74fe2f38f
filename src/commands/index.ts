// The verbs, in the order help lists them.
import type { Command } from './command.js';
import { versionCommand } from './version.js';

export const commands: Command[] = [versionCommand];

export const findCommand = (name: string): Command | undefined => commands.find((c) => c.name === name);
