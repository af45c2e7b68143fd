import { readFileSync } from 'node:fs';
import { expect, it } from 'vitest';
import { collect } from '../../src/collectors/postgres/index.js';
import { isReadOnlyStatement } from '../../src/collectors/postgres/readonly.js';
import { requireService } from '../support/services.js';

/**
 * The bad cluster logs every statement (log_statement = 'all', prefix `... user@db app=NAME`).
 * After an audit, every statement strisk's sessions sent must be a read.
 */
it('sends only reads: proven by the server’s statement log', async () => {
  const log = requireService('STRISK_TEST_PG_BAD_LOG');
  const before = readFileSync(log, 'utf8').length;
  const t = await collect(
    { url: requireService('STRISK_TEST_PG_BAD') },
    { timeoutMs: 3000, projectDir: '.' },
  );
  expect(t.status, t.message).toBe('ok');
  await new Promise((r) => setTimeout(r, 200));
  const text = readFileSync(log, 'utf8').slice(before);
  // Join continuation lines (multi-line statements) to their entry.
  const entries = text.split(/\n(?=\d{4}-\d\d-\d\d )/);
  const statements = entries
    .filter((e) => / app=strisk /.test(e))
    .map((e) => /LOG: {2}(?:statement|execute [^:]*): ([\s\S]*)$/.exec(e)?.[1])
    .filter((s): s is string => s !== undefined);
  // Other test files may audit this cluster at the same time: all of their statements count too.
  expect(statements.length).toBeGreaterThanOrEqual(t.data!.queries);
  for (const s of statements) expect(isReadOnlyStatement(s), s.slice(0, 80)).toBe(true);
  expect(statements.some((s) => /BEGIN READ ONLY/.test(s))).toBe(true);

  expect(statements.every((s) => !/^\s*(insert|update|delete|create|alter|drop|vacuum)/i.test(s))).toBe(true);
});
