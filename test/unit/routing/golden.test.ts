// Golden files: test/golden/<verb>/<case>/{input.yaml,args.json,expected.yaml}.
// input.yaml holds the user's VirtualService / DestinationRule (the service is reviews in shop with
// Deployments v1 and v2, see builders.ts); args.json lists the steps, the last of which is the verb
// under test; expected.yaml is that verb's plan (or error). UPDATE_GOLDEN=1 rewrites expected.yaml,
// so a change of behaviour shows up as a reviewable YAML diff.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import t from 'tap';
import { stringify } from 'yaml';
import { HISTORY_ANNOTATION } from '../../../src/model/names.js';
import type { Plan } from '../../../src/routing/plan.js';
import type { Obj } from '../../../src/routing/types.js';
import { goldenCases, initialState, type GoldenCase } from './golden-cases.js';
import { planStep, runAll } from './sim.js';

/** The history annotation is JSON in a string; shown parsed, so a diff reads line by line. */
const readable = (o: Obj | undefined): unknown => {
  const history = o?.metadata.annotations?.[HISTORY_ANNOTATION];
  if (!o || !history) return o;
  return { ...o, metadata: { ...o.metadata, annotations: { ...o.metadata.annotations, [HISTORY_ANNOTATION]: JSON.parse(history) } } };
};

function render(c: GoldenCase): string {
  const setup = runAll(initialState(c), c.steps.slice(0, -1));
  let out: unknown;
  try {
    const plan: Plan = planStep(setup, c.steps.at(-1)!);
    out = {
      summary: plan.summary,
      receiving: plan.receiving,
      writes: plan.writes.map((w) => ({
        action: w.action,
        kind: w.kind,
        ...(w.after ? { object: readable(w.after) } : { name: `${w.before!.metadata.namespace}/${w.before!.metadata.name}` }),
      })),
    };
  } catch (e) {
    const err = e as { name: string; exitCode?: number; message: string; hint?: string };
    out = { error: { name: err.name, exitCode: err.exitCode, message: err.message, hint: err.hint } };
  }
  return stringify(out, { lineWidth: 0, aliasDuplicateObjects: false });
}

const update = process.env.UPDATE_GOLDEN === '1';

for (const c of goldenCases()) {
  t.test(`golden ${c.verb}/${c.name}`, async (t) => {
    const file = new URL('expected.yaml', c.dir);
    const actual = render(c);
    if (update) writeFileSync(file, actual);
    if (!existsSync(file)) return t.fail(`${c.verb}/${c.name}/expected.yaml is missing; run with UPDATE_GOLDEN=1 and review it`);
    t.equal(actual, readFileSync(file, 'utf8'), 'plan equals expected.yaml (UPDATE_GOLDEN=1 rewrites it)');
  });
}
