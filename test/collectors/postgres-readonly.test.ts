import { describe, expect, it } from 'vitest';
import { isReadOnlyStatement } from '../../src/collectors/postgres/readonly.js';

describe('postgres read-only statement guard', () => {
  it('refuses a second statement after a semicolon, even with a trailing one', () => {
    expect(isReadOnlyStatement('select 1; delete from t;')).toBe(false);
    expect(isReadOnlyStatement('select 1; commit; delete from t;')).toBe(false);
    expect(isReadOnlyStatement("select 'a;b'; drop table t;")).toBe(false);
    expect(isReadOnlyStatement('select 1; shutdown;')).toBe(false);
  });

  it('still accepts one read, with or without its semicolon, and a semicolon in a literal', () => {
    expect(isReadOnlyStatement('select 1')).toBe(true);
    expect(isReadOnlyStatement('select 1;')).toBe(true);
    expect(isReadOnlyStatement('select 1 ; ')).toBe(true);
    expect(isReadOnlyStatement("select ';' as x")).toBe(true);
    expect(isReadOnlyStatement('SHOW POOLS')).toBe(true);
    expect(isReadOnlyStatement('BEGIN READ ONLY')).toBe(true);
  });
});
