// Runs the CLI's main() in-process with captured streams (no terminal).
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli.js';
import type { ContextDeps } from '../../src/context.js';

export async function runMain(
  argv: string[],
  env: NodeJS.ProcessEnv,
  deps: ContextDeps = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.on('data', (d) => {
    stdout += d;
  });
  err.on('data', (d) => {
    stderr += d;
  });
  const code = await main(argv, { stdout: out, stderr: err, stdin: new PassThrough() }, env, deps);
  return { code, stdout, stderr };
}
