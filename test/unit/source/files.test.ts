// -f files with --in-place as a Source: a command writes object by object, so each write builds on
// the last one, and only someone else's edit in between is a conflict.
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { parseAllDocuments } from 'yaml';
import type { Plan, Write } from '../../../src/routing/plan.js';
import { filesSource } from '../../../src/source/files.js';
import { deployment, destinationRule, service, virtualService } from '../builders.js';

function scratchFile(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-files-'));
  t.teardown(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  const file = path.join(dir, 'r.yaml');
  const docs = [service('r'), deployment('r', 'v1', '2026-01-01T00:00:00Z'), deployment('r', 'v2', '2026-01-02T00:00:00Z')];
  fs.writeFileSync(file, `# r: kept as written\n${docs.map((d) => JSON.stringify(d)).join('\n---\n')}\n`);
  return file;
}

const plan = (w: Write): Plan => ({ namespace: 'shop', service: 'r', summary: '', writes: [w], receiving: [] });
const kinds = (file: string) =>
  parseAllDocuments(fs.readFileSync(file, 'utf8')).map((d) => {
    const o = d.toJS();
    return `${o.kind}/${o.metadata.name}`;
  });
const { resourceVersion: _d, ...drMeta } = destinationRule('r', ['v1', 'v2']).metadata;
const dr = (subsets: string[]) => ({ ...destinationRule('r', subsets), metadata: drMeta });
const { resourceVersion: _v, ...vsMeta } = virtualService('r', []).metadata;
const vs = { ...virtualService('r', [{ name: 'mesh-primary', route: [{ destination: { host: 'r', subset: 'v1' } }] }]), metadata: vsMeta };

t.test('one write after another into the same file: each builds on the last, and can be undone', async (t) => {
  const file = scratchFile(t);
  const src = filesSource([file], { inPlace: true });
  await src.apply(plan({ action: 'create', kind: 'DestinationRule', after: dr(['v1', 'v2']) }), 'none');
  // The regression: the second write compared the file with the bytes first read, saw our own
  // write as someone else's edit and refused (exit 5), leaving the first object half-applied.
  await src.apply(plan({ action: 'create', kind: 'VirtualService', after: vs }), 'none');
  t.same(kinds(file), ['Service/r', 'Deployment/r-v1', 'Deployment/r-v2', 'DestinationRule/r', 'VirtualService/r']);
  t.match(fs.readFileSync(file, 'utf8'), /^# r: kept as written\n/);
  // A restore: the created object is deleted, an edited one patched again from what the file says now.
  await src.apply(plan({ action: 'delete', kind: 'VirtualService', before: vs }), 'none');
  await src.apply(plan({ action: 'replace', kind: 'DestinationRule', before: dr(['v1', 'v2']), after: dr(['v1']) }), 'none');
  t.same(kinds(file), ['Service/r', 'Deployment/r-v1', 'Deployment/r-v2', 'DestinationRule/r']);
  const written = parseAllDocuments(fs.readFileSync(file, 'utf8')).at(-1)!.toJS();
  t.same(
    written.spec.subsets.map((s: { name: string }) => s.name),
    ['v1'],
  );
});

t.test("someone else's edit between two writes is still refused, and their bytes stay", async (t) => {
  const file = scratchFile(t);
  const src = filesSource([file], { inPlace: true });
  await src.apply(plan({ action: 'create', kind: 'DestinationRule', after: dr(['v1', 'v2']) }), 'none');
  const edited = `${fs.readFileSync(file, 'utf8')}# an editor was here\n`;
  fs.writeFileSync(file, edited);
  await t.rejects(src.apply(plan({ action: 'create', kind: 'VirtualService', after: vs }), 'none'), {
    name: 'ConflictError',
    message: /r\.yaml changed while kubectl-mesh was working on it/,
  });
  t.equal(fs.readFileSync(file, 'utf8'), edited);
});
