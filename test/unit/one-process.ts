// The unit tier as `npm test` runs it: every test/unit/**/*.test.ts imported into this one process.
// tap starts each test file in a process of its own, with its instrumentation and our TypeScript
// loader: ~0.6 s per file, 53 files, most of the tier's time. Here the files share one start-up and
// run one after another (their tests are queued on tap's root test). Each file still runs alone
// with `npx tap FILE` or `npx tap test/unit`, which is how to isolate one that misbehaves here.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dir = path.dirname(fileURLToPath(import.meta.url));
const files = readdirSync(dir, { recursive: true })
  .map(String)
  .filter((f) => f.endsWith('.test.ts'))
  .sort();
for (const f of files) await import(pathToFileURL(path.join(dir, f)).href);
