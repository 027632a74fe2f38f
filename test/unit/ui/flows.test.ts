// The guided flows through the prompt seam: a scripted Prompter on the context answers, and the
// test sees every question (message, choices, default) that a person would.
import { PassThrough } from 'node:stream';
import t from 'tap';
import { createContext, type Context } from '../../../src/context.js';
import { ExitCode, UsageError } from '../../../src/errors.js';
import { planCanary } from '../../../src/routing/canary.js';
import { resolveTarget } from '../../../src/routing/target.js';
import type { Inventory } from '../../../src/routing/workloads.js';
import type { Source } from '../../../src/source/source.js';
import { requireValues } from '../../../src/commands/support/args.js';
import { runChange } from '../../../src/commands/support/change.js';
import { writeOptions } from '../../../src/commands/support/options.js';
import { askCanary, type CanaryAnswers } from '../../../src/ui/flows/canary.js';
import { CHOOSE_SUBSETS, OTHER } from '../../../src/ui/flows/choices.js';
import { askEnv, type EnvAnswers } from '../../../src/ui/flows/env.js';
import type { ChoiceItem, InputOptions, Prompter } from '../../../src/ui/prompt.js';
import { virtualService, workload } from '../builders.js';

interface Asked {
  kind: 'select' | 'input' | 'confirm' | 'checkbox';
  message: string;
  choices?: ChoiceItem<unknown>[];
  default?: unknown;
  validate?: InputOptions['validate'];
}

/** Answers questions in order; each answer may look at the question. */
function scripted(answers: ((q: Asked) => unknown)[]): Prompter & { asked: Asked[] } {
  const asked: Asked[] = [];
  const next = (q: Asked) => {
    asked.push(q);
    const a = answers.shift();
    if (!a) throw new Error(`unexpected question: ${q.message}`);
    return Promise.resolve(a(q));
  };
  return {
    asked,
    confirm: (message, defaultYes) => next({ kind: 'confirm', message, default: defaultYes }) as Promise<boolean>,
    select: (message, choices, def) => next({ kind: 'select', message, choices: choices, default: def }) as Promise<never>,
    input: (message, opts = {}) => next({ kind: 'input', message, default: opts.default, validate: opts.validate }) as Promise<string>,
    checkbox: (message, choices) => next({ kind: 'checkbox', message, choices: choices }) as Promise<never>,
  };
}
const pick = (v: unknown) => () => v;
const byDefault = (q: Asked) => q.default;

/** A context at a terminal, with the flags it was made from (commands build their options from them). */
function terminal(
  flags: Record<string, string | boolean> = {},
  prompter?: Prompter,
): Context & { flags: typeof flags; out: () => string; err: () => string } {
  const stdout = Object.assign(new PassThrough(), { isTTY: true });
  const stderr = Object.assign(new PassThrough(), { isTTY: true });
  const stdin = Object.assign(new PassThrough(), { isTTY: true });
  let out = '';
  let err = '';
  stdout.on('data', (d) => {
    out += d;
  });
  stderr.on('data', (d) => {
    err += d;
  });
  const ctx = createContext({ stdout, stderr, stdin }, { NO_COLOR: '1' }, flags);
  return Object.assign({ ...ctx, prompter, now: () => new Date('2026-11-26T10:00:00Z') }, { flags, out: () => out, err: () => err });
}

const reviews = (versions = ['v1', 'v2']) => resolveTarget(workload('reviews', versions), 'version');

t.test('askCanary: two versions, weight from the list', async (t) => {
  const p = scripted([byDefault]);
  const req: CanaryAnswers = {};
  await askCanary(terminal({}, p), reviews(), req);
  t.same(req, { weight: 10, stable: 'v1', canary: 'v2' });
  t.equal(p.asked.length, 1, 'one question: the weight');
  t.equal(p.asked[0].message, 'Weight for v2 (now no routing)');
});

t.test('askCanary: "other…" then a typed weight, checked by the validator', async (t) => {
  const p = scripted([
    pick(OTHER),
    (q) => {
      t.equal(q.validate!('101'), 'an integer from 0 to 100');
      return '35';
    },
  ]);
  const req: CanaryAnswers = {};
  await askCanary(terminal({}, p), reviews(), req);
  t.equal(req.weight, 35);
  t.equal(p.asked[1].message, 'Weight for v2 (0-100)');
});

t.test('askCanary: three versions ask stable and canary first, pre-selected', async (t) => {
  const p = scripted([byDefault, pick('v2'), pick(50)]);
  const req: CanaryAnswers = {};
  await askCanary(terminal({}, p), reviews(['v1', 'v2', 'v3']), req);
  t.same(
    p.asked.map((q) => [q.message, q.default]),
    [
      ['Stable subset of reviews (keeps the rest of the traffic)', 'v1'],
      ['Canary subset of reviews', 'v3'],
      ['Weight for v2 (now no routing)', 10],
    ],
  );
  t.same(req, { weight: 50, stable: 'v1', canary: 'v2' });
});

t.test('askCanary: flags answer their questions; "choose other subsets…" asks them again', async (t) => {
  const given = scripted([]);
  const req: CanaryAnswers = { weight: 20, stable: 'v1', canary: 'v3' };
  await askCanary(terminal({}, given), reviews(['v1', 'v2', 'v3']), req);
  t.same(given.asked, [], 'nothing asked when the flags said it all');
  const p = scripted([pick(CHOOSE_SUBSETS), pick('v2'), pick('v1'), pick(25)]);
  const swap: CanaryAnswers = {};
  await askCanary(terminal({}, p), reviews(), swap);
  t.same(swap, { weight: 25, stable: 'v2', canary: 'v1' });
});

t.test('askEnv: match type, then the header (x-env=<env> suggested), lower-cased', async (t) => {
  const p = scripted([
    pick('prefix'),
    (q) => {
      t.equal(q.default, 'x-env=uat');
      t.match(q.validate!('x-env'), /not name=value/);
      return 'X-Team=pay';
    },
  ]);
  const req: EnvAnswers = { env: 'uat', headers: [] };
  await askEnv(terminal({}, p), reviews(), req);
  t.same(req.headers, [{ name: 'x-team', type: 'prefix', value: 'pay' }]);
  t.equal(p.asked[0].default, 'exact');
});

t.test('askEnv: three versions and a VirtualService: only which subset', async (t) => {
  const vs = virtualService('reviews', [
    { name: 'mesh-primary', route: [{ destination: { host: 'reviews.shop.svc.cluster.local', subset: 'v1' }, weight: 100 }] },
  ]);
  const target = resolveTarget(workload('reviews', ['v1', 'v2', 'v3'], { vs: [vs] }), 'version');
  const p = scripted([pick('v2')]);
  const req: EnvAnswers = { env: 'green', headers: [{ name: 'x-env', type: 'exact', value: 'green' }] };
  await askEnv(terminal({}, p), target, req);
  t.equal(p.asked[0].message, 'Subset that green goes to');
  t.equal(req.subset, 'v2');
  t.equal(req.stable, undefined);
});

t.test('requireValues: at a terminal nothing is required; elsewhere a usage error lists what to pass', async (t) => {
  t.doesNotThrow(() => {
    requireValues(terminal(), { WEIGHT: undefined }, 'canary WEIGHT SERVICE');
  });
  const piped = createContext({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough() }, {}, {});
  t.throws(
    () => {
      requireValues(piped, { WEIGHT: undefined, SERVICE: undefined, X: 1 }, 'canary WEIGHT SERVICE [--stable SUBSET]');
    },
    {
      constructor: UsageError,
      exitCode: ExitCode.usage,
      message: 'missing WEIGHT and SERVICE',
      hint: 'pass them: kubectl mesh canary WEIGHT SERVICE [--stable SUBSET]; this is not a terminal, so nothing is asked',
    },
  );
  t.throws(
    () => {
      requireValues(terminal({ 'no-input': true }), { SERVICE: undefined }, 'promote SERVICE');
    },
    {
      constructor: UsageError,
      message: 'missing SERVICE',
      hint: 'pass it: kubectl mesh promote SERVICE; --no-input was given, so nothing is asked',
    },
  );
  t.doesNotThrow(() => {
    requireValues(piped, { SERVICE: 'reviews' }, 'promote SERVICE');
  });
});

/** A live source over a fixed inventory; records what was applied. */
function liveSource(inv: Inventory): Source & { applied: number } {
  const src = {
    live: true,
    defaultNamespace: 'shop',
    user: 'alice',
    applied: 0,
    inventory: async () => inv,
    apply: async (plan: { writes: { after?: object }[] }) => {
      src.applied++;
      return plan.writes.map((w) => w.after!) as never;
    },
  };
  return src;
}
const inventoryOf = (versions: string[], ready = true): Inventory => {
  const w = workload('reviews', versions);
  if (!ready) for (const p of w.pods) p.status!.conditions![0].status = 'False';
  return { services: [w.service], deployments: w.deployments, pods: w.pods, hpas: w.hpas, virtualServices: [], destinationRules: [] };
};

t.test('runChange at a terminal: ask, diff, confirm (yes by default), apply, status', async (t) => {
  const p = scripted([pick(20), byDefault]);
  const ctx = terminal({}, p);
  const src = liveSource(inventoryOf(['v1', 'v2']));
  const req: CanaryAnswers = {};
  const code = await runChange(
    ctx,
    {
      service: 'reviews',
      ask: (tg) => askCanary(ctx, tg, req),
      plan: (tg, who) => planCanary(tg, { ...req, weight: req.weight!, ...who }),
    },
    writeOptions(ctx.flags),
    src,
  );
  t.equal(code, 0);
  t.same(
    p.asked.map((q) => [q.kind, q.message, q.default]),
    [
      ['select', 'Weight for v2 (now no routing)', 10],
      ['confirm', 'Apply to shop/reviews?', true],
    ],
  );
  t.match(
    ctx.err(),
    /create VirtualService shop\/reviews\n {2}\+ mesh-primary: v1 80% \/ v2 20%/,
    'the diff went to stderr before the question',
  );
  t.equal(src.applied, 1);
  t.match(ctx.out(), /virtualservice\/reviews created\nreviews: v1 80% \/ v2 20%\n\nshop\/reviews/, 'the status follows the result');
  t.match(ctx.out(), /SUBSET\s+ROLE\s+TRAFFIC/);
});

t.test('runChange: a warning makes "no" the default; declining writes nothing (exit 130)', async (t) => {
  const p = scripted([byDefault]);
  const ctx = terminal({}, p);
  const src = liveSource(inventoryOf(['v1', 'v2'], false));
  const code = await runChange(
    ctx,
    { service: 'reviews', emergency: true, plan: (tg, who) => planCanary(tg, { weight: 20, ...who }) },
    writeOptions(ctx.flags),
    src,
  );
  t.equal(code, 130);
  t.same(
    p.asked.map((q) => [q.kind, q.default]),
    [['confirm', false]],
  );
  t.match(ctx.err(), /warning: subset v1 \(0\/2 pods Ready\), v2 \(0\/2 pods Ready\)/);
  t.match(ctx.err(), /Nothing was written\./);
  t.equal(src.applied, 0);
});

t.test('runChange: --yes asks nothing, and the status still follows at a terminal', async (t) => {
  const p = scripted([]);
  const ctx = terminal({ yes: true }, p);
  const src = liveSource(inventoryOf(['v1', 'v2']));
  t.equal(
    await runChange(ctx, { service: 'reviews', plan: (tg, who) => planCanary(tg, { weight: 20, ...who }) }, writeOptions(ctx.flags), src),
    0,
  );
  t.same(p.asked, []);
  t.equal(src.applied, 1);
  t.match(ctx.out(), /shop\/reviews/);
});
