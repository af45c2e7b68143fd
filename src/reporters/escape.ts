import { expectedWithUnit, formatQuantity } from '../core/units.js';

/**
 * Everything that comes back from an audited system is untrusted. These make it inert for each
 * output: no terminal control sequences, no characters XML 1.0 cannot hold.
 */

// C0 controls but tab and newline (CR included: it rewrites the line it is on), DEL, C1 controls,
// the line and paragraph separators, and the bidi marks, embeddings, overrides and isolates that can
// reorder what the reader sees.
const TEXT_UNSAFE =
  /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/** A visible escape for one unsafe character: `\x1b`, `\u2028`. */
function visible(c: string): string {
  const code = c.charCodeAt(0);
  return code <= 0xff
    ? `\\x${code.toString(16).padStart(2, '0')}`
    : `\\u${code.toString(16).padStart(4, '0')}`;
}

/**
 * Multi-line text with its line breaks kept and every other control character shown as a visible
 * escape (`\x1b`), for formats that carry their own structure (SARIF messages, XML text).
 */
export function textSafe(text: string): string {
  return text.replace(TEXT_UNSAFE, visible);
}

/**
 * One line for a terminal: control characters and line breaks are visible escapes (`\x1b`, `\n`),
 * so an audited system's name can neither drive the terminal nor start a line of its own (a line
 * starting with `::` is a workflow command to GitHub Actions).
 */
export function terminalSafe(text: string): string {
  return textSafe(text).replace(/\n/g, '\\n');
}

// Characters XML 1.0 forbids even when escaped.
const XML_INVALID =
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Replaces characters XML cannot hold, and the controls a terminal would act on when the file is
 * printed, with a visible escape; the XML builder escapes the rest.
 */
export function xmlSafe(text: string): string {
  return textSafe(text).replace(XML_INVALID, visible);
}

// What JSON.stringify leaves raw although a terminal acts on it or it reorders text: DEL, C1, the
// line and paragraph separators and bidi controls (C0 controls it escapes already).
const JSON_RAW_UNSAFE = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * Indented JSON with every control character as a `\u` escape: the same data for a parser, inert
 * when the file is printed. (These characters can only occur inside JSON strings.)
 */
export function jsonText(value: unknown, indent = 2): string {
  return JSON.stringify(value, null, indent).replace(
    JSON_RAW_UNSAFE,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

/** Recorded facts longer than this on one line are written on one line: indentation tripled them. */
export const INDENTED_FACTS_MAX_BYTES = 1024 * 1024;

/**
 * Recorded facts (`--save-facts`): indented to be read when small, one line when large (facts of
 * 10,000 ClickHouse tables were 21 MB indented, 7 MB on one line).
 */
export function factsText(facts: unknown): string {
  const line = jsonText(facts, 0);
  return line.length <= INDENTED_FACTS_MAX_BYTES ? jsonText(facts) : line;
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
    terminalSafe(text.replace(/\r\n|\r|\n|\t/g, ' '))
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

/**
 * An observed value with its unit, through the one number formatter (`1.5 GiB`, `4.2 s`, `0.99%`);
 * the unit goes with numbers only (`30 s`, not `no timeout s`).
 */
export function observedText(observed: unknown, unit?: string): string {
  return typeof observed === 'number' ? formatQuantity(observed, unit) : display(observed);
}

/** A one-line summary of a piece of evidence, for the formats that print it as text. */
export function evidenceSummary(e: {
  subject: string;
  observed?: unknown;
  unit?: string;
  expected?: string;
  note?: string;
  suppressed?: { reason: string; file: string; line: number };
}): string {
  const parts = [e.subject];
  if (e.observed !== undefined) parts.push(`observed ${observedText(e.observed, e.unit)}`);
  if (e.expected) parts.push(`expected ${expectedWithUnit(e.expected, e.unit)}`);
  if (e.note) parts.push(e.note);
  const text = parts.join(': ');
  // A finding suppressed inline says so, with the reason, in every format.
  return e.suppressed
    ? `${text} (suppressed at ${e.suppressed.file}:${e.suppressed.line}: ${e.suppressed.reason})`
    : text;
}
