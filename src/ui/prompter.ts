// The Prompter seam's types: what a question looks like. src/ui/prompt.ts implements it with inquirer;
// the context carries one (tests script answers through it).

export interface Choice<T> {
  name: string;
  value: T;
  /** Shown as the answer once picked (default: name). */
  short?: string;
  /** Shown under the list while the choice is highlighted. */
  description?: string;
  /** A reason shown next to a choice that cannot be picked. */
  disabled?: string;
}
/** A choice, or a dim line between groups of choices. */
export type ChoiceItem<T> = Choice<T> | { separator: string };

export interface InputOptions {
  default?: string;
  /** Returns what is wrong with the text, or undefined when it is fine. Shown while typing; Enter is refused until fixed. */
  validate?: (text: string) => string | undefined;
}

export interface Prompter {
  confirm(message: string, defaultYes: boolean): Promise<boolean>;
  select<T>(message: string, choices: ChoiceItem<T>[], defaultValue?: T): Promise<T>;
  input(message: string, opts?: InputOptions): Promise<string>;
  /** Several picks; `checked` choices start selected. At least one must be picked. */
  checkbox<T>(message: string, choices: (Choice<T> & { checked?: boolean })[]): Promise<T[]>;
}
