// `kubectl mesh completion bash|zsh|fish` prints a script for the `kubectl-mesh` command;
// `kubectl mesh completion --kubectl-plugin [DIR]` writes the kubectl_complete-mesh helper that
// kubectl (1.26+) runs to complete `kubectl mesh <TAB>`. krew cannot install that file itself.
// The code that runs it is in run/completion.ts.
import { resolve } from 'node:path';
import type { FlagValues } from '../cli/flags.js';
import { bool } from '../cli/global-flags.js';
import { UsageError } from '../errors.js';
import { PLUGIN_HELPER_NAME, SHELLS, type Shell } from '../ui/completion-scripts.js';
import { verb } from './command.js';
import type { CompletionOptions } from './run/completion.js';

function completionOptions(args: string[], flags: FlagValues): CompletionOptions {
  if (bool(flags, 'kubectl-plugin')) {
    if (args.length > 1) throw new UsageError(`unexpected argument "${args[1]}"`, 'usage: kubectl mesh completion --kubectl-plugin [DIR]');
    return { kind: 'plugin', dir: args[0] ? resolve(args[0]) : undefined };
  }
  const shell = args[0];
  if (!shell) throw new UsageError('missing SHELL', `usage: kubectl mesh completion ${SHELLS.join('|')}, or --kubectl-plugin [DIR]`);
  if (!(SHELLS as readonly string[]).includes(shell))
    throw new UsageError(`unsupported shell "${shell}"`, `use one of: ${SHELLS.join(', ')}`);
  if (args.length > 1) throw new UsageError(`unexpected argument "${args[1]}"`, `usage: kubectl mesh completion ${SHELLS.join('|')}`);
  return { kind: 'script', shell: shell as Shell };
}

export const completionCommand = verb({
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
  options: completionOptions,
  load: () => import('./run/completion.js').then((m) => m.runCompletion),
});
