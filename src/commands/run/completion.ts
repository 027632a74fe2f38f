// `completion`: prints the script, or writes kubectl's completion helper into a directory on PATH.
import { chmodSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import type { Context } from '../../context.js';
import { ExitCode, MeshError, UsageError, type ExitCodeValue } from '../../errors.js';
import { completionScript, PLUGIN_HELPER_NAME, pluginHelper, type Shell } from '../../ui/completion-scripts.js';

export type CompletionOptions =
  /** --kubectl-plugin [DIR]; undefined: where kubectl-mesh is found. */
  { kind: 'plugin'; dir: string | undefined } | { kind: 'script'; shell: Shell };

const isDir = (p: string): boolean => {
  try {
    return statSync(p).isDirectory();
  } catch {
    return false;
  }
};

/**
 * Where the helper goes by default: the PATH directory kubectl finds kubectl-mesh in (krew's bin
 * directory for a krew install), else $KREW_ROOT/bin or ~/.krew/bin when that exists.
 */
export function defaultHelperDir(env: NodeJS.ProcessEnv): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'kubectl-mesh'))) return dir;
  }
  const krewBin = join(env.KREW_ROOT || join(env.HOME || homedir(), '.krew'), 'bin');
  return isDir(krewBin) ? krewBin : undefined;
}

export async function runCompletion(ctx: Context, opts: CompletionOptions): Promise<ExitCodeValue> {
  if (opts.kind === 'script') {
    ctx.streams.stdout.write(completionScript(opts.shell));
    return ExitCode.ok;
  }
  const dir = opts.dir ?? defaultHelperDir(ctx.env);
  if (!dir)
    throw new UsageError(
      'cannot tell where to write the completion helper: kubectl-mesh is not on PATH and ~/.krew/bin does not exist',
      'pass a directory on PATH: kubectl mesh completion --kubectl-plugin DIR',
    );
  if (!isDir(dir)) throw new UsageError(`"${dir}" is not a directory`, 'pass a directory on PATH');
  const file = join(dir, PLUGIN_HELPER_NAME);
  try {
    writeFileSync(file, pluginHelper());
    chmodSync(file, 0o755);
  } catch (err) {
    throw new MeshError(`cannot write ${file}: ${(err as Error).message}`, undefined, 'pass a directory you can write to', {
      cause: err,
    });
  }
  ctx.streams.stdout.write(`${file}\n`);
  const onPath = (ctx.env.PATH ?? '').split(delimiter).some((d) => d && resolve(d) === dir);
  if (!onPath) ctx.note(`warning: ${dir} is not on PATH; kubectl will not find ${PLUGIN_HELPER_NAME} until it is`);
  return ExitCode.ok;
}
