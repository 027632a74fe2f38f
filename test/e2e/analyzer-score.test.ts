// `npm run score:analyzers`: kubectl mesh analyze (through kubectl) and the real istioctl scored
// against Istio's own analyzer test cases from the pinned istio.io/istio module (in the Go module
// cache after cluster:up). Fails when a claimed code drops below 0.95 precision or recall.
// Touches no cluster object.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import t from 'tap';
import { repo } from './harness.js';

const run = promisify(execFile);
t.setTimeout(10 * 60_000); // two analyzers over ~36 cases; a busy machine takes minutes
const CLAIMED = ['IST0101', 'IST0109', 'IST0130', 'IST0131', 'IST0173', 'IST0174'];

t.test("every claimed code at precision and recall ≥ 0.95 over Istio's analyzer cases", async (t) => {
  const { stdout } = await run('node', [path.join(repo, 'scripts', 'score-analyzers.mjs')], {
    cwd: repo,
    env: { ...process.env, PATH: `${path.join(repo, 'plugin')}${path.delimiter}${process.env.PATH}` },
    maxBuffer: 16 << 20,
  });
  const lines = stdout.trimEnd().split('\n');
  const figures = new Map(
    lines
      .map((l) => /^(IST\d{4}) precision (\d\.\d\d) recall (\d\.\d\d)$/.exec(l))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => [m[1], { p: Number(m[2]), r: Number(m[3]) }]),
  );
  t.same([...figures.keys()], CLAIMED, 'ends with one line per claimed code');
  t.same(
    lines.slice(-CLAIMED.length).map((l) => l.split(' ')[0]),
    CLAIMED,
    'those lines come last',
  );
  for (const [code, { p, r }] of figures) {
    t.ok(p >= 0.95, `${code} precision ${p} ≥ 0.95`);
    t.ok(r >= 0.95, `${code} recall ${r} ≥ 0.95`);
  }
  const rows = lines.filter((l) => /^\| IST\d{4} \|/.test(l));
  t.equal(rows.length, CLAIMED.length, 'the table has a row per code');
  if (process.env.ISTIOCTL) {
    t.ok(
      rows.every((r) => !r.includes('–')),
      'istioctl ran: its columns are filled',
    );
  }
  t.match(stdout, /\((\d+) cases for our codes\)/, 'cases came from the module');
  t.ok(Number(/\((\d+) cases for our codes\)/.exec(stdout)?.[1]) >= 20, 'at least 20 cases');
});
