// `env list` (every environment of the namespace, or -A) and `env NAME` (one): read-only, one inventory.
import type { Context } from '../../context.js';
import { ExitCode, NotFoundError, type ExitCodeValue } from '../../errors.js';
import { environmentsOf } from '../../routing/environments.js';
import { renderEnvironments } from '../../ui/env-view.js';
import { printData } from '../../ui/output.js';
import type { ScopeOptions } from '../support/options.js';
import { readTargets } from '../support/read.js';

export async function runEnvList(ctx: Context, opts: ScopeOptions, only?: string): Promise<ExitCodeValue> {
  const { targets, scope } = await readTargets(ctx, undefined, opts);
  const now = ctx.now();
  const { environments, warnings } = environmentsOf(targets, now, { podsKnown: scope.source.live });
  for (const w of warnings) ctx.note(`warning: ${w}`);
  const shown = only === undefined ? environments : environments.filter((e) => e.name === only);
  const where = scope.namespace === undefined ? 'any namespace' : `namespace ${scope.namespace}`;
  if (only !== undefined && !shown.length) {
    const names = environments.map((e) => e.name);
    throw new NotFoundError(
      `environment "${only}" has no route in ${where}`,
      names.length ? `environments there: ${names.join(', ')}` : 'create one: kubectl mesh env NAME --header x-env=NAME',
    );
  }
  if (!shown.length && ctx.output === 'table') {
    ctx.note(`no environments in ${where}`);
    return ExitCode.ok;
  }
  await printData(ctx, only === undefined ? shown : shown[0], () => renderEnvironments(shown, now, ctx.color));
  return ExitCode.ok;
}
