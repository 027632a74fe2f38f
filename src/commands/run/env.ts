// `env …` and `green …`: the options were checked (env.ts); here each form runs — show, prune, the
// guided flow, an environment across services, or on one service through the write path.
import type { Context } from '../../context.js';
import type { ExitCodeValue } from '../../errors.js';
import { planEnv, planEnvDelete } from '../../routing/env.js';
import { parseHeader } from '../../routing/headers.js';
import { askEnv, askEnvironment, type EnvAnswers } from '../../ui/flows/env.js';
import { spin } from '../../ui/spinner.js';
import { requireValues } from '../support/args.js';
import { runChange } from '../support/change.js';
import type { ManyFlags, OneFlags } from '../support/env-options.js';
import type { ScopeOptions, WriteOptions } from '../support/options.js';
import { inNamespace, namespaceOrAsk, serviceOrPick } from '../support/pick.js';
import { readTargets } from '../support/read.js';
import { USAGE } from '../usage.js';
import { runEnvList } from './env-list.js';
import { manyRequest, runEnvDelete, runEnvMany, runEnvPrune } from './env-many.js';

export type EnvOptions =
  /** `env list`, or `env NAME` with no flag that changes anything: show. */
  | { kind: 'list'; only?: string; scope: ScopeOptions }
  | { kind: 'prune'; write: WriteOptions }
  /** `env` alone, at a terminal: ask for everything. */
  | { kind: 'guided'; many: ManyFlags; write: WriteOptions }
  | { kind: 'many'; env: string; many: ManyFlags; write: WriteOptions }
  | { kind: 'delete'; env: string; many: ManyFlags; write: WriteOptions }
  /** On one service; `defaultHeader` is what a non-interactive run without --header uses. */
  | { kind: 'one'; env: string; service: string | undefined; one: OneFlags; write: WriteOptions; usage: string; defaultHeader?: string };

export function runEnvCommand(ctx: Context, given: EnvOptions): Promise<ExitCodeValue> {
  switch (given.kind) {
    case 'list':
      return runEnvList(ctx, given.scope, given.only);
    case 'prune':
      return runEnvPrune(ctx, given.write);
    case 'guided':
      requireValues(ctx, { NAME: undefined }, USAGE.env);
      return guided(ctx, given.many, given.write);
    case 'delete':
      return runEnvDelete(ctx, [given.env], given.many.scope, given.write);
    case 'many':
      return runEnvMany(ctx, manyRequest(given.env, given.many, ctx.now()), given.write);
    case 'one':
      return runEnvOnOne(ctx, given);
  }
}

/** `env NAME SERVICE` and `green SERVICE`: the header route of one environment on one service. */
async function runEnvOnOne(ctx: Context, given: Extract<EnvOptions, { kind: 'one' }>): Promise<ExitCodeValue> {
  const { one, env } = given;
  const headers = one.headers.length
    ? one.headers
    : ctx.interactive || given.defaultHeader === undefined
      ? []
      : [parseHeader(given.defaultHeader, one.type ?? 'exact')];
  requireValues(ctx, { SERVICE: given.service, '--header': one.deleting || headers.length ? true : undefined }, given.usage);
  const req: EnvAnswers = { env, headers, type: one.type, subset: one.subset, stable: one.stable };
  const expires = one.ttlMs === undefined ? undefined : new Date(ctx.now().getTime() + one.ttlMs).toISOString();
  const { opts, service, source } = await serviceOrPick(ctx, given.write, given.service, !one.deleting);
  if (one.deleting) return runChange(ctx, { service, plan: (t, who) => planEnvDelete(t, env, who) }, opts, source);
  return runChange(
    ctx,
    {
      service,
      ask: (t) => askEnv(ctx, t, req),
      plan: (t, who) => planEnv(t, { ...req, gateway: one.gateway, ...who, ...(expires ? { expires } : {}) }),
    },
    opts,
    source,
  );
}

/** `kubectl mesh env` at a terminal: namespace, environment, header, services; the plan; one question. */
async function guided(ctx: Context, many: ManyFlags, write: WriteOptions): Promise<ExitCodeValue> {
  const namespace = write.allNamespaces ? undefined : await namespaceOrAsk(ctx, write);
  const opts = inNamespace(write, namespace);
  const { targets } = await spin(ctx, `reading services in ${namespace ?? 'every namespace'}`, () => readTargets(ctx, undefined, opts));
  const answers = await askEnvironment(ctx, targets);
  const req = manyRequest(answers.env, many, ctx.now());
  return runEnvMany(ctx, { ...req, headers: answers.headers, version: answers.env, scope: { services: answers.services } }, opts);
}
