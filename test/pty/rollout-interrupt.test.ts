// Ctrl-C during a rollout at a real terminal: the live view gives way to a question (pause here, roll
// back now, continue), and each answer does what it says, checked on the screen and on the
// VirtualService in the cluster: pause leaves the weights and records the rollout paused (exit 130),
// roll back restores the routing from before the rollout and records it aborted (exit 0), continue
// carries the rollout on to its end.
import t, { type Test } from 'tap';
import { getJson, mesh } from '../e2e/harness.js';
import { readRollout } from '../../src/rollout/state.js';
import { Terminal, appNamespace, weightsOf } from './support.js';

const APP = 'ledger';
const ns = await appNamespace(t, 'pty-rollout', APP, ['v1', 'v2']);
// The routing before any rollout: 10% to v2, written without a terminal.
const first = await mesh(['canary', '10', APP, '-n', ns, '--stable', 'v1', '--canary', 'v2', '--yes']);
if (first.code !== 0) throw new Error(`setup canary failed: ${first.stderr}`);

const rolloutOf = async () => readRollout(await getJson('virtualservice', APP, ns));

/** Starts `kubectl mesh canary APP ARGS` at a terminal, waits for the live view at step 1, presses Ctrl-C and waits for the question. */
async function interrupt(t: Test, args: string, weight: number): Promise<Terminal> {
  const term = await Terminal.start(t, `kubectl mesh canary ${APP} -n ${ns} ${args}`);
  await term.waitFor(new RegExp(`${ns}/${APP}  step 1/\\d \\(${weight}%\\)`));
  await term.waitFor(/left in this step/);
  await term.keys('C-c');
  const menu = await term.waitFor(`? Interrupted at step 1/`);
  t.match(menu, `Interrupted at step 1/2 (${weight}%). What now?`);
  t.match(menu, /❯ Pause here \(weights stay; --resume later\)/, 'pausing is the default answer');
  t.match(menu, 'Roll back now (to the routing before the rollout)');
  t.match(menu, 'Continue the rollout');
  t.notMatch(menu.split('? Interrupted')[1], /left in this step/, 'the live view made way for the question');
  return term;
}

t.test('Ctrl-C, then "Pause here": the weights stay, the rollout is recorded paused, exit 130', async (t) => {
  const term = await interrupt(t, '--steps 30,60 --interval 10m', 30);
  await term.keys('Enter');
  t.equal(await term.exitCode(), 130);
  const screen = await term.screen();
  t.match(screen, `weights left as they are (30% to v2); resume: kubectl mesh canary ${APP} -n ${ns} --resume`);
  t.equal(await term.ttyMode(), 'icanon echo', 'raw mode is off again');
  t.same(await weightsOf(ns, APP), { v1: 70, v2: 30 }, 'step 1 stays in force');
  const r = await rolloutOf();
  t.match(r, { phase: 'paused', step: 0, reason: 'interrupted (SIGINT)' });
});

t.test('Ctrl-C after --resume, then "Roll back now": the routing from before the rollout, recorded aborted, exit 0', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh canary ${APP} -n ${ns} --resume`);
  await term.waitFor(/left in this step/);
  await term.keys('C-c');
  await term.waitFor('Interrupted at step 1/2 (30%). What now?');
  await term.moveTo(/Roll back now/);
  await term.keys('Enter');
  t.equal(await term.exitCode(), 0);
  t.match(await term.screen(), /rolling back to revision 2: rolled back by .+ \(interrupted\)/);
  t.same(await weightsOf(ns, APP), { v1: 90, v2: 10 }, 'back to 10% as before the rollout');
  t.match(await rolloutOf(), { phase: 'aborted', reason: /^rolled back by .+ \(interrupted\)$/ });
});

t.test('Ctrl-C, then "Continue the rollout": it carries on to the last step', async (t) => {
  const term = await interrupt(t, '--steps 40,80 --interval 4s', 40);
  await term.moveTo(/Continue the rollout/);
  await term.keys('Enter');
  await term.waitFor(new RegExp(`${ns}/${APP}: step 2/2: 80% to v2`));
  t.equal(await term.exitCode(), 0);
  t.match(await term.screen(), `${ns}/${APP}: rollout done at 80%`);
  t.same(await weightsOf(ns, APP), { v1: 20, v2: 80 });
  t.match(await rolloutOf(), { phase: 'done', step: 1 });
});
