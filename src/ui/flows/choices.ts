// Pure pieces of the guided flows: the lists people pick from, the defaults, and the checks
// run on what they type. No I/O here, so unit tests cover them directly.
import { MeshError } from '../../errors.js';
import { ENV_NAME, parseHeader } from '../../routing/headers.js';
import { chooseRoles, knownSubsets, type Target } from '../../routing/target.js';
import type { HeaderCondition, Roles } from '../../routing/types.js';
import { currentSplit, describeSplit, envRoutes } from '../../routing/view.js';
import type { Choice, ChoiceItem } from '../prompt.js';
import { compareText } from '../../model/order.js';

export const OTHER = Symbol('other');
export const CHOOSE_SUBSETS = Symbol('choose subsets');

const canRelease = (t: Target): boolean => knownSubsets(t).length >= 2;

/** What a service's routing looks like now, in one line: `v1 80% / v2 20%  env green`. */
export function routingSummary(t: Target): string {
  const split = currentSplit(t.vs, t.ref);
  const envs = envRoutes(t.vs).map((e) => `env ${e.name} → ${e.subset}`);
  const versions = t.versions.map((v) => v.subset);
  const head = split.length
    ? describeSplit(split)
    : versions.length >= 2
      ? `${t.vs ? 'no split yet' : 'no routing yet'} (${versions.join(', ')})`
      : versions.length === 1
        ? `one version (${versions[0]})`
        : 'no versions';
  return [head, ...envs].join('  ');
}

/**
 * Services to pick from: those with two or more versions first, each with its current split.
 * With `needVersions`, the others are shown but cannot be picked.
 */
export function serviceChoices(targets: Target[], needVersions: boolean): ChoiceItem<string>[] {
  const ready = targets.filter(canRelease);
  const rest = targets.filter((t) => !canRelease(t));
  const width = Math.max(0, ...targets.map((t) => t.ref.name.length));
  const choice = (t: Target) => ({
    name: `${t.ref.name.padEnd(width)}  ${routingSummary(t)}`,
    value: t.ref.name,
    short: t.ref.name,
    ...(needVersions && !canRelease(t) ? { disabled: '(needs two versions)' } : {}),
  });
  return [...ready.map(choice), ...(ready.length && rest.length ? [{ separator: '──────' }] : []), ...rest.map(choice)];
}

/** Namespaces to pick from: the context's first, then the rest by name, then "other…". */
export function namespaceChoices(names: string[], current: string): ChoiceItem<string | typeof OTHER>[] {
  const others = [...new Set(names)].filter((n) => n !== current).sort();
  return [
    { name: `${current} (current context)`, value: current, short: current },
    ...others.map((n) => ({ name: n, value: n })),
    { name: 'other…', value: OTHER },
  ];
}

export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export const validateNamespace = (text: string): string | undefined =>
  DNS_LABEL.test(text) && text.length <= 63 ? undefined : 'lowercase letters, digits and -, e.g. shop';

export const validateWeight = (text: string): string | undefined =>
  /^\d{1,3}$/.test(text.trim()) && Number(text) <= 100 ? undefined : 'an integer from 0 to 100';

export const validateEnvName = (text: string): string | undefined =>
  ENV_NAME.test(text) ? undefined : 'lowercase letters, digits and -, at most 40 characters';

/** `name=value` as a header condition of `type`, or what is wrong with it. */
export function validateHeader(text: string, type: HeaderCondition['type']): string | undefined {
  try {
    parseHeader(text.trim(), type);
    return undefined;
  } catch (err) {
    if (err instanceof MeshError) return err.message;
    throw err;
  }
}

export const NEXT_STEPS = [10, 25, 50, 100] as const;

/**
 * The usual next steps of a canary, each with the split it gives; the current weight is shown but
 * not offered; "0" when traffic should go back; "other…" for any integer.
 */
export function weightChoices(
  roles: Required<Roles>,
  current: number,
): {
  choices: ChoiceItem<number | typeof OTHER | typeof CHOOSE_SUBSETS>[];
  default: number | typeof OTHER;
} {
  const steps = [...(current > 0 ? [0] : []), ...NEXT_STEPS];
  const label = (w: number) =>
    `${String(w).padStart(3)}%  ${describeSplit([
      { subset: roles.stable, weight: 100 - w },
      { subset: roles.canary, weight: w },
    ])}`;
  const choices: ChoiceItem<number | typeof OTHER | typeof CHOOSE_SUBSETS>[] = steps.map((w) => ({
    name: label(w),
    value: w,
    ...(w === current ? { disabled: '(now)' } : {}),
    ...(w === 0 ? { description: `all traffic back to ${roles.stable}` } : {}),
    ...(w === 100 ? { description: `all traffic to ${roles.canary}; "promote" then makes it stable` } : {}),
  }));
  choices.push({ name: 'other…', value: OTHER, description: 'type any integer from 0 to 100' });
  choices.push({
    name: 'choose other subsets…',
    value: CHOOSE_SUBSETS,
    description: `now ${roles.stable} is stable and ${roles.canary} the canary`,
  });
  const next = NEXT_STEPS.find((w) => w > current);
  return { choices, default: next ?? OTHER };
}

/** Who is stable and who the candidate, as far as discovery can tell; a best guess when it cannot. */
export function suggestedRoles(t: Target, explicit: Roles = {}): Required<Roles> | undefined {
  try {
    return chooseRoles(t, explicit);
  } catch {
    const subsets = knownSubsets(t);
    if (subsets.length < 2) return undefined;
    const split = currentSplit(t.vs, t.ref);
    const weight = (s: string) => split.find((w) => w.subset === s)?.weight ?? 0;
    // Most traffic is stable (ties: the oldest version); the newest other version is the candidate.
    const stable = explicit.stable ?? [...subsets].sort((a, b) => weight(b) - weight(a))[0];
    const canary = explicit.canary ?? [...subsets].reverse().find((s) => s !== stable)!;
    return { stable, canary };
  }
}

/** Subsets to pick one from, each with its current weight; `exclude` is listed but cannot be picked. */
export function subsetChoices(t: Target, exclude?: string): ChoiceItem<string>[] {
  const split = currentSplit(t.vs, t.ref);
  return knownSubsets(t).map((s) => {
    const weight = split.find((w) => w.subset === s)?.weight;
    return {
      name: `${s}${weight === undefined ? '' : `  (${weight}% now)`}`,
      value: s,
      ...(s === exclude ? { disabled: '(stable)' } : {}),
    };
  });
}

export type Action = 'canary' | 'green' | 'env' | 'promote' | 'rollback' | 'status' | 'history';

/** What can be done with a service, with a reason next to what cannot be done now. */
export function actionChoices(t: Target): ChoiceItem<Action>[] {
  const two = canRelease(t) ? undefined : '(needs two versions)';
  const routed = t.vs ? undefined : '(nothing routed yet)';
  const revisions = t.history.length >= 2 ? undefined : '(no earlier revision)';
  const item = (value: Action, name: string, description: string, disabled?: string) => ({
    name,
    value,
    short: value,
    description,
    ...(disabled ? { disabled } : {}),
  });
  return [
    item('canary', 'canary    shift a share of traffic to the new version', 'weighted split between stable and canary', two),
    item(
      'green',
      'green     send requests with a header to the new version',
      'blue/green: x-env=green goes to the candidate, the rest stays',
      two,
    ),
    item('env', "env       a named environment's header route", 'UAT, DEV, PreProd … side by side, chosen by a request header', two),
    item('promote', 'promote   make the candidate the new stable', '100% to the candidate; its header routes go', routed),
    item('rollback', 'rollback  back to an earlier routing revision', 'restores the routes kubectl-mesh owned at that revision', revisions),
    item('status', 'status    what goes where, and is it healthy', 'weights, header routes, Ready pods, HPAs'),
    item('history', 'history   the routing revisions of this service', 'when, who, what changed'),
  ];
}

/** Revisions a rollback can go to, newest first; the current one is listed but not offered. */
export function revisionChoices(t: Target): ChoiceItem<number>[] {
  const latest = t.history.at(-1)?.revision;
  return [...t.history].reverse().map((r) => ({
    name: `${String(r.revision).padStart(3)}  ${r.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z')}  ${r.user}  ${r.change}`,
    value: r.revision,
    ...(r.revision === latest ? { disabled: '(current)' } : {}),
  }));
}

/**
 * Environments to pick from: the version values present (with the services that have each),
 * environments that already route first, then values a few services have, then the rest.
 */
export function environmentChoices(targets: Target[]): Choice<string>[] {
  const values = new Map<string, string[]>();
  for (const t of targets) for (const v of t.versions) values.set(v.value, [...(values.get(v.value) ?? []), t.ref.name]);
  const routed = new Set(targets.flatMap((t) => envRoutes(t.vs).map((e) => e.name)));
  const names = [...values.keys()]
    .filter((v) => ENV_NAME.test(v))
    .sort((a, b) => Number(routed.has(b)) - Number(routed.has(a)) || values.get(a)!.length - values.get(b)!.length || compareText(a, b));
  const width = Math.max(0, ...names.map((n) => n.length));
  return names.map((n) => {
    const services = values.get(n)!;
    const list = `${services.slice(0, 4).join(', ')}${services.length > 4 ? ', …' : ''}`;
    return {
      name: `${n.padEnd(width)}  ${services.length} service${services.length > 1 ? 's' : ''} (${list})${routed.has(n) ? '  routed now' : ''}`,
      value: n,
      short: n,
    };
  });
}
