// Applies the difference between two plain values to a YAML Document, touching only what
// changed, so comments, key order and formatting of everything else survive --in-place.
import { isScalar, isSeq, type Document } from 'yaml';
import { quoteIfMisread, setNodeIn, yaml11SafeNode } from './yaml11.js';

type Path = (string | number)[];
const same = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);
const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const nameOf = (v: unknown): unknown => (isRecord(v) ? v.name : undefined);

export function patchDocument(doc: Document, path: Path, before: unknown, after: unknown): void {
  if (same(before, after)) return;
  if (after === undefined) {
    doc.deleteIn(path);
    return;
  }
  if (isRecord(before) && isRecord(after)) {
    for (const k of Object.keys(before)) if (!(k in after) || after[k] === undefined) doc.deleteIn([...path, k]);
    for (const [k, v] of Object.entries(after)) if (v !== undefined) patchDocument(doc, [...path, k], before[k], v);
    return;
  }
  const node = doc.getIn(path, true);
  if (Array.isArray(before) && Array.isArray(after) && isSeq(node)) {
    patchSequence(doc, path, node.items, before, after);
    return;
  }
  if (isScalar(node) && (after === null || typeof after !== 'object')) {
    // A scalar keeps its node, so its comment and the user's quotes stay; a plain one may need quotes now.
    node.value = after;
    quoteIfMisread(node);
  } else setNodeIn(doc, path, yaml11SafeNode(doc, after));
}

/** Items are matched to old nodes: equal value, then same `name`, then same position. */
function patchSequence(doc: Document, path: Path, nodes: unknown[], before: unknown[], after: unknown[]): void {
  const used = new Set<number>();
  const claim = (i: number) => {
    if (i === -1 || used.has(i)) return -1;
    used.add(i);
    return i;
  };
  const sources = after.map((item, idx) => {
    const equal = claim(before.findIndex((b, i) => !used.has(i) && same(b, item)));
    if (equal !== -1) return { from: equal, patch: false };
    const named = nameOf(item) === undefined ? -1 : claim(before.findIndex((b, i) => !used.has(i) && nameOf(b) === nameOf(item)));
    if (named !== -1) return { from: named, patch: true };
    const positional = isRecord(item) && isRecord(before[idx]) && !after.some((a) => same(a, before[idx])) ? claim(idx) : -1;
    return positional !== -1 ? { from: positional, patch: true } : { from: -1, patch: false };
  });
  const seq = doc.getIn(path, true) as { items: unknown[] };
  seq.items = sources.map((s, idx) => (s.from === -1 ? yaml11SafeNode(doc, after[idx]) : nodes[s.from]));
  sources.forEach((s, idx) => {
    if (s.patch) patchDocument(doc, [...path, idx], before[s.from], after[idx]);
  });
}
