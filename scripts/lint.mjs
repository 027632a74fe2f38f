// npm run lint: the static gate, also the first tier of npm test. Every check gates.
//   tsc --noEmit                 types (src, test, scripts)
//   depcruise                    the layering of src/ and no import cycles (.dependency-cruiser.cjs)
//   eslint                       typescript-eslint strict type-checked, tuned in eslint.config.mjs
//   prettier --check             formatting (.prettierrc.json)
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const bin = (name) => path.join(repo, 'node_modules', '.bin', name);
const FORMATTED = ['src/**/*.ts', 'test/**/*.{ts,mts,mjs}', 'scripts/**/*.mjs', '*.{mjs,cjs}', '.dependency-cruiser.cjs'];

const checks = [
  { name: 'tsc', cmd: bin('tsc'), args: ['--noEmit', '--pretty', 'false'] },
  { name: 'depcruise', cmd: bin('depcruise'), args: ['src', '--config', '.dependency-cruiser.cjs', '--output-type', 'err'] },
  { name: 'eslint', cmd: bin('eslint'), args: ['--max-warnings=0', '.'] },
  { name: 'prettier', cmd: bin('prettier'), args: ['--check', ...FORMATTED] },
];

let failed = 0;
for (const check of checks) {
  const started = Date.now();
  const r = spawnSync(check.cmd, check.args, {
    cwd: repo,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (r.status === 0) {
    console.log(`lint: ${check.name} ok (${seconds}s)`);
  } else {
    process.stdout.write(r.stdout ?? '');
    console.log(`lint: ${check.name} FAILED (${seconds}s)`);
    failed++;
  }
}
process.exit(failed ? 1 : 0);
