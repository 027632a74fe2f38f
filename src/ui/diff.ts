// A unified line diff of an object before and after a write, as YAML (what people review).
import type { Write } from '../routing/plan.js';
import type { Obj } from '../routing/types.js';
import { HISTORY_ANNOTATION } from '../model/names.js';
import { yamlText } from '../source/yaml11.js';
import { forDisplay } from './objects.js';

// The history annotation is one long JSON line that changes on every write: noise in a review.
const reviewable = (o: Obj | undefined): string => {
  if (!o) return '';
  const shown = forDisplay(o);
  const { [HISTORY_ANNOTATION]: _h, ...annotations } = shown.metadata.annotations ?? {};
  const { resourceVersion: _r, ...metadata } = {
    ...shown.metadata,
    annotations: Object.keys(annotations).length ? annotations : undefined,
  };
  return yamlText({ ...shown, metadata });
};

/** Longest-common-subsequence line diff; objects are small, so O(n·m) is fine. */
export function diffLines(a: string[], b: string[]): string[] {
  const n = a.length,
    m = b.length;
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  const out: string[] = [];
  let i = 0,
    j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      out.push(`  ${a[i]}`);
      i++;
      j++;
    } else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) out.push(`+ ${b[j++]}`);
    else out.push(`- ${a[i++]}`);
  }
  return out;
}

export async function unifiedDiff(w: Write, color: boolean): Promise<string> {
  const o = (w.after ?? w.before)!;
  const lines = diffLines(reviewable(w.before).split('\n').filter(Boolean), reviewable(w.after).split('\n').filter(Boolean));
  const paint = (l: string) =>
    !color ? l : l.startsWith('+') ? `\u001b[32m${l}\u001b[0m` : l.startsWith('-') ? `\u001b[31m${l}\u001b[0m` : l;
  return [`--- ${w.kind} ${o.metadata.namespace}/${o.metadata.name} (${w.action})`, ...lines.map(paint), ''].join('\n');
}
