// A tiny spinner on stderr for long waits (API reads, istioctl). Only on a terminal: piped or
// in CI it writes nothing at all. Quick waits stay silent (it appears after a short delay), and
// the line is erased when the wait ends, so what follows starts on a clean line.
// Ctrl-C while it spins restores the cursor and ends the wait with a CancelledError (exit 130).
import type { Context } from '../context.js';
import { CancelledError } from '../errors.js';

export interface SpinnerStream {
  write(chunk: string): boolean;
  isTTY?: boolean;
}

export interface SpinnerOptions {
  env?: NodeJS.ProcessEnv;
  /** ms before the first frame (default 120) */
  delayMs?: number;
  intervalMs?: number;
  /** Where Ctrl-C arrives from (default: process). */
  signals?: NodeJS.EventEmitter;
  /** The CancelledError's message on Ctrl-C (default "cancelled"). */
  cancelMessage?: string;
}

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];
const HIDE = '\u001b[?25l';
const SHOW = '\u001b[?25h';
const CLEAR = '\r\u001b[2K';

export const spinnerEnabled = (stream: SpinnerStream, env: NodeJS.ProcessEnv = {}): boolean =>
  Boolean(stream.isTTY) && env.TERM !== 'dumb' && !env.CI;

/** Runs `work`, spinning with `text` on `stream` meanwhile when that is a terminal. */
export async function withSpinner<T>(stream: SpinnerStream, text: string, work: () => Promise<T>, opts: SpinnerOptions = {}): Promise<T> {
  if (!spinnerEnabled(stream, opts.env)) return work();
  const signals = opts.signals ?? process;
  let frame = 0;
  let shown = false;
  const draw = () => {
    if (!shown) stream.write(HIDE);
    shown = true;
    stream.write(`${CLEAR}${FRAMES[frame++ % FRAMES.length]} ${text}`);
  };
  let interval: NodeJS.Timeout | undefined;
  const delay = setTimeout(() => {
    draw();
    interval = setInterval(draw, opts.intervalMs ?? 80);
  }, opts.delayMs ?? 120);
  const stop = () => {
    clearTimeout(delay);
    if (interval) clearInterval(interval);
    if (shown) stream.write(`${CLEAR}${SHOW}`);
    shown = false;
  };
  let onInt: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    onInt = () => {
      reject(new CancelledError(opts.cancelMessage));
    };
    // `on`, not `once`: signal-exit (execa, inquirer) re-raises SIGINT when it sees no other listener.
    signals.on('SIGINT', onInt);
  });
  try {
    return await Promise.race([work(), interrupted]);
  } finally {
    stop();
    signals.off('SIGINT', onInt!);
  }
}

/** The spinner on this run's stderr. */
export const spin = <T>(ctx: Context, text: string, work: () => Promise<T>, cancelMessage?: string): Promise<T> =>
  withSpinner(ctx.streams.stderr, text, work, { env: ctx.env, cancelMessage });
