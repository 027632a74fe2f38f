// What we write into files and print as YAML must read back the same in YAML 1.1 (kubectl, Argo CD,
// istioctl) and 1.2 (us): strings such as "on", "yes", "1:30" get quotes. Only scalars the writer
// would leave plain get them, the same whether their node is created or patched; a string the writer
// quotes anyway (the history annotation's JSON) keeps its single quotes, and a user's quotes stay.
import t from 'tap';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, parseAllDocuments, parseDocument } from 'yaml';
import { patchDocument } from '../../../src/source/yaml-patch.js';
import { needsQuotesForYaml11, yaml11SafeNode, yamlText } from '../../../src/source/yaml11.js';
import { runMain } from '../run-main.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const HISTORY = 'kubectl-mesh.io/history';
const history = JSON.stringify([{ revision: 1, at: '2026-11-27T12:00:00.000Z', change: 'canary 20%' }]);

const tricky = {
  a: 'on',
  b: 'yes',
  c: 'off',
  d: 'y',
  e: 'true',
  f: '0777',
  g: 'plain',
  h: 9080,
  i: true,
  j: '1:30',
  k: '2026-11-27',
  l: '0o17',
  on: 'a key YAML 1.1 reads as true',
  m: history,
};

t.test('which strings need quotes for YAML 1.1: those our 1.2 writer would leave plain', async (t) => {
  for (const s of ['on', 'Off', 'yes', 'n', 'y', '1:30', '1_000', '0b101', '2026-11-27', '2026-11-27T12:00:00.5Z'])
    t.ok(needsQuotesForYaml11(s), s);
  for (const s of ['plain', 'x-env', 'v2', 'reviews.shop.svc.cluster.local', '1.2.3']) t.notOk(needsQuotesForYaml11(s), s);
  // YAML 1.2 misreads these as well, so the writer quotes them in its own way already.
  for (const s of ['true', '0777', '~', 'null', '0o17', 'a: b', history]) t.notOk(needsQuotesForYaml11(s), s);
});

t.test('a new node and printed YAML read back the same in YAML 1.1 and 1.2', async (t) => {
  const doc = parseDocument('');
  doc.contents = yaml11SafeNode(doc, { spec: tricky }) as typeof doc.contents;
  for (const text of [doc.toString(), yamlText({ spec: tricky })]) {
    t.strictSame(parse(text, { version: '1.1' }), { spec: tricky }, text);
    t.strictSame(parse(text), { spec: tricky }, text);
  }
});

t.test('the history annotation: the same single-quoted JSON line, created or patched', async (t) => {
  const line = `${HISTORY}: '${history}'`;
  const after = { metadata: { name: 'reviews', annotations: { [HISTORY]: history } } };
  const created = parseDocument('');
  created.contents = yaml11SafeNode(created, after) as typeof created.contents;
  t.match(created.toString(), line, 'created with its object');
  t.match(yamlText(after), line, 'printed');
  const patched = (text: string) => {
    const doc = parseDocument(text);
    patchDocument(doc, [], doc.toJS(), after);
    return doc.toString();
  };
  t.match(patched('metadata:\n  name: reviews\n'), line, 'added with its annotations map');
  t.match(patched('metadata:\n  name: reviews\n  annotations:\n    team: a\n'), line, 'added to the annotations map');
  t.match(patched(`metadata:\n  name: reviews\n  annotations:\n    ${HISTORY}: '[]'\n`), line, 'replacing the last one');
  t.notMatch(patched('metadata:\n  name: reviews\n'), '\\"', 'no escaped quotes: readable, and greppable as JSON');
});

t.test('a value gets its quotes whether its node is created, patched or added to a map', async (t) => {
  const doc = parseDocument("headers:\n  x-env:\n    prefix: a # the user's\n  x-tier: { exact: gold }\n");
  const after = { headers: { 'x-env': { exact: 'on' }, 'x-tier': { exact: 'y' }, on: { exact: '1:30' } } };
  patchDocument(doc, [], doc.toJS(), after);
  const text = doc.toString();
  t.match(text, /x-env:\n {4}exact: "on"\n/, 'a new key in a kept map');
  t.match(text, /x-tier: \{ exact: "y" \}/, 'a patched scalar');
  t.match(text, /"on":\n {4}exact: "1:30"/, 'a new key and its new map');
  t.strictSame(parse(text, { version: '1.1' }), after, text);
});

t.test("a patched scalar keeps its comment and the user's quotes", async (t) => {
  const doc = parseDocument('match:\n  exact: green # the header value\n  prefix: \'blue\'\n  suffix: "red"\nweight: 80 # canary share\n');
  const after = { match: { exact: 'on', prefix: 'off', suffix: 'v2' }, weight: 20 };
  patchDocument(doc, [], doc.toJS(), after);
  const text = doc.toString();
  t.match(text, /exact: "on" # the header value/);
  t.match(text, /prefix: 'off'\n/);
  t.match(text, /suffix: "v2"\n/);
  t.match(text, /weight: 20 # canary share/);
  t.strictSame(parse(text, { version: '1.1' }), after);
});

t.test('kubectl mesh green --header x-env=on -f DIR -o yaml prints what YAML 1.1 reads as "on"', async (t) => {
  const r = await runMain(
    ['green', 'reviews', '-f', path.join(repo, 'manifests/demo'), '--header', 'x-env=on', '--dry-run=client', '-o', 'yaml'],
    {
      PATH: '/nonexistent',
    },
  );
  t.equal(r.code, 0, r.stderr);
  const vs = r.stdout
    .split(/^---\n/m)
    .map(
      (d) =>
        parse(d, { version: '1.1' }) as {
          kind?: string;
          spec?: { http?: { match?: { headers?: Record<string, { exact?: unknown }> }[] }[] };
        },
    )
    .find((o) => o.kind === 'VirtualService');
  t.equal(vs?.spec?.http?.[0]?.match?.[0]?.headers?.['x-env']?.exact, 'on', r.stdout);
});

t.test('--in-place writes files that YAML 1.1 and 1.2 read alike, the history as readable JSON', async (t) => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-yaml11-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  cpSync(path.join(repo, 'manifests/demo'), dir, { recursive: true });
  const r = await runMain(['green', 'reviews', '-f', dir, '--header', 'x-env=on', '--in-place'], { PATH: '/nonexistent' });
  t.equal(r.code, 0, r.stderr);
  const texts = readdirSync(dir).map((f) => readFileSync(path.join(dir, f), 'utf8'));
  const vs = texts.find((s) => s.includes(HISTORY)) ?? '';
  t.match(vs, /exact: "on"/, vs);
  t.match(vs, new RegExp(`${HISTORY}: '\\[\\{"revision":1,"at":"`), 'the history is single-quoted JSON, as before');
  for (const text of texts) {
    const read = (version: '1.1' | '1.2') => parseAllDocuments(text, { version }).map((d) => JSON.stringify(d.toJS()));
    t.strictSame(read('1.1'), read('1.2'), text.split('\n')[0]);
  }
});
