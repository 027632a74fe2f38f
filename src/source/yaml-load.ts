// One -f file parsed: its documents, the objects they hold (checked for shape), and each document's
// original text so untouched documents are written back byte for byte.
import { isMap, isScalar, parseAllDocuments, visit, type Document } from 'yaml';
import { UsageError } from '../errors.js';
import type { Obj } from '../routing/types.js';
import { shapeProblem } from './shape.js';
import { decodeFile, type DecodedFile } from './text-codec.js';

export interface LoadedFile extends DecodedFile {
  path: string;
  /** The bytes as read, then as last written: an --in-place write checks nothing else changed them meanwhile. */
  bytes: Buffer;
  docs: Document[];
  /** The object of each document (same index), undefined when it is not a Kubernetes object. */
  objects: (Obj | undefined)[];
  /** Each document's original text (from the end of the one before, so leading comments and `---` come along). */
  sources: Map<Document, string>;
  /** Documents an --in-place change edited: printed anew. */
  changed: Set<Document>;
}

/** Aliases a valid manifest may use; more (or a nested "billion laughs") is refused as an expansion attack. */
const MAX_ALIAS_COUNT = 10_000;
const fix = 'fix the file and run again';

const lineOf = (text: string, offset: number): number => text.slice(0, offset).split('\n').length;

export function loadYamlFile(path: string, bytes: Buffer): LoadedFile {
  const decoded = decodeFile(bytes);
  const { text } = decoded;
  // uniqueKeys is checked below in one pass: the parser's own check is quadratic in a map's size.
  const docs = parseAllDocuments(text, { uniqueKeys: false });
  const list = Array.isArray(docs) ? docs : [docs];
  const broken = list.find((d) => d.errors.length);
  if (broken) throw new UsageError(`${path}: invalid YAML: ${broken.errors[0].message.split('\n')[0]}`, fix);
  const sources = new Map<Document, string>();
  list.forEach((doc, i) =>
    sources.set(doc, text.slice(i === 0 ? 0 : list[i - 1].range[2], i === list.length - 1 ? text.length : doc.range[2])),
  );
  const objects = list.map((doc) => {
    duplicateKeyCheck(doc, path, text);
    let obj: Obj | null;
    try {
      obj = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }) as Obj | null;
    } catch (err) {
      throw new UsageError(
        `${path}: ${/alias/i.test((err as Error).message) ? `more than ${MAX_ALIAS_COUNT} YAML alias expansions (refused as a resource exhaustion attack)` : (err as Error).message}`,
        fix,
      );
    }
    if (!obj || typeof obj !== 'object' || !obj.kind) return undefined;
    if (typeof obj.metadata?.name !== 'string') {
      if (['VirtualService', 'DestinationRule', 'Service'].includes(obj.kind))
        throw new UsageError(`${path}: a ${obj.kind} without metadata.name`, fix);
      return undefined;
    }
    const problem = shapeProblem(obj);
    const name = `${obj.metadata.namespace ? `${obj.metadata.namespace}/` : ''}${obj.metadata.name}`;
    if (problem) throw new UsageError(`${path}: ${obj.kind} ${name}: ${problem}`, fix);
    return obj;
  });
  return { ...decoded, path, bytes, docs: list, objects, sources, changed: new Set() };
}

function duplicateKeyCheck(doc: Document, path: string, text: string): void {
  visit(doc, {
    Map(_, node) {
      if (!isMap(node)) return;
      const keys = new Set<unknown>();
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? pair.key.value : pair.key;
        if (keys.has(k)) {
          const at = isScalar(pair.key) && pair.key.range ? ` (line ${lineOf(text, pair.key.range[0])})` : '';
          throw new UsageError(`${path}: duplicate key "${String(k)}"${at}`, 'remove one of them');
        }
        keys.add(k);
      }
    },
  });
}
