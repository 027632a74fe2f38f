// A canary release typed at a real terminal: namespace and service picked with the arrow keys,
// a weight typed (with a typo corrected), the diff confirmed, the new status shown; then the next
// step picked from the list. Checked on the screen and on the VirtualService in the cluster.
import t from 'tap';
import { getJson } from '../e2e/harness.js';
import { Terminal, appNamespace, weightsOf } from './support.js';

const APP = 'checkout';

const ns = await appNamespace(t, 'pty-canary', APP, ['v1', 'v2']);

t.test('no arguments: pick namespace and service, type a weight, confirm', async (t) => {
  const term = await Terminal.start(t, 'kubectl mesh canary');
  await term.waitFor('? Namespace');
  t.match(await term.highlighted(), /\(current context\)/, 'the context namespace is pre-selected');
  await term.moveTo(new RegExp(`^❯ ${ns}$`));
  await term.keys('Enter');

  const services = await term.waitFor(`? Service in ${ns}`);
  t.match(services, new RegExp(`❯ ${APP}\\s+no routing yet \\(v1, v2\\)`), 'the service, with its versions');
  await term.keys('Enter');

  const weights = await term.waitFor('? Weight for v2');
  t.match(weights, /10%\s+v1 90% \/ v2 10%/, 'next steps are offered with the split each gives');
  t.match(weights, /100%\s+v1 0% \/ v2 100%/);
  await term.moveTo(/other…/);
  await term.keys('Enter');
  await term.waitFor('? Weight for v2 (0-100)');
  await term.type('3x');
  t.match(await term.waitFor(/3x\s+← an integer from 0 to 100/), /3x\s+← an integer from 0 to 100/, 'a typo is flagged while typing');
  await term.keys('BSpace');
  await term.type('0');
  await term.waitFor(/\(0-100\) 30\s*$/m);
  await term.keys('Enter');

  const confirm = await term.waitFor(`? Apply to ${ns}/${APP}? (Y/n)`);
  t.match(confirm, `create VirtualService ${ns}/${APP}`, 'the diff is shown before asking');
  t.match(confirm, 'mesh-primary: v1 70% / v2 30%');
  t.match(confirm, `create DestinationRule ${ns}/${APP}`);
  t.equal(await getJson('virtualservice', APP, ns), undefined, 'nothing written before the answer');
  await term.keys('Enter');

  t.equal(await term.exitCode(), 0);
  const done = await term.screen();
  t.match(done, `virtualservice/${APP} created`);
  t.match(done, new RegExp(`${ns}/${APP}\\s+vs/${APP} rev 2`), 'the new status follows');
  t.match(done, /v2\s+canary\s+\S+\s+30%\s+1\/1/);
  t.same(await weightsOf(ns, APP), { v1: 70, v2: 30 }, 'the cluster has the typed weight');
});

t.test('SERVICE given: the next step is pre-selected and picked with Enter', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh canary ${APP} -n ${ns}`);
  const weights = await term.waitFor(`? Weight for v2 (now v1 70% / v2 30%)`);
  t.notMatch(weights, '? Namespace', 'no namespace question when the service is named');
  t.match(await term.highlighted(), /50%\s+v1 50% \/ v2 50%/, 'the next step after 30% is 50%');
  await term.keys('Enter');
  await term.waitFor(`? Apply to ${ns}/${APP}? (Y/n)`);
  t.match(await term.screen(), 'mesh-primary: v1 70% / v2 30% → v1 50% / v2 50%');
  await term.type('y');
  await term.keys('Enter');
  t.equal(await term.exitCode(), 0);
  t.same(await weightsOf(ns, APP), { v1: 50, v2: 50 });
});

t.test('--yes skips the confirmation, the weight is still asked', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh canary ${APP} -n ${ns} --yes`);
  await term.waitFor('? Weight for v2');
  await term.moveTo(/^❯\s+100%/);
  await term.keys('Enter');
  t.equal(await term.exitCode(), 0);
  t.notMatch(await term.screen(), 'Apply to', 'no confirmation');
  t.same(await weightsOf(ns, APP), { v1: 0, v2: 100 });
});
