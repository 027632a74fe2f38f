// Structural equality that ignores key order: the API server returns custom resources with
// sorted keys, while objects we build keep insertion order.
const canonical = (v: unknown): unknown => {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).filter((k) => (v as Record<string, unknown>)[k] !== undefined).sort()
      .map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
};

export const sameValue = (a: unknown, b: unknown): boolean => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));
