// The Complete step of a verb: the service named on the command line, or (at a terminal) one picked
// from a namespace. The UI flow asks; the reading is the verbs' own, handed to it as a callback.
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Source } from '../../source/source.js';
import { askNamespace, pickService, type Picked, type PickScope } from '../../ui/flows/pick-service.js';
import type { ScopeOptions } from './options.js';
import { readTargets } from './read.js';

/** The options as if -n NAMESPACE had been given. */
export const inNamespace = <O extends ScopeOptions>(opts: O, namespace: string | undefined): O =>
  namespace === undefined ? opts : { ...opts, namespace };

const pickScope = (opts: ScopeOptions): PickScope => ({ namespace: opts.namespace, offline: opts.files.length > 0 });

/** -n when given; offline (-f) the files' namespace; else asked at the terminal. */
export const namespaceOrAsk = (ctx: Context, opts: ScopeOptions): Promise<string | undefined> => askNamespace(ctx, pickScope(opts));

/** Asks for a namespace (unless -n or -f settles it) and a service in it. */
export function pick(ctx: Context, opts: ScopeOptions, needVersions: boolean): Promise<Picked> {
  return pickService(ctx, needVersions, pickScope(opts), async (namespace) => {
    const { targets, scope } = await readTargets(ctx, undefined, { ...opts, namespace });
    return { targets, source: scope.source };
  });
}

/** SERVICE when given; else, at a terminal, a picked one, with the options moved to its namespace. */
export async function serviceOrPick<O extends ScopeOptions>(
  ctx: Context,
  opts: O,
  service: string | undefined,
  needVersions: boolean,
): Promise<{ opts: O; service: string; source?: Source }> {
  if (service !== undefined) return { opts, service };
  if (!ctx.interactive) throw new UsageError('missing SERVICE', 'pass the name of a Service');
  const picked = await pick(ctx, opts, needVersions);
  return { opts: inNamespace(opts, picked.namespace), service: picked.service, source: picked.source };
}
