// Ctrl-C or Esc anywhere in a flow: exit code 130, a one-line message and no stack trace, the
// terminal back in cooked mode with the cursor shown, and nothing changed in the cluster.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t, { type Test } from 'tap';
import { mesh } from '../e2e/harness.js';
import { Terminal, appNamespace, resourceVersions } from './support.js';

const APP = 'payments';
const ns = await appNamespace(t, 'pty-cancel', APP, ['v1', 'v2']);
// Routing objects to watch: a first canary, written without a terminal.
const first = await mesh(['canary', '10', APP, '-n', ns, '--yes']);
if (first.code !== 0) throw new Error(`setup canary failed: ${first.stderr}`);
const before = await resourceVersions(ns, APP);

async function assertCancelled(t: Test, term: Terminal): Promise<void> {
  t.equal(await term.exitCode(), 130, 'exit code 130');
  const screen = await term.screen();
  t.match(screen, /^error: cancelled; nothing was changed$/m, 'one line says what happened');
  t.notMatch(screen, /^\s+at .+\(.*:\d+:\d+\)$/m, 'no stack trace');
  t.equal(await term.ttyMode(), 'icanon echo', 'raw mode is off again');
  t.ok(await term.cursorVisible(), 'the cursor is shown');
  t.same(await resourceVersions(ns, APP), before, 'VirtualService and DestinationRule untouched');
}

t.ok(before.virtualService && before.destinationRule, 'setup wrote both objects');

t.test('Ctrl-C in the weight list', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh canary ${APP} -n ${ns}`);
  await term.waitFor('? Weight for v2 (now v1 90% / v2 10%)');
  await term.keys('Down');
  await term.keys('C-c');
  await assertCancelled(t, term);
});

t.test('Ctrl-C while typing a weight', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh canary ${APP} -n ${ns}`);
  await term.waitFor('? Weight for v2');
  await term.moveTo(/other…/);
  await term.keys('Enter');
  await term.waitFor('? Weight for v2 (0-100)');
  await term.type('4');
  await term.waitFor(/\(0-100\) 4$/m);
  await term.keys('C-c');
  await assertCancelled(t, term);
});

t.test('Esc at the confirmation, after the diff was shown', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh canary ${APP} -n ${ns}`);
  await term.waitFor('? Weight for v2');
  await term.keys('Enter');
  const screen = await term.waitFor(`? Apply to ${ns}/${APP}?`);
  t.match(screen, 'mesh-primary: v1 90% / v2 10% → v1 75% / v2 25%');
  await term.keys('Escape');
  await assertCancelled(t, term);
});

t.test('Esc in the service list of the menu', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh -n ${ns}`);
  await term.waitFor(`? Service in ${ns}`);
  await term.keys('Escape');
  await assertCancelled(t, term);
});

t.test('answering no writes nothing', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh canary 50 ${APP} -n ${ns}`);
  await term.waitFor(`? Apply to ${ns}/${APP}? (Y/n)`);
  await term.type('n');
  await term.keys('Enter');
  t.equal(await term.exitCode(), 130);
  t.match(await term.screen(), /^Nothing was written\.$/m);
  t.same(await resourceVersions(ns, APP), before);
});

t.test('a long wait shows a spinner; Ctrl-C during it cancels cleanly', async (t) => {
  // istioctl that takes its time, so the analysis spinner is on screen long enough to interrupt.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mesh-pty-'));
  t.teardown(() => {
    rmSync(dir, { recursive: true, force: true });
  });
  const slow = path.join(dir, 'istioctl');
  writeFileSync(slow, `#!/bin/sh\nsleep 20\nexec ${JSON.stringify(process.env.ISTIOCTL ?? 'istioctl')} "$@"\n`);
  chmodSync(slow, 0o755);
  const term = await Terminal.start(t, `kubectl mesh canary 30 ${APP} -n ${ns}`, { env: { ISTIOCTL: slow } });
  await term.waitFor(/[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] analysing the change$/m);
  t.notOk(await term.cursorVisible(), 'the cursor is hidden while it spins');
  await term.keys('C-c');
  await assertCancelled(t, term);
  t.notMatch(await term.screen(), 'analysing the change', 'the spinner line is erased');
});
