// The pure pieces of `npm run release`: the reproducible tar.gz writer and the krew.yaml renderer.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import YAML from 'yaml';
// @ts-expect-error: plain .mjs build scripts without type declarations
import { tarGz } from '../../scripts/release/archive.mjs';
// @ts-expect-error: plain .mjs build scripts without type declarations
import { renderKrew } from '../../scripts/release/krew.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const template = readFileSync(path.join(repo, 'krew.yaml'), 'utf8');
const sha = (c: string) => c.repeat(64);

t.test('tar.gz: what system tar reads back, byte-identical for the same input', async (t) => {
  const files = [
    { name: 'kubectl-mesh', data: Buffer.from('#!/bin/sh\necho hi\n'), mode: 0o755 },
    { name: 'LICENSE', data: Buffer.alloc(1500, 'L'), mode: 0o644 },
  ];
  const a = tarGz(files, 1_700_000_000);
  t.same(a, tarGz([...files].reverse(), 1_700_000_000), 'same bytes whatever the input order');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-tar-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  writeFileSync(path.join(dir, 'a.tar.gz'), a);
  t.equal(execFileSync('tar', ['-tzf', 'a.tar.gz'], { cwd: dir, encoding: 'utf8' }), 'LICENSE\nkubectl-mesh\n');
  execFileSync('tar', ['-xzf', 'a.tar.gz'], { cwd: dir });
  t.equal(readFileSync(path.join(dir, 'kubectl-mesh'), 'utf8'), '#!/bin/sh\necho hi\n');
  t.equal(statSync(path.join(dir, 'kubectl-mesh')).mode & 0o777, 0o755);
  t.equal(statSync(path.join(dir, 'LICENSE')).size, 1500);
  t.equal(statSync(path.join(dir, 'LICENSE')).mtimeMs, 1_700_000_000_000);
  t.throws(() => tarGz([{ name: 'x'.repeat(101), data: Buffer.alloc(0), mode: 0o644 }], 0), /name too long/);
});

t.test('krew.yaml: version and checksums filled in, platforms without an archive dropped', async (t) => {
  const all = new Map([
    ['linux/amd64', sha('a')],
    ['linux/arm64', sha('b')],
    ['darwin/amd64', sha('c')],
    ['darwin/arm64', sha('d')],
  ]);
  const m = YAML.parse(renderKrew(template, '1.2.3', all));
  t.equal(m.spec.version, 'v1.2.3');
  t.equal(m.spec.platforms.length, 4);
  t.same(
    m.spec.platforms.map((p: any) => p.sha256),
    [sha('a'), sha('b'), sha('c'), sha('d')],
  );
  t.ok(m.spec.platforms.every((p: any) => p.uri.includes('/releases/download/v1.2.3/kubectl-mesh_')));
  const out = renderKrew(template, '1.2.3', all);
  t.notMatch(out, /\{\{/, 'no placeholder left, comments included');
  t.match(out, /^# Rendered by "npm run release" from krew.yaml for v1\.2\.3\./);

  const linuxOnly = YAML.parse(renderKrew(template, '1.2.3', new Map([['linux/amd64', sha('a')]]), ['macOS: use npm.']));
  t.same(
    linuxOnly.spec.platforms.map((p: any) => p.selector.matchLabels),
    [{ os: 'linux', arch: 'amd64' }],
  );
  t.match(linuxOnly.spec.caveats, /\n\nmacOS: use npm\.\n$/, 'the reason goes into caveats');
});

t.test('krew.yaml: a template whose checksum placeholder is wrong is refused', async (t) => {
  const broken = template.replace('{{sha256 linux/arm64}}', '{{sha256 linux/amd64}}');
  t.throws(() => renderKrew(broken, '1.2.3', new Map([['linux/arm64', sha('b')]])), /platform linux\/arm64 must have sha256/);
});
