// `kubectl mesh` with no verb at a terminal: a menu of services, then of actions, continuing into
// the chosen verb's flow.
import t from 'tap';
import { Terminal, appNamespace, weightsOf } from './support.js';

const APP = 'cart';
const ns = await appNamespace(t, 'pty-menu', APP, ['v1', 'v2']);

t.test('pick a service, then canary, then a weight', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh -n ${ns}`);
  await term.waitFor(`? Service in ${ns}`);
  await term.keys('Enter');
  const actions = await term.waitFor(`? What do you want to do with ${APP}?`);
  for (const a of ['canary', 'green', 'env', 'promote', 'status', 'history'])
    t.match(actions, new RegExp(`^[❯ -] ${a}\\s`, 'm'), `offers ${a}`);
  t.match(actions, /^- rollback .*\(no earlier revision\)$/m, 'rollback is shown but cannot be picked yet');
  t.match(actions, /^- promote .*\(nothing routed yet\)$/m);
  t.match(await term.highlighted(), /^❯ canary/);
  await term.keys('Enter');
  await term.waitFor('? Weight for v2 (now no routing)');
  await term.moveTo(/^❯\s+25%/);
  await term.keys('Enter');
  await term.waitFor(`? Apply to ${ns}/${APP}? (Y/n)`);
  await term.keys('Enter');
  t.equal(await term.exitCode(), 0);
  t.same(await weightsOf(ns, APP), { v1: 75, v2: 25 });
});

t.test('pick a service, then status', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh -n ${ns}`);
  t.match(await term.waitFor(`? Service in ${ns}`), new RegExp(`❯ ${APP}\\s+v1 75% / v2 25%`), 'each service with its current split');
  await term.keys('Enter');
  await term.waitFor(`? What do you want to do with ${APP}?`);
  await term.moveTo(/^❯ status/);
  await term.keys('Enter');
  t.equal(await term.exitCode(), 0);
  t.match(await term.screen(), /v2\s+canary\s+\S+\s+25%\s+1\/1/);
});
