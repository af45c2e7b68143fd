// The `# strisk-ignore` comments of a file (see inline-ignores.ts), without zod: the app collector
// scans its Python sources with this before the facts' schema is loaded.
import path from 'node:path';
import { readLocalFile } from '../core/local-file.js';

/** One inline suppression, as InlineIgnoreSchema (inline-ignores.ts) describes it. */
export interface InlineIgnore {
  file: string;
  line: number;
  appliesTo: number;
  check?: string;
  reason?: string;
}

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
