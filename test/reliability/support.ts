// Shared by the reliability tier: the summary line every file prints, and "nothing changed" checks
// (files byte-identical by hash, resourceVersions unchanged). Runs the real plugin on the test cluster
// through test/e2e's harness; each file uses its own namespace(s).
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Test } from 'tap';

export * from '../e2e/support.js';
export { childEnv, repo, run } from '../e2e/harness.js';

/**
 * The tier's summary convention (see scripts/reliability-summary.mjs): a file reports each category
 * it covers as one TAP comment `RELIABILITY <category> <passed>/<total> <what was checked>`.
 */
export function reportCategory(t: Test, category: string, passed: number, total: number, checked: string): void {
  t.comment(`RELIABILITY ${category} ${passed}/${total} ${checked}`);
}

/** Counts cases per category as they pass or fail, and reports them all at the end of the file. */
export class Tally {
  private readonly counts = new Map<string, { passed: number; total: number; checked: string }>();
  constructor(t: Test) {
    t.teardown(() => {
      for (const [c, n] of this.counts) reportCategory(t, c, n.passed, n.total, n.checked);
    });
  }

  record(category: string, ok: boolean, checked: string): void {
    const n = this.counts.get(category) ?? { passed: 0, total: 0, checked };
    n.total++;
    if (ok) n.passed++;
    this.counts.set(category, n);
  }
}

/** sha256 of every file under dir (recursive), by relative path: "byte-identical" in one comparison. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const rel of readdirSync(dir, { recursive: true }).map(String).sort()) {
    const abs = path.join(dir, rel);
    let st;
    try {
      st = statSync(abs);
    } catch {
      out[rel] = 'unreadable';
      continue;
    }
    if (st.isFile()) out[rel] = createHash('sha256').update(readFileSync(abs)).digest('hex');
    else if (!st.isDirectory()) out[rel] = `special ${st.mode.toString(8)}`;
  }
  return out;
}

/** The error lines of stderr and whether stderr is exactly one `error: …` line. */
export function singleErrorLine(stderr: string): { ok: boolean; lines: string[] } {
  const lines = stderr
    .trimEnd()
    .split('\n')
    .filter((l) => l !== '');
  return { ok: lines.length === 1 && /^error: \S/.test(lines[0]), lines };
}
