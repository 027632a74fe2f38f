// --in-place under faults, on real file systems: a disk that fills up (a size-limited tmpfs, mounted
// here as root) and kill -9 while the new files are being written. Each file must afterwards be
// byte-identical to the original or to the complete new version, never partial, and a failed write
// leaves no temporary file behind.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { childEnv, hashTree, mesh, repo, run, singleErrorLine, Tally } from './support.js';

const root = mkdtempSync(path.join(os.tmpdir(), 'mesh-rel-inplace-'));
const mnt = path.join(root, 'mnt');
const ARGS = ['canary', '20', 'reviews', '--in-place'];

/** The demo app, with the reviews DestinationRule and VirtualService in two other files: a change rewrites both. */
function twoFileApp(dir: string, padding = 0): void {
  cpSync(path.join(repo, 'manifests/demo'), dir, { recursive: true });
  writeFileSync(
    path.join(dir, '45-reviews-dr.yaml'),
    `# caf\xe9: a Latin-1 comment that must survive\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: reviews\n  namespace: shop\nspec:\n  host: reviews\n  subsets:\n    - name: v1\n      labels: {version: v1}\n`,
    'latin1',
  );
  const pad = padding ? `# ${'x'.repeat(78)}\r\n`.repeat(Math.ceil(padding / 82)) : '';
  writeFileSync(
    path.join(dir, '55-reviews-vs.yaml'),
    `${pad}apiVersion: networking.istio.io/v1\r\nkind: VirtualService\r\nmetadata:\r\n  name: reviews\r\n  namespace: shop\r\nspec:\r\n  hosts: [reviews]\r\n  http:\r\n    - name: user-admin\r\n      match: [{uri: {prefix: /admin}}]\r\n      route: [{destination: {host: reviews, subset: v1}}]\r\n      retries: {attempts: 3}\r\n    - route: [{destination: {host: reviews, subset: v1}}]\r\n`,
  );
}

/** File hashes with the history's timestamps blanked: two runs of one change write the same bytes otherwise. */
function contentOf(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir).filter((x) => !x.endsWith('.tmp'))) {
    out[f] = createHash('sha256')
      .update(readFileSync(path.join(dir, f), 'latin1').replace(/"at":"[^"]*"/g, '"at":""'), 'latin1')
      .digest('hex');
  }
  return out;
}

const temps = (dir: string) => readdirSync(dir).filter((f) => f.endsWith('.tmp'));

let mounted = false;
t.before(async () => {
  mkdirSync(mnt);
  const m = await run('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', mnt]);
  mounted = m.code === 0;
});
t.teardown(async () => {
  if (mounted) await run('umount', [mnt]);
  rmSync(root, { recursive: true, force: true });
});

t.test('ENOSPC during --in-place: nothing changes; with space again the same command succeeds', async (t) => {
  if (!mounted) {
    t.fail('mount -t tmpfs failed: this tier runs as root (CI does)');
    return;
  }
  const tally = new Tally(t);
  const app = path.join(mnt, 'app');
  twoFileApp(app);
  // Fill the file system, then free exactly one page: the first new file fits, the second does not.
  const fillers: string[] = [];
  for (let i = 0; ; i++) {
    const f = path.join(mnt, `fill-${i}`);
    try {
      writeFileSync(f, Buffer.alloc(4096));
      fillers.push(f);
    } catch {
      try {
        unlinkSync(f);
      } catch {
        /* never created */
      }
      break;
    }
  }
  unlinkSync(fillers.pop()!);
  const before = hashTree(app);
  const r = await mesh([...ARGS, '-f', app]);
  const one = singleErrorLine(
    r.stderr
      .split('\n')
      .filter((l) => !l.startsWith('note:'))
      .join('\n'),
  );
  const cases: [boolean, string][] = [
    [r.code === 1, `exit 1 (${r.code})`],
    [
      one.ok && /no space left on device; nothing was changed/.test(r.stderr),
      `one line naming the cause: ${JSON.stringify(r.stderr.trim())}`,
    ],
    [JSON.stringify(hashTree(app)) === JSON.stringify(before), 'every file byte-identical'],
    [temps(app).length === 0, 'no temporary file left'],
  ];
  for (const f of fillers) unlinkSync(f);
  const again = await mesh([...ARGS, '-f', app]);
  cases.push([
    again.code === 0 && /wrote .*45-reviews-dr\.yaml, .*55-reviews-vs\.yaml/.test(again.stderr),
    `with space: exit ${again.code}, reports both files (${again.stderr.trim().split('\n').at(-1)})`,
  ]);
  const dr = readFileSync(path.join(app, '45-reviews-dr.yaml'));
  const vs = readFileSync(path.join(app, '55-reviews-vs.yaml'), 'latin1');
  cases.push([
    dr.includes(Buffer.from('# caf\xe9: a Latin-1 comment', 'latin1')) && dr.includes(Buffer.from('name: v2')),
    'Latin-1 comment kept byte for byte, new subset written',
  ]);
  cases.push([
    !/[^\r]\n/.test(vs) && /weight: 20\b/.test(vs) && /retries: \{ ?attempts: 3 ?\}/.test(vs),
    'CRLF file stays CRLF throughout; the user route kept',
  ]);
  for (const [ok, what] of cases) {
    t.ok(ok, what);
    tally.record('enospc', ok, 'size-limited tmpfs: exit 1, one line, files byte-identical, no temp; then success');
  }
});

/** Runs the command and SIGKILLs it the moment a temporary file appears in dir (or after maxMs). */
function killWhenWriting(
  dir: string,
  args: string[],
  maxMs: number,
): Promise<{ sawTemp: boolean; code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', ['mesh', ...args], { cwd: repo, env: childEnv(), stdio: 'ignore' });
    let sawTemp = false;
    const started = Date.now();
    const poll = setInterval(() => {
      if (temps(dir).length || Date.now() - started > maxMs) {
        sawTemp ||= temps(dir).length > 0;
        child.kill('SIGKILL');
        clearInterval(poll);
      }
    }, 1);
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      resolve({ sawTemp, code, signal });
    });
  });
}

t.test('kill -9 during --in-place: each file is the old or the complete new one', async (t) => {
  const tally = new Tally(t);
  // The expected new content, from an undisturbed run on a copy.
  const model = path.join(root, 'model');
  twoFileApp(model, 6 << 20);
  const original = contentOf(model);
  const done = await mesh([...ARGS, '-f', model], { timeoutMs: 120_000 });
  t.equal(done.code, 0, done.stderr);
  const complete = contentOf(model);
  t.notSame(complete, original, 'the change rewrites files');
  let hits = 0;
  for (let i = 0; i < 6; i++) {
    const app = path.join(root, `kill-${i}`);
    twoFileApp(app, 6 << 20); // a 6 MiB file: writing it takes long enough to be caught
    const r = await killWhenWriting(app, [...ARGS, '-f', app], 60_000);
    hits += r.sawTemp ? 1 : 0;
    const now = contentOf(app);
    const whole = Object.keys(original).every((f) => now[f] === original[f] || now[f] === complete[f]);
    t.ok(whole, `run ${i}: killed (${r.signal ?? r.code}) ${r.sawTemp ? 'while writing' : 'before writing'}; every file old or new`);
    tally.record(
      'kill-9-in-place',
      whole,
      'SIGKILL while temp files exist: every file byte-identical to old or complete new, never partial',
    );
    // The same command afterwards finishes the job.
    const again = await mesh([...ARGS, '-f', app], { timeoutMs: 120_000 });
    const after = contentOf(app);
    const converged = again.code === 0 && Object.keys(complete).every((f) => after[f] === complete[f]);
    t.ok(converged, `run ${i}: rerun converges (${again.code})`);
    tally.record('kill-9-in-place', converged, 'a rerun after the kill converges');
  }
  t.ok(hits >= 1, `${hits} of 6 kills landed while the new files were being written`);
  t.ok(existsSync(model));
});
