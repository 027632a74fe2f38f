// Guided: which namespace, then which service. One inventory read for the whole namespace;
// services that can be released (two or more versions) come first, each with its current split.
import type { Context } from '../../context.js';
import { CancelledError, NotFoundError } from '../../errors.js';
import type { Target } from '../../routing/target.js';
import type { Source } from '../../source/source.js';
import { prompter } from '../prompt.js';
import { spin } from '../spinner.js';
import { OTHER, namespaceChoices, serviceChoices, validateNamespace } from './choices.js';

export interface Picked {
  /** The namespace picked; undefined: the default one (offline: the files'). */
  namespace: string | undefined;
  service: string;
  target: Target;
  source: Source;
}

/** What the verb knows before asking: -n, and whether it works on files (which carry their namespace). */
export interface PickScope {
  namespace: string | undefined;
  offline: boolean;
}

/** Reads the services of a namespace: the verb's read path, handed in. */
export type ReadServices = (namespace: string | undefined) => Promise<{ targets: Target[]; source: Source }>;

/** -n when given; offline (-f) the files' namespace; else asks, listing namespaces when allowed to. */
export async function askNamespace(ctx: Context, scope: PickScope): Promise<string | undefined> {
  if (scope.namespace !== undefined || scope.offline) return scope.namespace;
  const kube = await ctx.kube();
  const names = await spin(ctx, 'listing namespaces', () => kube.list('Namespace', undefined))
    .then((items) => items.map((n) => n.metadata.name).filter((n): n is string => !!n))
    // Namespaces are cluster-scoped: a user bound per namespace may not list them. Then type one.
    .catch((err: unknown) => {
      if (err instanceof CancelledError) throw err;
      return undefined;
    });
  const ask = prompter(ctx);
  const typed = () => ask.input('Namespace', { default: kube.namespace, validate: validateNamespace });
  if (!names) return typed();
  const picked = await ask.select('Namespace', namespaceChoices(names, kube.namespace), kube.namespace);
  return picked === OTHER ? typed() : picked;
}

export async function pickService(ctx: Context, needVersions: boolean, scope: PickScope, read: ReadServices): Promise<Picked> {
  const namespace = await askNamespace(ctx, scope);
  const { targets, source } = await spin(ctx, `reading services in ${namespace ?? 'the namespace'}`, () => read(namespace));
  const where = namespace ?? source.defaultNamespace;
  if (!targets.length) {
    throw new NotFoundError(
      `no services with versions or routing in namespace ${where}`,
      'deploy versions labelled e.g. version: v1, or pick another namespace with -n',
    );
  }
  const choices = serviceChoices(targets, needVersions);
  const first = choices.find((c) => 'value' in c && !c.disabled);
  if (!first)
    throw new NotFoundError(
      `no service in namespace ${where} has two versions to route between`,
      'deploy the new version as a second Deployment with its own version label first',
    );
  const service = await prompter(ctx).select(`Service in ${where}`, choices, 'value' in first ? first.value : undefined);
  return { namespace, service, target: targets.find((t) => t.ref.name === service)!, source };
}
