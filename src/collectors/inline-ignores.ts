import { z } from 'zod';

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
export type { InlineIgnore } from './inline-scan.js';
export { readInlineIgnores, scanInlineIgnores } from './inline-scan.js';
