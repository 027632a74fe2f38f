// Canonical equality: the API server returns custom resources with sorted keys, while objects we
// build keep insertion order, so "the same value" must ignore key order (and keys set to undefined).

const isDict = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Order-insensitive JSON text of a value. */
export function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (isDict(v)) {
    return `{${Object.keys(v)
      .sort()
      .filter((k) => v[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v) ?? 'undefined';
}

export const sameValue = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);
