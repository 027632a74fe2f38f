// The contract every verb implements: help text, its own flags, and run().
import type { FlagSpec, FlagValues } from '../cli/flags.js';
import type { Context } from '../context.js';

export interface Command {
  name: string;
  /** One line for the verb list. */
  summary: string;
  /** e.g. 'canary WEIGHT [SERVICE] [flags]' */
  usage: string;
  description?: string;
  examples: string[];
  /** Verb-specific flags; the common flags are added by the CLI. */
  flags: FlagSpec[];
  /** Returns the exit code (0 when omitted). Throws MeshError for failures. */
  run(ctx: Context, args: string[], flags: FlagValues): Promise<number | void>;
}
