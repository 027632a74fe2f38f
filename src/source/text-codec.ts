// A file's bytes as text and back, byte for byte: UTF-8 when the file is valid UTF-8, else Latin-1
// (every byte is one character, so bytes we do not change come back unchanged); and its line ending,
// so a CRLF file gets CRLF in what we write too.

export interface DecodedFile {
  text: string;
  encoding: 'utf8' | 'latin1';
  /** The file's line ending: CRLF only when every line break in it is CRLF. */
  eol: '\n' | '\r\n';
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function decodeFile(bytes: Buffer): DecodedFile {
  let text: string;
  let encoding: DecodedFile['encoding'] = 'utf8';
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    text = bytes.toString('latin1');
    encoding = 'latin1';
  }
  const lf = text.split('\n').length - 1;
  const crlf = text.split('\r\n').length - 1;
  return { text, encoding, eol: lf > 0 && crlf === lf ? '\r\n' : '\n' };
}

/** Text we generated (LF line breaks) in the file's line ending. */
export const withEol = (text: string, eol: DecodedFile['eol']): string => (eol === '\n' ? text : text.replace(/\r?\n/g, '\r\n'));

export function encodeFile(text: string, encoding: DecodedFile['encoding']): Buffer {
  if (encoding === 'utf8') return Buffer.from(text, 'utf8');
  // Latin-1: characters from the file are one byte each; new characters beyond Latin-1 (a value we
  // write) go in as UTF-8 rather than being cut to one byte.
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text.charCodeAt(i) <= 0xff) continue;
    const cp = text.codePointAt(i)!;
    parts.push(Buffer.from(text.slice(start, i), 'latin1'), Buffer.from(String.fromCodePoint(cp), 'utf8'));
    if (cp > 0xffff) i++;
    start = i + 1;
  }
  parts.push(Buffer.from(text.slice(start), 'latin1'));
  return Buffer.concat(parts);
}
