// Label selectors as kubectl -l writes them, equality-based: `a=b`, `a==b`, `a!=b`, `a`, `!a`, comma = AND.
import { UsageError } from '../errors.js';

export type Requirement = { key: string; op: 'eq' | 'ne'; value: string } | { key: string; op: 'exists' | 'absent' };

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

export function parseSelector(text: string): Requirement[] {
  const bad = (part: string) =>
    new UsageError(
      `--selector "${text}": cannot read "${part}"`,
      'use key=value, key!=value, key or !key, joined by commas (e.g. tier=backend,team!=ops)',
    );
  return text
    .split(',')
    .map((raw) => raw.trim())
    .map((part): Requirement => {
      const m = /^(.+?)\s*(==|!=|=)\s*(.*)$/.exec(part);
      if (m) {
        const [, key, op, value] = m as unknown as [string, string, string, string];
        if (!KEY.test(key) || !VALUE.test(value)) throw bad(part);
        return { key, op: op === '!=' ? 'ne' : 'eq', value };
      }
      const absent = part.startsWith('!');
      const key = absent ? part.slice(1).trim() : part;
      if (!KEY.test(key)) throw bad(part);
      return { key, op: absent ? 'absent' : 'exists' };
    });
}

export function selectorMatches(requirements: Requirement[], labels: Record<string, string> | undefined): boolean {
  return requirements.every((r) => {
    const v = labels?.[r.key];
    switch (r.op) {
      case 'eq':
        return v === r.value;
      case 'ne':
        return v !== r.value;
      case 'exists':
        return v !== undefined;
      case 'absent':
        return v === undefined;
    }
  });
}
