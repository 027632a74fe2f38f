// The contract every verb implements, in kubectl's Complete → Validate → Run shape: help text and
// flags; `options` turns arguments and flags into the verb's typed options (usage errors only, no
// I/O); `load` fetches the code that runs them. The verbs' code is loaded on demand, so a command
// starts up with its own verb only (see the build: esbuild keeps a module that is only reached
// through import() uninitialised until then).
import type { FlagSpec, FlagValues } from '../cli/flags.js';
import type { Context } from '../context.js';
import type { ExitCodeValue } from '../errors.js';

/** What the dispatcher and the help see: the options type stays inside the verb. */
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
  /** Validates, loads the verb, runs it. Returns the exit code (0 when omitted); throws MeshError for failures. */
  run(ctx: Context, args: string[], flags: FlagValues): Promise<number | void>;
}

export type Run<O> = (ctx: Context, opts: O) => Promise<ExitCodeValue>;

export interface VerbSpec<O> extends Omit<Command, 'run'> {
  /** Complete + Validate: flags are read here and nowhere below. */
  options: (args: string[], flags: FlagValues) => O;
  /** Run, loaded on demand. */
  load: () => Promise<Run<O>>;
}

/** A verb whose options are checked before its code is loaded, so bad input fails fast and loads nothing. */
export function verb<O>({ options, load, ...help }: VerbSpec<O>): Command {
  return {
    ...help,
    async run(ctx, args, flags) {
      const opts = options(args, flags);
      return (await load())(ctx, opts);
    },
  };
}
