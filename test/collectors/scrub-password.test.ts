import { describe, expect, it } from 'vitest';
import { scrubPassword } from '../../src/collectors/types.js';

describe('scrubPassword', () => {
  it('takes a password out of a server message, however short', () => {
    expect(scrubPassword('WRONGPASS for hunter2pw', 'redis://u:hunter2pw@h:1')).toBe('WRONGPASS for ***');
    expect(scrubPassword('auth failed: password "ab" rejected', 'redis://u:ab@h:1')).toBe(
      'auth failed: password "***" rejected',
    );
    // A short password inside ordinary words is left alone: it is not the password there.
    expect(scrubPassword('about abacus', 'redis://u:ab@h:1')).toBe('about abacus');
    expect(scrubPassword('x+y failed', 'redis://u:x%2By@h:1')).toBe('*** failed');
    expect(scrubPassword('no password here', 'redis://h:1')).toBe('no password here');
  });
});

describe('scrubPassword: echoed credentials in every form', () => {
  const url = 'http://auditor:s3cret-pw@127.0.0.1:8123';
  const basic = Buffer.from('auditor:s3cret-pw').toString('base64');

  it('takes out the Basic credential and any Authorization header value', () => {
    expect(scrubPassword(`bad request; headers: Authorization: Basic ${basic}`, url)).toBe(
      'bad request; headers: Authorization: Basic ***',
    );
    expect(scrubPassword('{"authorization":"Bearer abc.def"}', url)).toBe('{"authorization":"Bearer ***"}');
    // Without the header name, the base64 credential alone is still recognised.
    expect(scrubPassword(`echo ${basic} end`, url)).toBe('echo *** end');
  });

  it('takes out user:password in any URL and extra passwords (PGPASSWORD, pgpass)', () => {
    expect(scrubPassword('cannot reach postgres://app:other@db:5432/x', url)).toBe(
      'cannot reach postgres://app:***@db:5432/x',
    );
    expect(scrubPassword('password "envpass1" rejected', 'postgres://h/db', ['envpass1'])).toBe(
      'password "***" rejected',
    );
    expect(scrubPassword('password s3cret%2Dpw', 'postgres://u:s3cret-pw@h/db')).toBe('password s3cret%2Dpw');
    expect(scrubPassword('password s3cret%20pw', 'postgres://u:s3cret%20pw@h/db')).toBe('password ***');
  });
});
