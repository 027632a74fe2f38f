// The one helper for printing text that came from the cluster or a user's file (names, history
// entries, header values, messages that quote them): control characters, escape sequences and
// bidirectional overrides are shown escaped, so stored text cannot drive the terminal or break a line.

// C0 controls, DEL, C1 controls, and the Unicode bidi embedding/override/isolate characters.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;
const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

export function printable(text: string): string {
  return text.replace(
    UNSAFE,
    (c) =>
      NAMED[c] ??
      (c.charCodeAt(0) <= 0xff
        ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`
        : `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`),
  );
}
