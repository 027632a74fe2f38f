// --in-place writes: all files or none up to the first rename; a failure after it names what was written.
import * as fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { writeFilesAtomically, type FsOps } from '../../../src/source/atomic-write.js';

function scratch(t: { teardown(fn: () => void): void }): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mesh-atomic-'));
  t.teardown(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

const write = (dir: string, name: string, text: string, mode = 0o640) => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text, { mode });
  fs.chmodSync(f, mode);
  return f;
};
const change = (file: string, after: string) => ({ file, before: fs.readFileSync(file), after: Buffer.from(after) });
const leftovers = (dir: string) => fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'));

/** Real fs, except that the given call fails with `code` the n-th time. */
function failing(call: keyof FsOps, n: number, code: string): FsOps {
  let count = 0;
  return {
    ...fs,
    [call]: (...args: unknown[]) => {
      if (++count === n) throw Object.assign(new Error(`${code}: injected`), { code });
      return (fs[call] as (...a: unknown[]) => unknown)(...args);
    },
  };
}

t.test('writes every file, keeps each mode, leaves no temporary file', async (t) => {
  const dir = scratch(t);
  const a = write(dir, 'a.yaml', 'a: 1\n', 0o640);
  const b = write(dir, 'b.yaml', 'b: 1\n', 0o600);
  t.strictSame(writeFilesAtomically([change(a, 'a: 2\n'), change(b, 'b: 2\n')]), [a, b]);
  t.equal(fs.readFileSync(a, 'utf8'), 'a: 2\n');
  t.equal(fs.readFileSync(b, 'utf8'), 'b: 2\n');
  t.equal(fs.statSync(a).mode & 0o777, 0o640);
  t.equal(fs.statSync(b).mode & 0o777, 0o600);
  t.strictSame(leftovers(dir), []);
});

t.test('a symlink is written through: the link stays a link', async (t) => {
  const dir = scratch(t);
  const real = write(dir, 'real.yaml', 'x: 1\n');
  const link = path.join(dir, 'link.yaml');
  fs.symlinkSync(real, link);
  writeFilesAtomically([change(link, 'x: 2\n')]);
  t.ok(fs.lstatSync(link).isSymbolicLink());
  t.equal(fs.readFileSync(real, 'utf8'), 'x: 2\n');
});

for (const [call, code, message] of [
  ['writeSync', 'ENOSPC', /cannot write .*b\.yaml: no space left on device; nothing was changed/],
  ['fsyncSync', 'EIO', /cannot write .*b\.yaml: input\/output error; nothing was changed/],
  ['openSync', 'EACCES', /cannot write .*b\.yaml: permission denied; nothing was changed/],
] as const) {
  t.test(`${code} while writing the second file: nothing changes, no temporary file stays`, async (t) => {
    const dir = scratch(t);
    const a = write(dir, 'a.yaml', 'a: 1\n');
    const b = write(dir, 'b.yaml', 'b: 1\n');
    t.throws(() => writeFilesAtomically([change(a, 'a: 2\n'), change(b, 'b: 2\n')], failing(call, 2, code)), { message, exitCode: 1 });
    t.equal(fs.readFileSync(a, 'utf8'), 'a: 1\n');
    t.equal(fs.readFileSync(b, 'utf8'), 'b: 1\n');
    t.strictSame(leftovers(dir), []);
  });
}

t.test('a rename failing after the first says exactly what was written', async (t) => {
  const dir = scratch(t);
  const [a, b, c] = ['a.yaml', 'b.yaml', 'c.yaml'].map((n) => write(dir, n, `${n}: 1\n`));
  const err = t.throws(() =>
    writeFilesAtomically([change(a, 'a: 2\n'), change(b, 'b: 2\n'), change(c, 'c: 2\n')], failing('renameSync', 2, 'EIO')),
  ) as Error & { hint: string };
  t.equal(err.message, `wrote ${a}; then replacing ${b} failed (input/output error), so ${b}, ${c} are unchanged`);
  t.match(err.hint, /run the same command again/);
  t.equal(fs.readFileSync(a, 'utf8'), 'a: 2\n');
  t.equal(fs.readFileSync(b, 'utf8'), 'b.yaml: 1\n');
  t.strictSame(leftovers(dir), []);
});

t.test('the first rename failing changes nothing', async (t) => {
  const dir = scratch(t);
  const a = write(dir, 'a.yaml', 'a: 1\n');
  t.throws(() => writeFilesAtomically([change(a, 'a: 2\n')], failing('renameSync', 1, 'EIO')), { message: /nothing was changed/ });
  t.equal(fs.readFileSync(a, 'utf8'), 'a: 1\n');
  t.strictSame(leftovers(dir), []);
});

t.test('a read-only file is refused (exit 4), and so is a file changed since it was read (exit 5)', async (t) => {
  const dir = scratch(t);
  const ro = write(dir, 'ro.yaml', 'a: 1\n', 0o444);
  t.throws(() => writeFilesAtomically([change(ro, 'a: 2\n')]), {
    message: /ro\.yaml is read-only \(mode 0444\); nothing was changed/,
    exitCode: 4,
  });
  const f = write(dir, 'f.yaml', 'a: 1\n');
  const planned = change(f, 'a: 2\n');
  fs.writeFileSync(f, 'a: 1 # edited meanwhile\n');
  t.throws(() => writeFilesAtomically([planned]), {
    message: /f\.yaml changed while kubectl-mesh was working on it; nothing was changed/,
    exitCode: 5,
  });
  t.equal(fs.readFileSync(f, 'utf8'), 'a: 1 # edited meanwhile\n');
  t.strictSame(leftovers(dir), []);
});
