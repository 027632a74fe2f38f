// Help text in kubectl's layout: description, examples, options, usage.
import type { Command } from '../commands/command.js';
import type { FlagSpec } from './flags.js';

const flagLine = (f: FlagSpec): string => {
  const names = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.kind === 'boolean' ? '' : `=${f.placeholder ?? 'VALUE'}`}`;
  return `  ${names.padEnd(34)} ${f.description}`;
};

export function commandHelp(cmd: Command, common: FlagSpec[]): string {
  const parts = [cmd.description ?? cmd.summary, '', 'Examples:', ...cmd.examples.map((e) => `  ${e}`), ''];
  if (cmd.flags.length) parts.push('Options:', ...cmd.flags.map(flagLine), '');
  parts.push('Common options:', ...common.map(flagLine), '', 'Usage:', `  kubectl mesh ${cmd.usage}`, '');
  return parts.join('\n');
}

export function rootHelp(commands: Command[]): string {
  const width = Math.max(...commands.map((c) => c.name.length)) + 2;
  return [
    'kubectl mesh: Istio canary and blue/green releases from the command line, with no controller in the cluster.',
    '',
    'Examples:',
    '  kubectl mesh canary 20 reviews -n shop            # 80% stable, 20% canary',
    '  kubectl mesh green reviews --header x-env=green   # x-env: green goes to the candidate',
    '  kubectl mesh status -n shop                       # what goes where, and is it healthy',
    '  kubectl mesh promote reviews                      # the candidate becomes stable',
    '  kubectl mesh rollback reviews                     # back to the previous routing',
    '  kubectl mesh                                      # at a terminal: pick a service, then what to do',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}${c.summary}`),
    '',
    'Usage:',
    '  kubectl mesh COMMAND [SERVICE] [flags]',
    '',
    'Use "kubectl mesh COMMAND --help" for more about a command.',
    'At a terminal, a missing SERVICE, WEIGHT or header is asked for; --no-input (or no terminal) makes it an error.',
    '',
  ].join('\n');
}
