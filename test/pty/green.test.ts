// Blue/green and named environments at a terminal: the header typed (checked while typing), the
// match type picked, and — with three versions — which subset is stable and which one is green.
import t from 'tap';
import { getJson } from '../e2e/harness.js';
import { Terminal, appNamespace } from './support.js';

const APP = 'catalog';
const ns = await appNamespace(t, 'pty-green', APP, ['v1', 'v2', 'v3']);
const route = async (name: string) =>
  ((await getJson('virtualservice', APP, ns))?.spec?.http ?? []).find((r: { name?: string }) => r.name === name);

t.test('green with no arguments: service, match type, header, subsets, confirm', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh green -n ${ns}`);
  const services = await term.waitFor(`? Service in ${ns}`);
  t.match(services, new RegExp(`❯ ${APP}\\s+no routing yet \\(v1, v2, v3\\)`));
  await term.keys('Enter');

  await term.waitFor('? How should the header of green match?');
  t.match(await term.highlighted(), /^❯ exact/, 'exact is the default');
  await term.keys('Enter');

  t.match(await term.waitFor('? Header (NAME=VALUE)'), '(x-env=green)', 'x-env=green is suggested');
  await term.type('X-Stage');
  // Wait for the whole word: the check runs on every key, so a partial "X-Stag" shows the marker too.
  t.match(
    await term.waitFor(/X-Stage\s+← header "X-Stage" is not name=value/),
    /X-Stage\s+← header "X-Stage" is not name=value/,
    'checked while typing',
  );
  await term.type('=blue-green');
  await term.waitFor(/Header \(NAME=VALUE\) X-Stage=blue-green$/m);
  await term.keys('Enter');

  await term.waitFor(`? Stable subset of ${APP}`);
  t.match(await term.highlighted(), /^❯ v1/, 'the oldest version is suggested as stable');
  await term.keys('Enter');
  await term.waitFor(`? Green subset of ${APP}`);
  t.match(await term.screen(), /- v1 \(stable\)/, 'stable cannot be green too');
  t.match(await term.highlighted(), /^❯ v3/, 'the newest version is suggested');
  await term.keys('Up');
  await term.waitFor(/^❯ v2/m);
  await term.keys('Enter');

  const confirm = await term.waitFor(`? Apply to ${ns}/${APP}? (Y/n)`);
  t.match(confirm, '+ mesh-env-green: x-stage=blue-green → v2', 'the header route, lower-cased');
  t.match(confirm, '+ mesh-primary: v1 100%');
  await term.keys('Enter');
  t.equal(await term.exitCode(), 0);
  t.match(await term.screen(), /env green: x-stage=blue-green → v2/, 'the new status shows the environment');

  t.same((await route('mesh-env-green'))?.match, [{ headers: { 'x-stage': { exact: 'blue-green' } } }]);
  t.equal((await route('mesh-env-green'))?.route?.[0]?.destination?.subset, 'v2');
  t.same(
    (await route('mesh-primary'))?.route?.map((d: { destination: { subset: string } }) => d.destination.subset),
    ['v1'],
  );
});

t.test('env uat: prefix match, the suggested header accepted with Enter, subset picked', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh env uat ${APP} -n ${ns}`);
  await term.waitFor('? How should the header of uat match?');
  await term.moveTo(/^❯ prefix/);
  await term.keys('Enter');
  await term.waitFor('? Header (NAME=VALUE) (x-env=uat)');
  await term.keys('Enter');
  await term.waitFor('? Subset that uat goes to');
  await term.moveTo(/^❯ v3/);
  await term.keys('Enter');
  t.match(await term.waitFor(`? Apply to ${ns}/${APP}?`), '+ mesh-env-uat: x-env~prefix:uat → v3');
  await term.keys('Enter');
  t.equal(await term.exitCode(), 0);
  t.same((await route('mesh-env-uat'))?.match, [{ headers: { 'x-env': { prefix: 'uat' } } }]);
  t.equal((await route('mesh-env-uat'))?.route?.[0]?.destination?.subset, 'v3');
  t.ok(await route('mesh-env-green'), 'the green environment stays');
});
