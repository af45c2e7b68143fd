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

/**
 * Markdown text that renders as itself: HTML specials become entities, every ASCII punctuation
 * character Markdown could read as syntax is backslash-escaped, line breaks become spaces (table
 * cells are one line), and control characters are visible escapes.
 */
export function markdownSafe(text: string): string {
  return (
    terminalSafe(text)
      .replace(/\r\n|\r|\n|\t/g, ' ')
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/[\\`*_[\]!|~<>@$]/g, (c) => `\\${c}`)
      // No autolinks either: `https://x` and `www.x` stay text.
      .replace(/:\/\//g, '\\://')
      .replace(/\bwww\./gi, (m) => `${m.slice(0, 3)}\\.`)
  );
}

/** Text for HTML element content and quoted attributes. */
export function htmlSafe(text: string): string {
  return terminalSafe(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A GitHub workflow command's message: `%`, CR and LF encoded, so it cannot start a new command. */
export function githubData(text: string): string {
  return terminalSafe(text.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
}

/** A workflow command property value: also `:` and `,`, which end a property. */
export function githubProperty(text: string): string {
  return githubData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** An observed value with its unit; the unit goes with numbers only (`30 s`, not `no timeout s`). */
export function observedText(observed: unknown, unit?: string): string {
  return `${display(observed)}${unit && typeof observed === 'number' ? ` ${unit}` : ''}`;
}

/** A one-line summary of a piece of evidence, for the formats that print it as text. */
export function evidenceSummary(e: {
  subject: string;
  observed?: unknown;
  unit?: string;
  expected?: string;
  note?: string;
}): string {
  const parts = [e.subject];
  if (e.observed !== undefined) parts.push(`observed ${observedText(e.observed, e.unit)}`);
  if (e.expected) parts.push(`expected ${e.expected}`);
  if (e.note) parts.push(e.note);
  return parts.join(': ');
}
