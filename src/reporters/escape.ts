/**
 * Everything that comes back from an audited system is untrusted. These make it inert for each
 * output: no terminal control sequences, no characters XML 1.0 cannot hold.
 */

// C0 controls but tab/newline, DEL, C1 controls, and the bidi overrides that can reorder text.
const TERMINAL_UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g;

/** Shows control characters as visible escapes (`\x1b`), so a name cannot drive the terminal. */
export function terminalSafe(text: string): string {
  return text.replace(TERMINAL_UNSAFE, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

// Characters XML 1.0 forbids even when escaped.
const XML_INVALID =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Replaces characters XML cannot hold with a visible escape; the XML builder escapes the rest. */
export function xmlSafe(text: string): string {
  return text.replace(XML_INVALID, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

export function display(value: unknown): string {
  if (value === null || value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}
