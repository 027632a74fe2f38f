import type { Command } from './command.js';
import { clientVersion } from '../version.js';
import { printData } from '../ui/output.js';

export const versionCommand: Command = {
  name: 'version',
  summary: 'Print the client version',
  usage: 'version [flags]',
  examples: ['kubectl mesh version', 'kubectl mesh version -o json'],
  flags: [],
  async run(ctx) {
    const data = { clientVersion };
    printData(ctx, data, () => `Client Version: ${clientVersion}\n`);
  },
};
