// A reader that goes away (`kubectl mesh status | head -1`) ends the command quietly: no stack trace,
// exit 0. The pipe is closed before the plugin writes, so the EPIPE is certain, not a timing accident.
import { spawn } from 'node:child_process';
import t from 'tap';
import { childEnv, repo } from '../e2e/harness.js';
import { createApp, createNamespace, deleteNamespace, scratchNamespace, Tally } from './support.js';

const ns = scratchNamespace('rel-pipe');
t.before(async () => {
  await createNamespace(ns);
  await createApp(ns, 'reviews', ['v1', 'v2'], { replicas: 1, hpa: false });
});
t.teardown(() => deleteNamespace(ns));

function withClosedStdout(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('kubectl', ['mesh', ...args], { cwd: repo, env: childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader is gone before the first write
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000); // a hang is a failure; a busy CI machine is not
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

t.test('EPIPE on stdout', async (t) => {
  const tally = new Tally(t);
  for (const args of [
    ['status', '-n', ns],
    ['status', '-n', ns, '-o', 'json'],
    ['canary', '20', 'reviews', '-n', ns, '--dry-run=client'],
    ['--help'],
  ]) {
    const r = await withClosedStdout(args);
    const ok = r.code === 0 && !/EPIPE|\n\s+at /.test(r.stderr);
    t.ok(ok, `${args.join(' ')}: exit ${r.code}, stderr ${JSON.stringify(r.stderr.slice(0, 200))}`);
    tally.record('epipe', ok, 'stdout closed early: exit 0, no stack trace');
  }
});
