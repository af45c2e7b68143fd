import { describe, expect, it } from 'vitest';
import { redactInPlace, redactUrl } from '../../src/core/redact-url.js';

describe('redactUrl: one form for every source', () => {
  it.each([
    ['redis://auditor:s3cret@127.0.0.1:6379', 'redis://auditor:***@127.0.0.1:6379'],
    ['rediss://:s3cret@cache:6380/2', 'rediss://:***@cache:6380/2'],
    ['postgres://auditor:s3cret@db:5432/app', 'postgres://auditor:***@db:5432/app'],
    ['postgresql://auditor:s3cret@db/app?sslmode=require', 'postgresql://auditor:***@db/app?sslmode=require'],
    ['postgres://postgres@127.0.0.1:6432/pgbouncer', 'postgres://postgres@127.0.0.1:6432/pgbouncer'],
    ['http://auditor:s3cret@127.0.0.1:8123', 'http://auditor:***@127.0.0.1:8123'],
    ['https://api.example.com/health', 'https://api.example.com/health'],
    ['tcp://docker:s3cret@10.0.0.5:2376', 'tcp://docker:***@10.0.0.5:2376'],
    ['unix:///var/run/docker.sock', 'unix:///var/run/docker.sock'],
  ])('%s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });

  it('keeps an IPv6 host and port', () => {
    expect(redactUrl('postgres://auditor:s3cret@[::1]:5432/app')).toBe(
      'postgres://auditor:***@[::1]:5432/app',
    );
    expect(redactUrl('redis://[fe80::1%25eth0]:6379')).not.toContain('s3cret');
    expect(redactUrl('redis://[2001:db8::7]:6379')).toBe('redis://[2001:db8::7]:6379');
  });

  it('hides a password holding an @, percent-encoded or raw', () => {
    expect(redactUrl('redis://auditor:p%40ss@cache:6379')).toBe('redis://auditor:***@cache:6379');
    expect(redactUrl('redis://auditor:p@ss@cache:6379')).toBe('redis://auditor:***@cache:6379');
    expect(redactUrl('postgres://u:a@b@[::1]:5432/app')).toBe('postgres://u:***@[::1]:5432/app');
  });

  it('shows an empty password as none, and a URL without a user as it is', () => {
    expect(redactUrl('http://default:@127.0.0.1:18123')).toBe('http://default@127.0.0.1:18123');
    expect(redactUrl('redis://127.0.0.1:6379/0')).toBe('redis://127.0.0.1:6379/0');
    expect(redactUrl('postgres://db:5432/app')).toBe('postgres://db:5432/app');
  });

  it('masks secret query parameters, whatever their case', () => {
    const shown = redactUrl(
      'postgres://u@db/app?sslmode=verify-full&sslpassword=k1&PASSWORD=k2&passwd=k3&token=k4&Secret=k5&api_key=k6&apikey=k7&access_key=k8',
    );
    expect(shown).toBe(
      'postgres://u@db/app?sslmode=verify-full&sslpassword=***&PASSWORD=***&passwd=***&token=***&Secret=***&api_key=***&apikey=***&access_key=***',
    );
  });

  it('masks a libpq key=value DSN', () => {
    expect(redactUrl('host=db port=5432 user=app password=s3cret dbname=x')).toBe(
      'host=db port=5432 user=app password=*** dbname=x',
    );
    expect(redactUrl("host=db password='s3 cret' sslpassword=k1")).toBe(
      'host=db password=*** sslpassword=***',
    );
  });

  it("shows libpq's sslkey, the path of the client's key file, and still masks every other key", () => {
    expect(redactUrl('host=db sslkey=/etc/ssl/client.key sslcert=/etc/ssl/client.crt password=x')).toBe(
      'host=db sslkey=/etc/ssl/client.key sslcert=/etc/ssl/client.crt password=***',
    );
    expect(redactUrl('postgres://u:p@db/app?sslkey=/k.pem&sslpassword=s&api_key=k')).toBe(
      'postgres://u:***@db/app?sslkey=%2Fk.pem&sslpassword=***&api_key=***',
    );
    expect(redactInPlace('failed: SSLKEY=/k.pem mysslkey=v ssl_key=v sslkeylog=v')).toBe(
      'failed: SSLKEY=/k.pem mysslkey=*** ssl_key=*** sslkeylog=***',
    );
  });

  it('never shows a secret of a URL the parser refuses', () => {
    // A raw `/`, `#` or `?` in the password cuts the authority short; a bad percent-escape does not parse.
    for (const url of [
      'postgres://u:pa/ss@db:5432/app',
      'redis://u:pa#ss@cache:6379',
      'redis://u:pa?ss@cache:6379',
      'postgres://u:pa ss@db/app',
      'redis://u:100%@cache:6379',
      'u:pass-word@db:5432',
    ]) {
      const shown = redactUrl(url);
      expect(shown, url).not.toMatch(/pa.?ss|100%|pass-word/);
      expect(shown, url).toContain('u:***@');
    }
  });

  it('masks every URL in a message, in place', () => {
    expect(redactUrl('cannot reach postgres://app:other@db:5432/x: refused')).toBe(
      'cannot reach postgres://app:***@db:5432/x: refused',
    );
    expect(redactUrl('"redis://:pw@h:1" and http://u:p@[::1]:8123/?password=z')).toBe(
      '"redis://:***@h:1" and http://u:***@[::1]:8123/?password=***',
    );
    expect(redactUrl('at 10:30 user@host said no')).toBe('at 10:30 user@host said no');
  });
});

describe('redactUrl: a password cut short by a raw delimiter', () => {
  it('hides a password of digits that reads as a port', () => {
    expect(redactUrl('postgres://u:1234/56@db:5432/app')).toBe('postgres://u:***@db:5432/app');
    expect(redactUrl('error at postgres://u:1234/56@db:5432/app now')).toBe(
      'error at postgres://u:***@db:5432/app now',
    );
  });

  it('leaves an @ in the path of a URL without a port alone', () => {
    expect(redactUrl('https://api.example.com/users/@me')).toBe('https://api.example.com/users/@me');
    expect(redactUrl('http://api/?mention=a@b')).toBe('http://api/?mention=a@b');
  });
});

describe('redactUrl: what `strisk audit` refuses as unreadable never shows the password', () => {
  it.each([
    'redis://u:Sekr3tpw#x@127.0.0.1:1',
    'redis://u:1234#Sekr3tpw@127.0.0.1:1',
    'postgres://u:Sekr3tpw/x@127.0.0.1:1/db',
    'http://u:Sekr3tpw?x@127.0.0.1:1',
    'postgres://u:Sekr3tpw%zz@127.0.0.1:1/db',
  ])('%s', (url) => {
    expect(redactUrl(url)).not.toContain('Sekr3tpw');
    expect(redactUrl(url)).toMatch(/^\w+:\/\/u:\*\*\*@127\.0\.0\.1:1/);
  });
});
