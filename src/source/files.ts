// YAML files as a Source (offline / GitOps): reads Services, Deployments, HPAs and routing
// objects from -f files or directories; prints the updated objects, or with --in-place
// rewrites the files atomically, changing only what the plan changes.
import { userInfo } from 'node:os';
import { parseDocument, type Document } from 'yaml';
import { ConflictError, UsageError } from '../errors.js';
import { sameValue } from '../model/equal.js';
import type { Obj } from '../routing/types.js';
import type { Inventory } from '../routing/workloads.js';
import { writeFilesAtomically, type FileChange } from './atomic-write.js';
import { expandPaths, readBytes } from './read-files.js';
import type { Source } from './source.js';
import { encodeFile, withEol } from './text-codec.js';
import { yaml11SafeNode } from './yaml11.js';
import { loadYamlFile, type LoadedFile } from './yaml-load.js';
import { patchDocument } from './yaml-patch.js';

interface Located {
  file: LoadedFile;
  doc: Document;
  obj: Obj;
}

const KINDS: Record<string, keyof Inventory> = {
  Service: 'services',
  Deployment: 'deployments',
  Pod: 'pods',
  HorizontalPodAutoscaler: 'hpas',
  VirtualService: 'virtualServices',
  DestinationRule: 'destinationRules',
  Gateway: 'gateways',
  ServiceEntry: 'serviceEntries',
  HTTPRoute: 'httpRoutes',
  Node: 'nodes',
};

export interface FilesOptions {
  inPlace: boolean;
  /** -n: the namespace of objects that name none (as `kubectl apply -n` would place them). */
  namespace?: string;
  /** Progress and notices (stderr). */
  note?: (line: string) => void;
}

export function filesSource(paths: string[], opts: FilesOptions): Source {
  const files = expandPaths(paths).map((f) => loadYamlFile(f, readBytes(f)));
  const byPath = new Map(files.map((f) => [f.path, f]));
  const objects: Located[] = files.flatMap((file) =>
    file.docs.map((doc, i) => ({ file, doc, obj: file.objects[i]! })).filter((o) => o.obj && KINDS[o.obj.kind!]),
  );
  // Objects without metadata.namespace go where `kubectl apply` would put them: -n, else "default";
  // with no -n and no such objects, the one namespace the files name is the default.
  const bare = objects.some((o) => !o.obj.metadata.namespace);
  const named = [...new Set(objects.map((o) => o.obj.metadata.namespace).filter((n): n is string => !!n))];
  const defaultNamespace = opts.namespace ?? (!bare && named.length === 1 ? named[0] : 'default');
  const nsOf = (o: Obj) => o.metadata.namespace ?? opts.namespace ?? 'default';
  const key = (o: Obj) => `${o.kind}/${nsOf(o)}/${o.metadata.name}`;
  const seen = new Map<string, Located>();
  for (const o of objects) {
    const other = seen.get(key(o.obj));
    // Two definitions of one object: which one is meant (and which file to rewrite) is anyone's guess.
    if (other)
      throw new ConflictError(
        `${o.obj.kind} ${nsOf(o.obj)}/${o.obj.metadata.name} is defined twice: in ${other.file.path} and in ${o.file.path}`,
        'keep one definition, or pass only one of the files with -f',
      );
    seen.set(key(o.obj), o);
  }
  return {
    live: false,
    echo: !opts.inPlace,
    defaultNamespace,
    user: `${userInfo().username} (offline)`,
    async inventory(namespace) {
      const inv: Inventory = { services: [], deployments: [], pods: [], hpas: [], virtualServices: [], destinationRules: [] };
      for (const { obj } of objects) {
        if (namespace === undefined || nsOf(obj) === namespace)
          (inv[KINDS[obj.kind!]] ??= []).push({ ...obj, metadata: { ...obj.metadata, namespace: nsOf(obj) } });
      }
      return inv;
    },
    async apply(plan, dryRun) {
      // Objects the Service's file leaves without a namespace are written without one too.
      const service = objects.find((o) => o.obj.kind === 'Service' && key(o.obj) === `Service/${plan.namespace}/${plan.service}`);
      const placed = (o: Obj): Obj => (service && !service.obj.metadata.namespace ? { ...o, metadata: withoutNamespace(o.metadata) } : o);
      const out = plan.writes.filter((w) => w.after).map((w) => placed(w.after!));
      if (!opts.inPlace || dryRun !== 'none') return out;
      const touched = new Set<LoadedFile>();
      for (const w of plan.writes) {
        const found = seen.get(key({ ...(w.after ?? w.before)!, kind: w.kind }));
        if (w.action === 'replace' && found) {
          const after = { ...w.after!, metadata: { ...w.after!.metadata, namespace: found.obj.metadata.namespace } };
          if (!found.obj.metadata.namespace) delete after.metadata.namespace;
          patchInPlace(found, after);
          touched.add(found.file);
        } else if (w.action === 'delete' && found) {
          found.file.docs = found.file.docs.filter((d) => d !== found.doc);
          seen.delete(key(found.obj));
          touched.add(found.file);
        } else if (w.action === 'create') {
          // New routing objects go next to the Service they route.
          const home = service?.file ?? files[0];
          const doc = parseDocument('');
          const obj = placed(w.after!);
          doc.contents = yaml11SafeNode(doc, obj) as typeof doc.contents; // a new node, where parsed nodes are typed
          home.docs.push(doc);
          // A later write of this object in the same run (the next step, or a restore) finds it here.
          seen.set(key(obj), { file: home, doc, obj });
          touched.add(home);
        }
      }
      const changes: FileChange[] = [...touched].map((f) => ({ file: f.path, before: f.bytes, after: encodeFile(render(f), f.encoding) }));
      const written = writeFilesAtomically(changes.filter((c) => !c.after.equals(c.before)));
      // A command writes object by object: the next write checks the file against what we wrote, not what we read.
      for (const c of changes) byPath.get(c.file)!.bytes = c.after;
      opts.note?.(written.length ? `wrote ${written.join(', ')}` : 'no file needed a change');
      return out;
    },
  };
}

const withoutNamespace = ({ namespace: _n, ...rest }: Obj['metadata']): Obj['metadata'] => rest;

/** Applies the change to the document, and checks the document now says exactly that (YAML aliases can share nodes). */
function patchInPlace(found: Located, after: Obj): void {
  const where = `${found.file.path}: ${found.obj.kind} ${found.obj.metadata.namespace ?? ''}${found.obj.metadata.namespace ? '/' : ''}${found.obj.metadata.name}`;
  const refuse = () =>
    new UsageError(
      `${where} uses a YAML alias (*name) where the change has to edit it, so --in-place cannot rewrite it safely; nothing was changed`,
      'expand the alias in the file, or leave out --in-place to print the result',
    );
  try {
    patchDocument(found.doc, [], found.obj, after);
  } catch {
    throw refuse();
  }
  if (!sameValue(found.doc.toJS({ maxAliasCount: -1 }), after)) throw refuse();
  found.file.changed.add(found.doc);
  // The next patch of this object (a later step, or a restore) starts from what the document says now.
  found.obj = after;
}

/**
 * The file's new text. Untouched documents keep their exact text; a document read after a `---`
 * prints that marker itself, so one is added only where it is missing. Generated text takes the
 * file's line ending.
 */
function render(f: LoadedFile): string {
  return f.docs
    .map((d, i, all) => {
      let original = f.changed.has(d) ? undefined : f.sources.get(d);
      if (original !== undefined && i < all.length - 1 && !/\n$/.test(original)) original += f.eol; // a file without a final newline
      if (original !== undefined) return i === 0 || /^(\s*#.*\n)*\s*---/.test(original) ? original : `---${f.eol}${original}`;
      const s = withEol(d.toString({ lineWidth: 0 }), f.eol);
      return i === 0 || s.startsWith('---') ? s : `---${f.eol}${s}`;
    })
    .join('');
}
