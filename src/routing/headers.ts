// --header name=value flags → Istio header match conditions. Values are data: exact and prefix
// are compared literally by Istio; only --match regex treats them as an RE2 pattern.
import { UsageError } from '../errors.js';
import type { HeaderCondition, HttpMatch, StringMatch } from './types.js';

// RFC 9110 token characters.
const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
export const ENV_NAME = /^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$/;
export const MATCH_TYPES = ['exact', 'prefix', 'regex'] as const;

export function parseHeader(text: string, type: HeaderCondition['type']): HeaderCondition {
  const eq = text.indexOf('=');
  if (eq <= 0) throw new UsageError(`header "${text}" is not name=value`, 'pass e.g. --header x-env=green');
  const name = text.slice(0, eq);
  const value = text.slice(eq + 1);
  if (!TOKEN.test(name)) throw new UsageError(`header name "${name}" is not an HTTP token`, 'use letters, digits and - only, e.g. x-env');
  if (name.startsWith(':')) throw new UsageError(`pseudo-header "${name}" cannot be matched here`, 'match a regular header, e.g. x-env');
  if (value === '') throw new UsageError(`header "${name}" has an empty value`, `pass ${name}=VALUE`);
  // HTTP forbids CR, LF and other controls in a field value (RFC 9110 5.5): such a route never matches.
  const control = /[\u0000-\u0008\u000a-\u001f\u007f]/.exec(value);
  if (control) {
    const shown = JSON.stringify(control[0]).slice(1, -1);
    throw new UsageError(
      `header ${name} value contains a control character (${shown}), which no HTTP request can carry`,
      'use printable characters only',
    );
  }
  if (type === 'regex') {
    // RE2 rejects lookarounds and backreferences, which JS accepts.
    if (/\(\?[=!<]|\\[1-9]|\\k</.test(value))
      throw new UsageError(
        `regex for header ${name} uses lookaround or backreferences, which Istio's RE2 does not support`,
        'simplify the pattern',
      );
    // JS RegExp is close enough to RE2 to catch typos, once RE2-only syntax JS lacks is translated:
    // flag groups such as (?i) or (?i:…), and (?P<name>…) named groups.
    const js = value
      .replace(/\(\?[imsU]+\)/g, '')
      .replace(/\(\?[imsU]*-?[imsU]*:/g, '(?:')
      .replace(/\(\?P</g, '(?<');
    try {
      new RegExp(js);
    } catch (e) {
      throw new UsageError(`invalid regex for header ${name}: ${(e as Error).message}`, 'fix the pattern or use --match exact');
    }
  }
  // Header names are case-insensitive on the wire; Istio requires them lowercase.
  return { name: name.toLowerCase(), type, value };
}

export function parseEnvName(name: string | undefined): string {
  if (!name) throw new UsageError('missing environment NAME', 'usage: kubectl mesh env NAME [SERVICE] --header x-env=NAME');
  if (!ENV_NAME.test(name))
    throw new UsageError(`environment name "${name}" is invalid`, 'use lowercase letters, digits and -, at most 40 characters');
  return name;
}

export function headerMatch(conditions: HeaderCondition[]): HttpMatch {
  const headers: Record<string, StringMatch> = {};
  for (const c of conditions) headers[c.name] = { [c.type]: c.value } as StringMatch;
  return { headers };
}
