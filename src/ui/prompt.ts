// The one seam every question goes through. It owns cancellation: Ctrl-C (or Esc) at any
// prompt becomes a CancelledError (exit 130), and nothing has been written at that point.
import { CancelledError } from '../errors.js';
import type { Context } from '../context.js';

export interface Prompter {
  confirm(message: string, defaultYes: boolean): Promise<boolean>;
}

const cancelled = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError');

/** Runs an inquirer question; Esc aborts it like Ctrl-C. */
export async function ask<T>(ctx: Context, question: Record<string, unknown>): Promise<T> {
  const { default: inquirer } = await import('inquirer');
  const abort = new AbortController();
  const onKey = (data: Buffer) => { if (data.length === 1 && data[0] === 0x1b) abort.abort(); };
  ctx.streams.stdin.on('data', onKey);
  try {
    const answers = await inquirer.prompt([{ name: 'value', ...question }] as never, {
      input: ctx.streams.stdin as never, output: ctx.streams.stderr as never, signal: abort.signal,
    } as never);
    return (answers as { value: T }).value;
  } catch (err) {
    if (cancelled(err)) throw new CancelledError();
    throw err;
  } finally {
    ctx.streams.stdin.off('data', onKey);
  }
}

export const prompter = (ctx: Context): Prompter => ({
  confirm: (message, defaultYes) => ask<boolean>(ctx, { type: 'confirm', message, default: defaultYes }),
});
