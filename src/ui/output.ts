// The one place that turns a verb's result into table / json / yaml on stdout.
import type { Context } from '../context.js';

export async function printData(ctx: Context, data: unknown, table: () => string): Promise<void> {
  if (ctx.output === 'json') ctx.streams.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
  else if (ctx.output === 'yaml') {
    const { yamlText } = await import('../source/yaml11.js');
    ctx.streams.stdout.write(yamlText(data));
  } else ctx.streams.stdout.write(table());
}
