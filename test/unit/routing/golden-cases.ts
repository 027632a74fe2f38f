// Loads the golden cases: test/golden/<verb>/<case>/{input.yaml,args.json}. Shared by the golden
// test and the preservation test (the canary cases are our catalogue of realistic VirtualServices).
import { readdirSync, readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import type { Obj, Workload } from '../../../src/routing/types.js';
import { workload } from '../builders.js';
import type { Step } from './sim.js';

export const GOLDEN = new URL('../../golden/', import.meta.url);

export interface GoldenCase {
  verb: string;
  name: string;
  dir: URL;
  input: Obj[];
  steps: Step[];
  versions: string[];
}

export function goldenCases(verb?: string): GoldenCase[] {
  return readdirSync(GOLDEN)
    .filter((v) => !verb || v === verb)
    .flatMap((v) =>
      readdirSync(new URL(`${v}/`, GOLDEN))
        .sort()
        .map((name) => {
          const dir = new URL(`${v}/${name}/`, GOLDEN);
          const input = parseAllDocuments(readFileSync(new URL('input.yaml', dir), 'utf8'))
            .map((d) => d.toJS() as Obj | null)
            .filter((o): o is Obj => !!o);
          const args = JSON.parse(readFileSync(new URL('args.json', dir), 'utf8')) as { steps: Step[]; versions?: string[] };
          return { verb: v, name, dir, input, steps: args.steps, versions: args.versions ?? ['v1', 'v2'] };
        }),
    );
}

export const initialState = (c: GoldenCase): Workload =>
  workload('reviews', c.versions, {
    vs: c.input.filter((o) => o.kind === 'VirtualService'),
    dr: c.input.filter((o) => o.kind === 'DestinationRule'),
  });
