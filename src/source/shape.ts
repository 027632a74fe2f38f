// The fields of VirtualServices and DestinationRules that routing reads, checked for the right shape
// before anything uses them: a hand-written `http: "str"` is one line naming the field, not a crash.
import type { Obj } from '../routing/types.js';

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const typeName = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'a list' : typeof v === 'object' ? 'a map' : `a ${typeof v}`;

type Check = (v: unknown, path: string) => string | undefined;

const optional =
  (check: Check): Check =>
  (v, path) =>
    v === undefined ? undefined : check(v, path);
const str: Check = (v, path) => (typeof v === 'string' ? undefined : `${path} must be a string (is ${typeName(v)})`);
const stringMap: Check = (v, path) => {
  if (!isRecord(v)) return `${path} must be a map of strings (is ${typeName(v)})`;
  const bad = Object.entries(v).find(([, x]) => typeof x !== 'string');
  return bad ? `${path}.${bad[0]} must be a string (is ${typeName(bad[1])})` : undefined;
};
const listOf =
  (item: Check): Check =>
  (v, path) => {
    if (!Array.isArray(v)) return `${path} must be a list (is ${typeName(v)})`;
    for (const [i, x] of v.entries()) {
      const problem = item(x, `${path}[${i}]`);
      if (problem) return problem;
    }
    return undefined;
  };
const map =
  (fields: Record<string, Check>): Check =>
  (v, path) => {
    if (!isRecord(v)) return `${path} must be a map (is ${typeName(v)})`;
    for (const [k, check] of Object.entries(fields)) {
      const problem = check(v[k], `${path}.${k}`);
      if (problem) return problem;
    }
    return undefined;
  };
const weight: Check = (v, path) => (Number.isInteger(v) ? undefined : `${path} must be an integer (is ${typeName(v)})`);
const port = map({ number: optional(weight) });
// A route entry without `destination` is invalid for Istio, but not unreadable: analyze reports it.
const destination = map({
  destination: optional(map({ host: str, subset: optional(str), port: optional(port) })),
  weight: optional(weight),
});
const route = map({
  name: optional(str),
  match: optional(listOf(optional(map({ headers: optional(map({})) })))),
  route: optional(listOf(destination)),
});
const metadata = map({ name: str, namespace: optional(str), annotations: optional(stringMap), labels: optional(stringMap) });

const SHAPES: Record<string, Check> = {
  VirtualService: map({
    metadata,
    spec: map({
      hosts: optional(listOf(str)),
      gateways: optional(listOf(str)),
      http: optional(listOf(route)),
      tcp: optional(listOf(map({ route: optional(listOf(destination)) }))),
      tls: optional(listOf(map({ route: optional(listOf(destination)) }))),
    }),
  }),
  DestinationRule: map({
    metadata,
    spec: map({ host: str, subsets: optional(listOf(map({ name: str, labels: optional(stringMap) }))) }),
  }),
  Service: map({ metadata, spec: optional(map({ selector: optional(stringMap) })) }),
  Deployment: map({ metadata }),
  HorizontalPodAutoscaler: map({ metadata }),
};

/** What is wrong with the object's shape ("spec.http[0] must be a map (is a number)"), or undefined. */
export function shapeProblem(o: Obj): string | undefined {
  const check = o.kind ? SHAPES[o.kind] : undefined;
  return check?.(o, '')?.replace(/^\./, '');
}
