// npm run cluster:down — stops every process the cluster started (by the pids recorded in its state
// dir, checked against the binary so a recycled pid is never hit) and removes the state dir.
// Works after a crash: it needs only pids/, not a complete state.json.
import { existsSync } from 'node:fs';
import { isOurs, recordedPids, removeStateDir, stateDir } from './state.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Stops the recorded processes (istiod, then the apiserver, then etcd); returns [{ name, pid, how }]. */
export async function stopProcesses(dir) {
  const order = (p) => ['pilot-discovery', 'kube-apiserver', 'etcd'].indexOf(p.name);
  const stopped = [];
  for (const proc of recordedPids(dir).sort((a, b) => order(a) - order(b))) {
    if (!isOurs(proc)) {
      stopped.push({ name: proc.name, pid: proc.pid, how: 'not running' });
      continue;
    }
    process.kill(proc.pid, 'SIGTERM');
    let how = 'SIGTERM';
    for (let i = 0; i < 100 && isOurs(proc); i++) await sleep(100);
    if (isOurs(proc)) {
      process.kill(proc.pid, 'SIGKILL');
      how = 'SIGKILL';
      for (let i = 0; i < 50 && isOurs(proc); i++) await sleep(100);
    }
    stopped.push({ name: proc.name, pid: proc.pid, how });
  }
  return stopped;
}

export async function down(dir = stateDir()) {
  if (!existsSync(dir)) {
    console.log(`cluster:down: nothing to do (no state dir ${dir})`);
    return [];
  }
  const stopped = await stopProcesses(dir);
  for (const s of stopped)
    console.log(`  ${s.name.padEnd(15)} pid ${s.pid}: ${s.how === 'not running' ? 'was not running' : `stopped (${s.how})`}`);
  removeStateDir(dir);
  console.log(`cluster:down: removed ${dir}`);
  return stopped;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await down().catch((e) => {
    console.error(`cluster:down: ${e.message}`);
    process.exit(1);
  });
}
