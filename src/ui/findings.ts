// Render analysis findings as a compact table, most severe first. Pure: returns a string.

import { countByLevel, LEVELS, type Finding, type FindingLevel } from '../analysis/types.js';
import { printable } from './printable.js';

export interface RenderFindingsOptions {
  /** ANSI colours on the level column (the caller decides: TTY, NO_COLOR, --color). */
  color: boolean;
}

const ANSI = { reset: '\u001b[0m', boldRed: '\u001b[1;31m', yellow: '\u001b[33m', cyan: '\u001b[36m' } as const;
const LEVEL_COLOR: Record<FindingLevel, string> = { Error: ANSI.boldRed, Warning: ANSI.yellow, Info: ANSI.cyan };

/** Wrap `text` in the colour of `level` when `color` is on. */
export const paint = (text: string, level: FindingLevel, color: boolean): string =>
  color ? `${LEVEL_COLOR[level]}${text}${ANSI.reset}` : text;

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

/** "2 errors, 1 warning, 0 info" */
export function summarizeFindings(findings: readonly Finding[]): string {
  const c = countByLevel(findings);
  return `${plural(c.Error, 'error')}, ${plural(c.Warning, 'warning')}, ${c.Info} info`;
}

const objectOf = (f: Finding): string => {
  const base = f.origin || '(cluster)';
  return f.path ? `${base} ${f.path}` : base;
};

/**
 * LEVEL  CODE  OBJECT  MESSAGE, grouped Error → Warning → Info, then a summary line.
 * Messages are never truncated; only the first three columns are padded.
 */
export function renderFindings(findings: readonly Finding[], opts: RenderFindingsOptions): string {
  if (findings.length === 0) return 'No issues found.\n';
  const rows = LEVELS.flatMap((level) => findings.filter((f) => f.level === level)).map((f) => ({
    level: f.level,
    cols: [f.level, printable(f.code), printable(objectOf(f)), printable(f.message.replace(/\s*\n\s*/g, ' '))],
  }));
  const header = ['LEVEL', 'CODE', 'OBJECT', 'MESSAGE'];
  const widths = [0, 1, 2].map((i) => Math.max(header[i].length, ...rows.map((r) => r.cols[i].length)));
  const line = (cols: string[], level?: FindingLevel): string =>
    cols
      .map((c, i) => {
        const padded = i < 3 ? c.padEnd(widths[i]) : c;
        return i === 0 && level ? paint(padded, level, opts.color) : padded;
      })
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map((r) => line(r.cols, r.level)), '', summarizeFindings(findings), ''].join('\n');
}
