// YAML files as a Source (offline / GitOps): reads Services, Deployments, HPAs and routing
// objects from -f files or directories; prints the updated objects, or with --in-place
// rewrites the files, changing only what the plan changes.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { join, resolve } from 'node:path';
import { parseAllDocuments, type Document } from 'yaml';
import { UsageError } from '../errors.js';
import type { Obj } from '../routing/types.js';
import type { Inventory } from '../routing/workloads.js';
import type { Source } from './source.js';
import { patchDocument } from './yaml-patch.js';

interface Located { file: string; doc: Document; obj: Obj }

const YAML_FILE = /\.(ya?ml|json)$/;

function expand(paths: string[]): string[] {
  // A file named twice (-f a.yaml -f .) is read once, or its objects would conflict with themselves.
  return [...new Set(paths.flatMap((p) => {
    let st;
    try { st = statSync(p); } catch { throw new UsageError(`-f ${p}: no such file or directory`, 'pass a YAML file or a directory of them'); }
    if (!st.isDirectory()) return [p];
    return readdirSync(p).filter((f) => YAML_FILE.test(f)).sort().map((f) => join(p, f));
  }).map((f) => resolve(f)))];
}

/** Each document's original text (from the end of the one before, so leading comments and `---` come along). */
type Sources = Map<Document, string>;

function load(files: string[]): { docs: Map<string, Document[]>; objects: Located[]; sources: Sources } {
  const docs = new Map<string, Document[]>();
  const objects: Located[] = [];
  const sources: Sources = new Map();
  for (const file of files) {
    const source = readFileSync(file, 'utf8');
    const parsed = parseAllDocuments(source);
    const list = Array.isArray(parsed) ? parsed : [parsed];
    const broken = list.find((d) => d.errors.length);
    if (broken) throw new UsageError(`${file}: invalid YAML: ${broken.errors[0]!.message.split('\n')[0]}`, 'fix the file and run again');
    docs.set(file, list);
    list.forEach((doc, i) => sources.set(doc, source.slice(i === 0 ? 0 : list[i - 1]!.range[2], i === list.length - 1 ? source.length : doc.range[2])));
    for (const doc of list) {
      const obj = doc.toJS() as Obj | null;
      if (obj?.kind && obj.metadata?.name) objects.push({ file, doc, obj });
    }
  }
  return { docs, objects, sources };
}

const KINDS: Record<string, keyof Inventory> = {
  Service: 'services', Deployment: 'deployments', Pod: 'pods', HorizontalPodAutoscaler: 'hpas',
  VirtualService: 'virtualServices', DestinationRule: 'destinationRules',
  Gateway: 'gateways', ServiceEntry: 'serviceEntries', HTTPRoute: 'httpRoutes', Node: 'nodes',
};

export function filesSource(paths: string[], inPlace: boolean): Source {
  const files = expand(paths);
  const { docs, objects, sources } = load(files);
  const namespaces = [...new Set(objects.map((o) => o.obj.metadata.namespace).filter((n): n is string => !!n))];
  const nsOf = (o: Obj) => o.metadata.namespace ?? (namespaces.length === 1 ? namespaces[0] : 'default');
  const key = (o: Obj) => `${o.kind}/${nsOf(o)}/${o.metadata.name}`;
  return {
    live: false,
    echo: !inPlace,
    defaultNamespace: namespaces.length === 1 ? namespaces[0]! : 'default',
    user: `${userInfo().username} (offline)`,
    async inventory(namespace) {
      const inv: Inventory = { services: [], deployments: [], pods: [], hpas: [], virtualServices: [], destinationRules: [] };
      for (const { obj } of objects) {
        const field = KINDS[obj.kind!];
        if (field && (namespace === undefined || nsOf(obj) === namespace)) {
          (inv[field] ??= []).push({ ...obj, metadata: { ...obj.metadata, namespace: nsOf(obj) } });
        }
      }
      return inv;
    },
    async apply(plan, dryRun) {
      const out = plan.writes.filter((w) => w.after).map((w) => w.after!);
      if (!inPlace || dryRun !== 'none') return out;
      const touched = new Set<string>();
      for (const w of plan.writes) {
        const target = w.after ?? w.before!;
        const found = objects.find((o) => key(o.obj) === key({ ...target, kind: w.kind }));
        if (w.action === 'replace' && found) {
          patchDocument(found.doc, [], found.obj, { ...w.after!, metadata: { ...w.after!.metadata, namespace: found.obj.metadata.namespace } });
          sources.delete(found.doc);
          touched.add(found.file);
        } else if (w.action === 'delete' && found) {
          docs.set(found.file, docs.get(found.file)!.filter((d) => d !== found.doc));
          touched.add(found.file);
        } else if (w.action === 'create') {
          // New routing objects go next to the Service they route.
          const home = objects.find((o) => o.obj.kind === 'Service' && o.obj.metadata.name === plan.service)?.file ?? files[0]!;
          const { parseDocument } = await import('yaml');
          docs.get(home)!.push(parseDocument(''));
          docs.get(home)!.at(-1)!.contents = docs.get(home)![0]!.createNode(w.after!) as never;
          touched.add(home);
        }
      }
      // Untouched documents keep their exact text; a document read after a `---` prints that marker
      // itself, so one is added only where it is missing.
      const text = (d: Document, i: number, all: Document[]): string => {
        let original = sources.get(d);
        if (original !== undefined && i < all.length - 1 && !original.endsWith('\n')) original += '\n'; // a file without a final newline
        if (original !== undefined) return i === 0 || /^(\s*#.*\n)*\s*---/.test(original) ? original : `---\n${original}`;
        const s = d.toString({ lineWidth: 0 });
        return i === 0 || s.startsWith('---') ? s : `---\n${s}`;
      };
      for (const file of touched) writeFileSync(file, docs.get(file)!.map(text).join(''));
      return out;
    },
  };
}
