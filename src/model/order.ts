// Orders for names, label values and timestamps that do not depend on the user's locale, and do not
// load ICU's collator (String#localeCompare builds one on first use: ~6 ms of every command's start).

/** Code-unit order: right for RFC 3339 timestamps and for Kubernetes names (lowercase ASCII). */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * "Natural" order for version label values: digit runs compare as numbers (v2 before v10), letters
 * ignoring case; ties broken by code units, so the order is total.
 */
export function compareNatural(a: string, b: string): number {
  const chunk = /(\d+)|(\D+)/g;
  const xs = a.match(chunk) ?? [];
  const ys = b.match(chunk) ?? [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i];
    const y = ys[i];
    const numeric = /^\d/.test(x) && /^\d/.test(y);
    const order = numeric ? compareDigits(x, y) : compareText(x.toLowerCase(), y.toLowerCase());
    if (order !== 0) return order;
  }
  return xs.length - ys.length || compareText(a, b);
}

/** Digit strings by value, of any length (no precision lost past 2^53). */
function compareDigits(x: string, y: string): number {
  const a = x.replace(/^0+(?=\d)/, '');
  const b = y.replace(/^0+(?=\d)/, '');
  return a.length - b.length || compareText(a, b);
}
