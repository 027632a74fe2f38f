// The confirmation's default: yes when there is nothing to look at, NO when readiness or analysis
// has something to say (a bare Enter then writes nothing).
import t from 'tap';
import { setPodsReady } from '../cluster/pods.mjs';
import { mesh } from '../e2e/harness.js';
import { Terminal, appNamespace, kubeconfig, resourceVersions, weightsOf } from './support.js';

const APP = 'search';
const ns = await appNamespace(t, 'pty-confirm', APP, ['v1', 'v2']);

t.test('no findings: "(Y/n)", Enter applies', async (t) => {
  const term = await Terminal.start(t, `kubectl mesh canary 20 ${APP} -n ${ns}`);
  const screen = await term.waitFor(`? Apply to ${ns}/${APP}? (Y/n)`);
  t.notMatch(screen, /warning:|LEVEL\s+CODE/, 'nothing to warn about');
  await term.keys('Enter');
  t.equal(await term.exitCode(), 0);
  t.same(await weightsOf(ns, APP), { v1: 80, v2: 20 });
});

t.test('a warning: "(y/N)", Enter writes nothing', async (t) => {
  // Back to v2 0%, then v2 loses its Ready pods: rolling back to 20% would send traffic to nothing.
  const step = await mesh(['canary', '0', APP, '-n', ns, '--yes']);
  t.equal(step.code, 0, step.stderr);
  await setPodsReady(kubeconfig(), ns, `app=${APP},version=v2`, false);
  const before = await resourceVersions(ns, APP);

  const term = await Terminal.start(t, `kubectl mesh rollback ${APP} -n ${ns}`);
  await term.waitFor(`? Roll ${APP} back to revision`);
  t.match(await term.highlighted(), /canary 20%/, 'the previous revision is pre-selected');
  await term.keys('Enter');
  const screen = await term.waitFor(`? Apply to ${ns}/${APP}? (y/N)`);
  t.match(screen, /Error\s+MESH0001\s+VirtualService .*Subset v2 .* has no Ready pod/, 'the finding is shown (a rollback only warns)');
  t.match(screen, 'mesh-primary: v1 100% / v2 0% → v1 80% / v2 20%', 'and the diff');
  await term.keys('Enter');
  t.equal(await term.exitCode(), 130);
  t.match(await term.screen(), /^Nothing was written\.$/m);
  t.same(await resourceVersions(ns, APP), before, 'unchanged');
  await setPodsReady(kubeconfig(), ns, `app=${APP},version=v2`, true);
});
