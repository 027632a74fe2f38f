// Entry point: argv → command, common flags, one place that prints errors and picks the exit code.
import { parseArgs } from './cli/flags.js';
import { commonFlags } from './cli/global-flags.js';
import { validateCommonFlags } from './cli/validate.js';
import { commandHelp, rootHelp } from './cli/help.js';
import { commands, findCommand } from './commands/index.js';
import { createContext, type ContextDeps, type Streams } from './context.js';
import { ExitCode, MeshError, UsageError } from './errors.js';
import { printable } from './ui/printable.js';

export async function main(argv: string[], streams: Streams, env: NodeJS.ProcessEnv, deps: ContextDeps = {}): Promise<number> {
  let verbose = argv.some((a) => /^(-v|--v)(=|$)/.test(a));
  try {
    const verbIndex = verbIndexOf(argv);
    const verb = verbIndex === -1 ? undefined : argv[verbIndex];
    if (verb === undefined && streams.stdin.isTTY && streams.stdout.isTTY) {
      // At a terminal, no verb opens the menu: pick a service, then what to do with it.
      const { flags } = parseArgs(argv, commonFlags, 'mesh');
      validateCommonFlags(flags);
      const ctx = createContext(streams, env, flags, deps);
      if (ctx.interactive && !flags.help) {
        verbose = ctx.verbosity > 0;
        const { runMenu } = await import('./commands/menu.js');
        return await runMenu(ctx, flags);
      }
    }
    if (verb === undefined || verb === 'help') {
      const topic = verb === 'help' ? argv[verbIndex + 1] : undefined;
      const cmd = topic ? findCommand(topic) : undefined;
      if (topic && !cmd) throw new UsageError(`unknown command "${topic}"`, 'run "kubectl mesh --help" for the list');
      streams.stdout.write(cmd ? commandHelp(cmd, commonFlags) : rootHelp(commands));
      return ExitCode.ok;
    }
    const cmd = findCommand(verb);
    if (!cmd) throw new UsageError(`unknown command "${verb}" for "kubectl mesh"`, 'run "kubectl mesh --help" for the list of commands');
    const rest = [...argv.slice(0, verbIndex), ...argv.slice(verbIndex + 1)];
    const { flags, args } = parseArgs(rest, [...cmd.flags, ...commonFlags], `mesh ${cmd.name}`);
    if (flags.help) {
      streams.stdout.write(commandHelp(cmd, commonFlags));
      return ExitCode.ok;
    }
    validateCommonFlags(flags);
    const ctx = createContext(streams, env, flags, deps);
    verbose = ctx.verbosity > 0;
    return (await cmd.run(ctx, args, flags)) ?? ExitCode.ok;
  } catch (err) {
    return reportError(err, streams, verbose);
  }
}

/** Where the verb is: the first word that is neither a flag nor a flag's value (`-n shop canary`, `-f dir canary`). */
function verbIndexOf(argv: string[]): number {
  const withValue = new Set(
    [...commonFlags, ...commands.flatMap((c) => c.flags)]
      .filter((f) => f.kind !== 'boolean' && f.bareValue === undefined)
      .flatMap((f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])]),
  );
  for (let i = 0; i < argv.length; i++) {
    if (!argv[i].startsWith('-')) return i;
    if (withValue.has(argv[i])) i++;
  }
  return -1;
}

function reportError(err: unknown, streams: Streams, verbose: boolean): number {
  if (err instanceof MeshError) {
    // Messages quote names and values from files and the cluster: one line, no terminal escapes.
    streams.stderr.write(`error: ${printable(err.message)}${err.hint ? ` (${printable(err.hint)})` : ''}\n`);
    if (verbose && err.cause) streams.stderr.write(`cause: ${String((err.cause as Error).stack ?? err.cause)}\n`);
    return err.exitCode;
  }
  const e = err as Error;
  streams.stderr.write(`error: ${printable(e?.message ?? String(err))}\n`);
  if (verbose && e?.stack) streams.stderr.write(`${e.stack}\n`);
  else streams.stderr.write('(run with -v for details; this is a bug in kubectl-mesh, please report it)\n');
  return ExitCode.failed;
}

// Run when bundled as the plugin entry (dist/kubectl-mesh.cjs) or executed directly.
export async function run(): Promise<void> {
  // `kubectl mesh status | head -1`: the reader is gone, so is our reason to write. Stop quietly.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      else throw err;
    });
  }
  const code = await main(process.argv.slice(2), process, process.env);
  process.exitCode = code;
  // Cancelled (Ctrl-C, Esc): stop now, without waiting for reads or istioctl still under way.
  if (code === ExitCode.cancelled) process.exit(code);
}
