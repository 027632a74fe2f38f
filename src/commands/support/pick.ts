// The Complete step of a verb: the service named on the command line, or (at a terminal) one picked
// from a namespace. The UI flow asks; the reading is the verbs' own, handed to it as a callback.
import type { Context } from '../../context.js';
import { UsageError } from '../../errors.js';
import type { Source } from '../../source/source.js';
import { askNamespace, pickService, type Picked, type PickScope } from '../../ui/flows/pick-service.js';
import { scopeOptions } from './options.js';
import { readTargets } from './read.js';

/** The context as if -n NAMESPACE had been given (the verb builds its options from it). */
export const inNamespace = (ctx: Context, namespace: string | undefined): Context =>
  namespace === undefined ? ctx : { ...ctx, flags: { ...ctx.flags, namespace } };

const pickScope = (ctx: Context): PickScope => {
  const opts = scopeOptions(ctx.flags);
  return { namespace: opts.namespace, offline: opts.files.length > 0 };
};

/** -n when given; offline (-f) the files' namespace; else asked at the terminal. */
export const namespaceOrAsk = (ctx: Context): Promise<string | undefined> => askNamespace(ctx, pickScope(ctx));

/** Asks for a namespace (unless -n or -f settles it) and a service in it. */
export async function pick(ctx: Context, needVersions: boolean): Promise<Picked & { ctx: Context }> {
  const opts = scopeOptions(ctx.flags);
  const picked = await pickService(ctx, needVersions, pickScope(ctx), async (namespace) => {
    const { targets, scope } = await readTargets(ctx, undefined, { ...opts, namespace });
    return { targets, source: scope.source };
  });
  return { ...picked, ctx: inNamespace(ctx, picked.namespace) };
}

export async function serviceOrPick(
  ctx: Context,
  service: string | undefined,
  needVersions: boolean,
): Promise<{ ctx: Context; service: string; source?: Source }> {
  if (service !== undefined) return { ctx, service };
  if (!ctx.interactive) throw new UsageError('missing SERVICE', 'pass the name of a Service');
  return pick(ctx, needVersions);
}
