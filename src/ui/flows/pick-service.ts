// Guided: which namespace, then which service. One inventory read for the whole namespace;
// services that can be released (two or more versions) come first, each with its current split.
import { list, str } from '../../cli/global-flags.js';
import { scopeOptions } from '../../commands/support/options.js';
import { readTargets } from '../../commands/support/read.js';
import type { Context } from '../../context.js';
import { CancelledError, NotFoundError, UsageError } from '../../errors.js';
import type { Target } from '../../routing/target.js';
import type { Source } from '../../source/source.js';
import { prompter } from '../prompt.js';
import { spin } from '../spinner.js';
import { OTHER, namespaceChoices, serviceChoices, validateNamespace } from './choices.js';

export interface Picked {
  /** The context with the chosen namespace as -n. */
  ctx: Context;
  service: string;
  target: Target;
  source: Source;
}

/** The context as if -n NAMESPACE had been given. */
export const inNamespace = (ctx: Context, namespace: string): Context =>
  ({ ...ctx, flags: { ...ctx.flags, namespace } });

/** -n when given; offline (-f) the files' namespace; else asks, listing namespaces when allowed to. */
export async function askNamespace(ctx: Context): Promise<string | undefined> {
  const given = str(ctx.flags, 'namespace');
  if (given !== undefined || list(ctx.flags, 'filename').length) return given;
  const kube = await ctx.kube();
  const names = await spin(ctx, 'listing namespaces', () => kube.list('Namespace', undefined))
    .then((items) => items.map((n) => n.metadata.name).filter((n): n is string => !!n))
    // Namespaces are cluster-scoped: a user bound per namespace may not list them. Then type one.
    .catch((err: unknown) => { if (err instanceof CancelledError) throw err; return undefined; });
  const ask = prompter(ctx);
  const typed = () => ask.input('Namespace', { default: kube.namespace, validate: validateNamespace });
  if (!names) return typed();
  const picked = await ask.select('Namespace', namespaceChoices(names, kube.namespace), kube.namespace);
  return picked === OTHER ? typed() : picked;
}

export async function pickService(ctx: Context, needVersions: boolean): Promise<Picked> {
  const namespace = await askNamespace(ctx);
  const scoped = namespace === undefined ? ctx : inNamespace(ctx, namespace);
  const { targets, scope } = await spin(ctx, `reading services in ${namespace ?? 'the namespace'}`, () => readTargets(scoped, undefined, scopeOptions(scoped.flags)));
  const where = namespace ?? scope.source.defaultNamespace;
  if (!targets.length) {
    throw new NotFoundError(`no services with versions or routing in namespace ${where}`, 'deploy versions labelled e.g. version: v1, or pick another namespace with -n');
  }
  const choices = serviceChoices(targets, needVersions);
  const first = choices.find((c) => 'value' in c && !c.disabled);
  if (!first) throw new NotFoundError(`no service in namespace ${where} has two versions to route between`, 'deploy the new version as a second Deployment with its own version label first');
  const service = await prompter(ctx).select(`Service in ${where}`, choices, 'value' in first ? first.value : undefined);
  return { ctx: scoped, service, target: targets.find((t) => t.ref.name === service)!, source: scope.source };
}

/** The service named on the command line, or (at a terminal) one picked from a namespace. */
export async function serviceOrPick(ctx: Context, service: string | undefined, needVersions: boolean): Promise<{ ctx: Context; service: string; source?: Source }> {
  if (service !== undefined) return { ctx, service };
  if (!ctx.interactive) throw new UsageError('missing SERVICE', 'pass the name of a Service');
  return pickService(ctx, needVersions);
}
