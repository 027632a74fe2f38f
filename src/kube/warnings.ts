// RFC 7234 Warning headers as the API server sends them: `299 - "text"` (several may share one
// header, comma-separated). kubectl prints the text of code 299 as "Warning: <text>".
export function parseWarnings(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const value of values) {
    const re = /\s*(\d{3})\s+(\S+)\s+"((?:[^"\\]|\\.)*)"(?:\s+"[^"]*")?\s*(?:,|$)/gy;
    let m: RegExpExecArray | null;
    while ((m = re.exec(value)) !== null) {
      if (m[1] === '299' && m[3]) out.push(m[3].replace(/\\(.)/g, '$1'));
      if (re.lastIndex >= value.length) break;
    }
  }
  return out;
}
