// The functional core stays pure: src/routing and src/analysis import no I/O (node:*, the kube
// adapter, istioctl, prompts, execa) and touch no process globals or clock.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';

const src = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../src');
const FORBIDDEN: [RegExp, string][] = [
  [/from '(node:|fs|child_process|os|http)/, 'a Node I/O module'],
  [/from '\.\.\/(kube|istioctl|source|ui|commands)\//, 'an adapter or the UI'],
  [/from '(inquirer|execa|@kubernetes\/client-node)'/, 'an I/O library'],
  [/\bprocess\.|\bDate\.now\(|new Date\(\)|Math\.random\(/, 'process globals, the clock or randomness'],
];

for (const dir of ['model', 'routing', 'analysis']) {
  t.test(`src/${dir} is pure`, async (t) => {
    const files = readdirSync(path.join(src, dir)).filter((f) => f.endsWith('.ts'));
    t.ok(files.length > 5, `${files.length} files checked`);
    for (const f of files) {
      const text = readFileSync(path.join(src, dir, f), 'utf8').replace(/^\s*(\/\/|\*).*$/gm, '');
      for (const [pattern, what] of FORBIDDEN) t.notMatch(text, pattern, `${dir}/${f} uses ${what}`);
    }
  });
}
