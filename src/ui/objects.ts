// Prints Kubernetes objects the way kubectl does: YAML documents, or JSON (a List when several).
import type { Context } from '../context.js';
import type { Obj } from '../routing/types.js';

/** Without the server's bookkeeping (kubectl hides managedFields too). */
export function forDisplay(o: Obj): Obj {
  const { managedFields: _m, ...metadata } = o.metadata;
  return { ...o, metadata };
}

export async function printObjects(ctx: Context, objects: Obj[], format: 'yaml' | 'json'): Promise<void> {
  const shown = objects.map(forDisplay);
  if (format === 'json') {
    const data = shown.length === 1 ? shown[0] : { apiVersion: 'v1', kind: 'List', items: shown };
    ctx.streams.stdout.write(`${JSON.stringify(data, null, 2)}\n`);
    return;
  }
  const { yamlText } = await import('../source/yaml11.js');
  ctx.streams.stdout.write(shown.map((o) => yamlText(o)).join('---\n'));
}
