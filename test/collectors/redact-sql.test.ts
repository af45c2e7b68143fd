import { describe, expect, it } from 'vitest';
import { redactSqlLiterals } from '../../src/core/redact-sql.js';

describe('redactSqlLiterals', () => {
  it('takes every string literal out of a query text, password clauses first of all', () => {
    expect(redactSqlLiterals("ALTER ROLE app PASSWORD 'hunter2'")).toBe("ALTER ROLE app PASSWORD '***'");
    expect(redactSqlLiterals("CREATE USER u IDENTIFIED WITH plaintext_password BY 'pw'")).toBe(
      "CREATE USER u IDENTIFIED WITH plaintext_password BY '***'",
    );
    // Escapes continue a literal: '' (standard) and \' (E-strings, ClickHouse).
    expect(redactSqlLiterals("SELECT 'it''s', E'a\\'b', 1")).toBe("SELECT '***', E'***', 1");
    expect(redactSqlLiterals('DO $$ BEGIN PERFORM 1; END $$')).toBe('DO $$***$$');
    expect(redactSqlLiterals("SELECT $fn$ x 'y' $fn$")).toBe('SELECT $fn$***$fn$');
  });

  it('keeps parameters, identifiers and comments; a literal cut off is redacted to the end', () => {
    expect(redactSqlLiterals('SELECT * FROM t WHERE a = $1 AND b$c = $2')).toBe(
      'SELECT * FROM t WHERE a = $1 AND b$c = $2',
    );
    expect(redactSqlLiterals(`/* strisk */ SELECT "it's" FROM \`x'y\` -- don't`)).toBe(
      `/* strisk */ SELECT "it's" FROM \`x'y\` -- don't`,
    );
    expect(redactSqlLiterals("ALTER ROLE app PASSWORD 'secret-cut-at-200")).toBe(
      "ALTER ROLE app PASSWORD '***'",
    );
  });
});
