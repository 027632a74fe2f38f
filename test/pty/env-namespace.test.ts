// `kubectl mesh env` at a terminal with nothing else: the environments it can see (from the versions
// present), the header suggested, a checkbox of the services (all preselected), the plan for every
// service, and one question. Real inquirer in a real pseudo-terminal (tmux).
import t from 'tap';
import { startWorkloads } from '../cluster/pods.mjs';
import { getJson, kubectl } from '../e2e/harness.js';
import { Terminal, appNamespace, kubeconfig } from './support.js';

const ns = await appNamespace(t, 'pty-envs', 'a', ['v1', 'uat']);
// Two more services: b also has a uat version, c does not.
const items = [
  ['b', ['v1', 'uat']],
  ['c', ['v1']],
].flatMap(([name, versions]) => [
  { apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: ns }, spec: { selector: { app: name }, ports: [{ port: 9080 }] } },
  ...(versions as string[]).map((v) => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: `${name}-${v}`, namespace: ns },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: name, version: v } },
      template: { metadata: { labels: { app: name, version: v } }, spec: { containers: [{ name: String(name), image: 'x' }] } },
    },
  })),
]);
const applied = await kubectl(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items }) });
if (applied.code !== 0) throw new Error(applied.stderr);
await startWorkloads(kubeconfig(), ns);
const envRoute = async (svc: string) =>
  ((await getJson('virtualservice', svc, ns))?.spec?.http ?? []).find((r: { name?: string }) => r.name === 'mesh-env-uat');

t.test('env with nothing else: pick the environment, accept the header, untick a service, one confirmation', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh env -n ${ns}`);
  const envs = await term.waitFor('? Environment');
  t.match(envs, /uat\s+2 services \(a, b\)/, 'uat, with the services that have it');
  t.match(await term.highlighted(), /^❯ uat/, 'the value fewer services have is offered first');
  await term.keys('Enter');
  await term.waitFor('? Header (NAME=VALUE) (x-env=uat)');
  await term.keys('Enter');
  const services = await term.waitFor('? Services in uat');
  t.match(services, /◉ a\s+→ uat/, 'a preselected');
  t.match(services, /◉ b\s+→ uat/, 'b preselected');
  t.notMatch(services, /\sc\s+→/, 'c has no uat version: not offered');
  await term.keys('Space'); // untick a
  await term.waitFor(/◯ a\s+→ uat/);
  await term.keys('Enter');
  const confirm = await term.waitFor(`? Apply to 1 service in namespace ${ns}? (Y/n)`);
  t.match(confirm, `create VirtualService ${ns}/b`);
  t.match(confirm, '+ mesh-env-uat: x-env=uat → uat');
  t.notMatch(confirm, `VirtualService ${ns}/a`, 'no plan for the service left out');
  await term.keys('Enter');
  t.equal(await term.exitCode(), 0);
  t.match(await term.screen(), /env uat: 1 service changed/);
  t.same((await envRoute('b'))?.match, [{ headers: { 'x-env': { exact: 'uat' } } }]);
  t.equal(await getJson('virtualservice', 'a', ns), undefined, 'a untouched');
});

t.test('the plan for every service, then "no": nothing written', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh env -n ${ns}`);
  await term.waitFor('? Environment');
  t.match(await term.screen(), /uat\s+2 services \(a, b\)\s+routed now/, 'an environment that routes now is marked');
  await term.keys('Enter');
  await term.waitFor('? Header (NAME=VALUE) (x-env=uat)');
  await term.keys('Enter');
  await term.waitFor('? Services in uat');
  await term.keys('Enter');
  const confirm = await term.waitFor(`? Apply to 1 service in namespace ${ns}?`);
  t.match(confirm, `create VirtualService ${ns}/a`, 'only a changes: b already has it');
  await term.keys('n', 'Enter');
  t.equal(await term.exitCode(), 130);
  t.equal(await getJson('virtualservice', 'a', ns), undefined, 'nothing written');
});
