// Turns the bundle into a Node single-executable application for one target:
// sea-config → blob (written by a Node of the target's exact version), then postject.
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { baseNode } from './base-node.mjs';
import { blobMakerFor, runnerFor, SEA_FUSE, targetName } from './targets.mjs';

const require = createRequire(import.meta.url);

/**
 * Builds `out` (an executable) for target `t` from `bundle`. The code cache is V8- and
 * platform-specific, so it is only used when the blob is made by the very binary we ship: natively,
 * or under qemu-user for the other Linux architecture. Otherwise a runnable Node of the same
 * version writes the blob without one.
 * @returns {{ codeCache: boolean, runner?: string[] }} runner: how to run `out` here, if at all
 */
export async function buildSea(t, bundle, out, workDir, log = () => {}) {
  const base = baseNode(t, log);
  const runner = runnerFor(t, existsSync);
  let maker;
  if (runner) maker = [...runner, base];
  else {
    const makerTarget = blobMakerFor(t);
    if (!makerTarget) throw new Error(`cannot write SEA blobs on ${process.platform}-${process.arch}`);
    maker = [baseNode(makerTarget, log)];
  }
  const codeCache = runner !== undefined;

  mkdirSync(workDir, { recursive: true });
  const blob = join(workDir, `${targetName(t)}.blob`);
  const config = join(workDir, `${targetName(t)}.sea-config.json`);
  writeFileSync(
    config,
    JSON.stringify(
      {
        main: resolve(bundle),
        output: blob,
        disableExperimentalSEAWarning: true,
        useCodeCache: codeCache,
        useSnapshot: false,
      },
      null,
      2,
    ),
  );
  execFileSync(maker[0], [...maker.slice(1), '--experimental-sea-config', config], { stdio: 'pipe' }); // its chatter is noise; a failure throws with stderr

  mkdirSync(dirname(out), { recursive: true });
  copyFileSync(base, out);
  const { inject } = require('postject');
  // LIEF (inside postject) warns about unnamed ELF note sections; that is noise, not a defect.
  const warn = console.warn;
  console.warn = (...a) => {
    if (!/Can't find string offset for section name/.test(String(a[0]))) warn(...a);
  };
  try {
    await inject(out, 'NODE_SEA_BLOB', readFileSync(blob), {
      sentinelFuse: SEA_FUSE,
      machoSegmentName: t.os === 'darwin' ? 'NODE_SEA' : undefined,
      overwrite: true,
    });
  } finally {
    console.warn = warn;
  }
  execFileSync('chmod', ['755', out]);
  return { codeCache, runner };
}
