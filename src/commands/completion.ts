// `kubectl mesh completion bash|zsh|fish` prints a script for the `kubectl-mesh` command;
// `kubectl mesh completion --kubectl-plugin [DIR]` writes the kubectl_complete-mesh helper that
// kubectl (1.26+) runs to complete `kubectl mesh <TAB>`. krew cannot install that file itself.
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { bool } from '../cli/global-flags.js';
import { MeshError, UsageError } from '../errors.js';
import { completionScript, PLUGIN_HELPER_NAME, pluginHelper, SHELLS, type Shell } from '../ui/completion-scripts.js';
import type { Command } from './command.js';

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/**
 * Where the helper goes by default: the PATH directory kubectl finds kubectl-mesh in (krew's bin
 * directory for a krew install), else $KREW_ROOT/bin or ~/.krew/bin when that exists.
 */
export function defaultHelperDir(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'kubectl-mesh'))) return dir;
  }
  const krewBin = join(env.KREW_ROOT || join(env.HOME || homedir(), '.krew'), 'bin');
  return isDir(krewBin) ? krewBin : undefined;
}

export const completionCommand: Command = {
  name: 'completion',
  summary: "Print a shell completion script, or install kubectl's completion helper",
  usage: 'completion SHELL | completion --kubectl-plugin [DIR]',
  description: [
    'Print a completion script for bash, zsh or fish (it completes the kubectl-mesh command), or',
    `with --kubectl-plugin write ${PLUGIN_HELPER_NAME}, which kubectl 1.26+ runs to complete`,
    '"kubectl mesh <TAB>" once kubectl\'s own completion is loaded. DIR must be on PATH; the default is',
    'the directory kubectl-mesh is found in (e.g. ~/.krew/bin).',
  ].join('\n'),
  examples: [
    'kubectl mesh completion --kubectl-plugin              # then: kubectl mesh <TAB>',
    'source <(kubectl mesh completion bash)',
    'kubectl mesh completion zsh > "${fpath[1]}/_kubectl-mesh"',
    'kubectl mesh completion fish > ~/.config/fish/completions/kubectl-mesh.fish',
  ],
  flags: [
    { name: 'kubectl-plugin', kind: 'boolean', description: `write the ${PLUGIN_HELPER_NAME} helper for kubectl's completion into DIR` },
  ],
  async run(ctx, args, flags) {
    if (bool(flags, 'kubectl-plugin')) {
      if (args.length > 1)
        throw new UsageError(`unexpected argument "${args[1]}"`, 'usage: kubectl mesh completion --kubectl-plugin [DIR]');
      const dir = args[0] ? resolve(args[0]) : defaultHelperDir(ctx.env);
      if (!dir)
        throw new UsageError(
          'cannot tell where to write the completion helper: kubectl-mesh is not on PATH and ~/.krew/bin does not exist',
          'pass a directory on PATH: kubectl mesh completion --kubectl-plugin DIR',
        );
      if (!isDir(dir)) throw new UsageError(`"${dir}" is not a directory`, 'pass a directory on PATH');
      const file = join(dir, PLUGIN_HELPER_NAME);
      try {
        writeFileSync(file, pluginHelper());
        chmodSync(file, 0o755);
      } catch (err) {
        throw new MeshError(`cannot write ${file}: ${(err as Error).message}`, undefined, 'pass a directory you can write to', {
          cause: err,
        });
      }
      ctx.streams.stdout.write(`${file}\n`);
      const onPath = (ctx.env.PATH ?? '').split(delimiter).some((d) => d && resolve(d) === dir);
      if (!onPath) ctx.note(`warning: ${dir} is not on PATH; kubectl will not find ${PLUGIN_HELPER_NAME} until it is`);
      return;
    }
    const shell = args[0];
    if (!shell) throw new UsageError('missing SHELL', `usage: kubectl mesh completion ${SHELLS.join('|')}, or --kubectl-plugin [DIR]`);
    if (!(SHELLS as readonly string[]).includes(shell))
      throw new UsageError(`unsupported shell "${shell}"`, `use one of: ${SHELLS.join(', ')}`);
    if (args.length > 1) throw new UsageError(`unexpected argument "${args[1]}"`, `usage: kubectl mesh completion ${SHELLS.join('|')}`);
    ctx.streams.stdout.write(completionScript(shell as Shell));
  },
};
