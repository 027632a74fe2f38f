// The one seam every question goes through. It owns cancellation: Ctrl-C (or Esc) at any
// prompt becomes a CancelledError (exit 130), the terminal is left as it was (cursor shown,
// raw mode off), and nothing has been written at that point.
// Flows ask through a Prompter: tests can hand one in on the context (ctx.prompter) to script
// answers; the real one drives inquirer.
import { CancelledError } from '../errors.js';
import type { Context } from '../context.js';
import type { ChoiceItem, Prompter } from './prompter.js';

export type { Choice, ChoiceItem, InputOptions, Prompter } from './prompter.js';

const cancelled = (err: unknown): boolean =>
  err instanceof Error && (err.name === 'ExitPromptError' || err.name === 'AbortPromptError' || err.name === 'CancelPromptError');

/** Inquirer's theme without colours (NO_COLOR, --no-color). */
const plainTheme = {
  prefix: { idle: '?', done: '✔' },
  style: {
    answer: (s: string) => s,
    message: (s: string) => s,
    error: (s: string) => `> ${s}`,
    defaultAnswer: (s: string) => `(${s})`,
    help: (s: string) => s,
    highlight: (s: string) => s,
    key: (s: string) => `<${s}>`,
    description: (s: string) => s,
    disabled: (s: string) => s,
    keysHelpTip: (keys: [string, string][]) => keys.map(([k, a]) => `${k} ${a}`).join(' • '),
  },
};

/** Runs one inquirer question; Esc aborts it like Ctrl-C. */
export async function ask<T>(ctx: Context, question: Record<string, unknown>): Promise<T> {
  const { default: inquirer } = await import('inquirer');
  const abort = new AbortController();
  // A lone ESC byte is the Esc key; arrow keys arrive as ESC [ A in one chunk.
  const onKey = (data: Buffer) => {
    if (data.length === 1 && data[0] === 0x1b) abort.abort();
  };
  ctx.streams.stdin.on('data', onKey);
  try {
    // The streams and the signal belong to the prompt module; prompt()'s second argument is answers.
    const prompt = inquirer.createPromptModule({ input: ctx.streams.stdin, output: ctx.streams.stderr, signal: abort.signal });
    // The flows build the question for the prompt type they name; inquirer's types cannot follow that.
    const answers = await prompt([{ name: 'value', ...(ctx.color ? {} : { theme: plainTheme }), ...question }] as unknown as Parameters<
      typeof prompt
    >[0]);
    return (answers as { value: T }).value;
  } catch (err) {
    if (cancelled(err)) {
      restoreTerminal(ctx);
      throw new CancelledError('cancelled; nothing was changed');
    }
    throw err;
  } finally {
    ctx.streams.stdin.off('data', onKey);
  }
}

/** Cursor shown, raw mode off, stdin released: whatever a prompt was doing when it was cut short. */
export function restoreTerminal(ctx: Context): void {
  const stdin = ctx.streams.stdin as NodeJS.ReadableStream & { isTTY?: boolean; setRawMode?: (on: boolean) => void };
  if (stdin.isTTY && typeof stdin.setRawMode === 'function') stdin.setRawMode(false);
  stdin.pause();
  if (ctx.streams.stderr.isTTY) ctx.streams.stderr.write('\u001b[?25h');
}

const toInquirerChoices = async <T>(choices: ChoiceItem<T>[]): Promise<unknown[]> => {
  const { default: inquirer } = await import('inquirer');
  return choices.map((c) =>
    'separator' in c
      ? new inquirer.Separator(c.separator)
      : { name: c.name, value: c.value, short: c.short, description: c.description, disabled: c.disabled ?? false },
  );
};

export function inquirerPrompter(ctx: Context): Prompter {
  return {
    confirm: (message, defaultYes) => ask<boolean>(ctx, { type: 'confirm', message, default: defaultYes }),
    async select(message, choices, defaultValue) {
      return ask(ctx, {
        type: 'select',
        message,
        choices: await toInquirerChoices(choices),
        default: defaultValue,
        pageSize: 12,
        loop: false,
      });
    },
    checkbox(message, choices) {
      return ask(ctx, {
        type: 'checkbox',
        message,
        pageSize: 15,
        loop: false,
        required: true,
        choices: choices.map((c) => ({
          name: c.name,
          value: c.value,
          short: c.short,
          description: c.description,
          disabled: c.disabled ?? false,
          checked: c.checked ?? false,
        })),
      });
    },
    input(message, opts = {}) {
      const { validate } = opts;
      const hint = (s: string) => (ctx.color ? `\u001b[31m${s}\u001b[0m` : s);
      return ask<string>(ctx, {
        type: 'input',
        message,
        default: opts.default,
        ...(validate && {
          validate: (text: string) => validate(text) ?? true,
          // Validated as you type: the problem shows next to the text before Enter is pressed.
          transformer: (text: string, { isFinal }: { isFinal: boolean }) => {
            const problem = !isFinal && text ? validate(text) : undefined;
            return problem ? `${text}  ${hint(`← ${problem}`)}` : text;
          },
        }),
      });
    },
  };
}

/** The prompter for this run: the context's own (tests), else inquirer. */
export const prompter = (ctx: Context): Prompter => ctx.prompter ?? inquirerPrompter(ctx);
