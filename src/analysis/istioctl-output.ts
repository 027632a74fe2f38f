// Parse `istioctl analyze -o json` output. PURE.
//
// istioctl prints a JSON array (tab-indented) of {code, level, origin, reference?, message,
// documentationUrl}; an empty result is `[]` (or `null` from some versions). With -o json the exit
// code is 0 even when there are errors, so callers decide failure from the levels. Log lines can
// surround the array (client-go warnings, "Reading from stdin:" on a terminal), and for a missing
// namespace istioctl prints `namespace "x" not found` on stderr, analyses nothing and exits 0.

import type { Finding, FindingLevel } from './types.js';

export type IstioctlParseResult =
  | { ok: true; findings: Finding[] }
  /** istioctl ran but analysed nothing: the namespace does not exist. */
  | { ok: false; reason: 'namespace-not-found'; namespace: string }
  | { ok: false; reason: 'empty' | 'unparsable'; detail: string };

const NAMESPACE_NOT_FOUND = /namespace "([^"]*)" not found/;

function normalizeLevel(v: unknown): FindingLevel {
  const s = String(v ?? '').toLowerCase();
  if (s === 'error') return 'Error';
  if (s === 'info') return 'Info';
  return 'Warning'; // "Warning" and anything unknown: never hide it, never fail on it
}

function toFinding(item: unknown): Finding | undefined {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return undefined;
  const o = item as Record<string, unknown>;
  if (typeof o.code !== 'string' || o.code === '') return undefined;
  const f: Finding = {
    code: o.code,
    level: normalizeLevel(o.level),
    origin: typeof o.origin === 'string' ? o.origin : '',
    message: typeof o.message === 'string' ? o.message : '',
    source: 'istioctl',
  };
  if (typeof o.documentationUrl === 'string' && o.documentationUrl) f.documentationUrl = o.documentationUrl;
  if (typeof o.reference === 'string' && o.reference) f.reference = o.reference;
  return f;
}

/** Candidate JSON documents: the whole text, then every span from a line starting with `[` to a line ending with `]`. */
function* candidates(text: string): Generator<string> {
  yield text.trim();
  const lines = text.split(/\r?\n/);
  const starts: number[] = [];
  const ends: number[] = [];
  lines.forEach((l, i) => {
    const t = l.trim();
    if (t.startsWith('[') || t === 'null') starts.push(i);
    if (t.endsWith(']') || t === 'null') ends.push(i);
  });
  for (const s of starts) {
    for (const e of [...ends].reverse()) {
      if (e >= s)
        yield lines
          .slice(s, e + 1)
          .join('\n')
          .trim();
    }
  }
}

export function parseIstioctlAnalyzeJson(stdout: string, stderr = ''): IstioctlParseResult {
  const nsMissing = NAMESPACE_NOT_FOUND.exec(stderr) ?? NAMESPACE_NOT_FOUND.exec(stdout);
  for (const candidate of candidates(stdout)) {
    if (candidate === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(candidate);
    } catch {
      continue;
    }
    if (parsed === null) return { ok: true, findings: [] };
    if (!Array.isArray(parsed)) continue;
    const findings = parsed.map(toFinding).filter((f): f is Finding => f !== undefined);
    // An array of things that are not messages at all (e.g. some other tool's output) is not ours.
    if (parsed.length > 0 && findings.length === 0) continue;
    return { ok: true, findings };
  }
  if (nsMissing) return { ok: false, reason: 'namespace-not-found', namespace: nsMissing[1] };
  const trimmed = stdout.trim();
  if (trimmed === '') return { ok: false, reason: 'empty', detail: firstLine(stderr) };
  return { ok: false, reason: 'unparsable', detail: firstLine(trimmed) };
}

const firstLine = (s: string): string =>
  s
    .split(/\r?\n/)
    .map((l) => l.trim())
    .find((l) => l !== '') ?? '';
