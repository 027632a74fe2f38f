// YAML we write (into a user's file, or printed), quoted where a YAML 1.1 reader would misread it.
// kubectl, Argo CD and istioctl read manifests as YAML 1.1, where a plain `on`, `yes`, `off` or `y`
// is a boolean, `0755` octal and `1:30` a number; our YAML 1.2 writer leaves such strings plain. A
// header match `exact: "on"` written plain would reach the cluster as `true` and be rejected.
// Only scalars the writer would leave plain get quotes: a string it quotes anyway (the history
// annotation's JSON, in single quotes) reads the same in both versions and keeps its bytes, and a
// scalar quoted in the user's file keeps the user's quotes.
import { Document, isMap, isScalar, Pair, parse, visit, type Node } from 'yaml';

/** Does a reader of this YAML version take the plain scalar `s` for the string `s`? */
function readsBack(s: string, version: '1.1' | '1.2'): boolean {
  try {
    return parse(s, { version, logLevel: 'error' }) === s;
  } catch {
    return false;
  }
}

// YAML 1.1's timestamp (yaml.org/type/timestamp.html), matched here: the yaml package's own timestamp
// tag is one shared object that other code in the process may switch off (tap's YAML does).
const TIMESTAMP =
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?$/;

// Every YAML 1.1 scalar that is not a string (null, bool, int, float, timestamp) starts like this, so
// other strings skip the parsing: a printed status of many services has thousands of scalars.
const MAYBE_NOT_A_STRING = /^(?:[-+.0-9~]|(?:y|yes|n|no|on|off|true|false|null)$)/i;

/** Would our YAML 1.2 writer leave `s` plain (1.2 reads it back), where YAML 1.1 reads something else? */
export function needsQuotesForYaml11(s: string): boolean {
  if (!MAYBE_NOT_A_STRING.test(s)) return false;
  return readsBack(s, '1.2') && (TIMESTAMP.test(s) || !readsBack(s, '1.1'));
}

/** Double-quotes a string scalar that would be written plain and misread by YAML 1.1; leaves anything else as it is. */
export function quoteIfMisread(node: unknown): void {
  if (!isScalar(node) || typeof node.value !== 'string') return;
  if ((node.type === undefined || node.type === 'PLAIN') && needsQuotesForYaml11(node.value)) node.type = 'QUOTE_DOUBLE';
}

/** doc.createNode(value), keys included, with every string that YAML 1.1 would misread double-quoted. */
export function yaml11SafeNode(doc: Document, value: unknown): Node {
  const node = doc.createNode(value);
  visit(node, {
    Scalar(_, scalar) {
      quoteIfMisread(scalar);
    },
  });
  return node;
}

/**
 * doc.setIn(path, node), where a key the map does not have yet is added as a node of its own:
 * setIn would add it as a bare string, written by the YAML 1.2 rules alone.
 */
export function setNodeIn(doc: Document, path: (string | number)[], node: Node): void {
  const key = path.at(-1);
  const parent = path.length ? doc.getIn(path.slice(0, -1), true) : undefined;
  if (isMap(parent) && !parent.has(key)) parent.add(new Pair(yaml11SafeNode(doc, key), node));
  else doc.setIn(path, node);
}

/** YAML text of a value that YAML 1.1 and 1.2 readers both read back as the value (what -o yaml prints). */
export function yamlText(value: unknown): string {
  const doc = new Document();
  doc.contents = yaml11SafeNode(doc, value);
  return doc.toString({ lineWidth: 0 });
}
