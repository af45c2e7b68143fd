import path from 'node:path';
import { z } from 'zod';
import { readLocalFile } from '../core/local-file.js';

/**
 * Inline suppressions: `# strisk-ignore CHECK-ID: REASON` in a compose file, a Dockerfile or a
 * Python source. The collectors only record the comments (a pass over the raw lines, apart from
 * the parsers); the policy step decides what they suppress and reports the ones that suppress
 * nothing. A comment at the end of a line applies to that line; a comment on a line of its own
 * applies to the next line that is not a comment (so several can be stacked above a line). There
 * is no file-wide form: a comment at the top of a file applies to the first line below it.
 */
export const InlineIgnoreSchema = z.object({
  /** The file, as the evidence names it (relative to the audited directory, `/`-separated). */
  file: z.string(),
  line: z.number().int(),
  /** The line it suppresses findings on. */
  appliesTo: z.number().int(),
  /** As written; absent when the comment names none. */
  check: z.string().optional(),
  /** Absent when the comment gives none (`CHECK: REASON`); such a comment suppresses nothing. */
  reason: z.string().optional(),
});
export type InlineIgnore = z.infer<typeof InlineIgnoreSchema>;

const MARKER = /#\s*strisk-ignore\b(.*)$/;
const COMMENT_ONLY = /^\s*#/;

/** The `# strisk-ignore` comments of one file's text. */
export function scanInlineIgnores(file: string, text: string): InlineIgnore[] {
  if (!text.includes('strisk-ignore')) return [];
  const lines = text.split(/\r?\n/);
  const out: InlineIgnore[] = [];
  for (const [i, line] of lines.entries()) {
    const m = MARKER.exec(line);
    if (!m) continue;
    let target = i;
    if (line.slice(0, m.index).trim() === '') {
      target = i + 1;
      while (target < lines.length && COMMENT_ONLY.test(lines[target]!)) target++;
    }
    const rest = m[1]!.replace(/^[\s=]+/, '');
    const check = /^[^\s:]+/.exec(rest)?.[0];
    const after = check ? rest.slice(check.length).trimStart() : rest;
    const reason = after.startsWith(':') ? after.slice(1).trim() : '';
    out.push({
      file,
      line: i + 1,
      appliesTo: target + 1,
      ...(check ? { check } : {}),
      ...(reason ? { reason } : {}),
    });
  }
  return out;
}

/** Reads FILES (relative to ROOT, as the evidence names them) and returns their comments; an unreadable file has none. */
export async function readInlineIgnores(
  root: string,
  files: readonly string[],
  maxBytes?: number,
): Promise<InlineIgnore[]> {
  const found = await Promise.all(
    files.map(async (file) => {
      const text = await readLocalFile(path.resolve(root, file), {
        what: 'file',
        ...(maxBytes ? { maxBytes } : {}),
      }).catch(() => undefined);
      return text === undefined ? [] : scanInlineIgnores(file, text);
    }),
  );
  return found.flat();
}
