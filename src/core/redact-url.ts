/**
 * The one way strisk shows a connection string: target names, evidence, error messages and
 * progress lines of every source (ClickHouse, PostgreSQL, PgBouncer, Redis, HTTP, Docker) go
 * through `redactUrl`. It keeps the scheme, user, host, port and path, and hides
 * - the password: `redis://auditor:***@host:6379`, `postgres://:***@[::1]:5432/app`;
 * - the value of a secret query parameter: `?sslpassword=***&sslmode=require`;
 * - the value of a secret libpq key: `host=db user=app password=***`.
 * A string that does not parse as a URL still never shows a secret: in any authority, what
 * stands between the first `:` after the user and the last `@` is masked.
 */

/** What makes a key's value a secret (SECRET_KEY, SECRET_ASSIGNMENT). */
const SECRET_WORD = 'pass|pwd|secret|token|credential|key';
/**
 * A query parameter or libpq key whose value is a secret (`password`, `sslpassword`, `api_key`...);
 * not libpq's `sslkey`, which names the file of the client's key (a path, shown as `sslcert` is).
 */
const NOT_SECRET = 'sslkey';
const SECRET_KEY = new RegExp(`^(?!${NOT_SECRET}$).*(?:${SECRET_WORD})`, 'i');
const MASK = '***';
/** `key=value` with a secret key (libpq, a query, a message), the value bare or quoted. */
const SECRET_ASSIGNMENT = new RegExp(
  `((?:^|[\\s?&;,(])(?!${NOT_SECRET}\\s*=)[\\w.-]*(?:${SECRET_WORD})[\\w.-]*\\s*=\\s*)('(?:[^'\\\\]|\\\\.)*'|"(?:[^"\\\\]|\\\\.)*"|[^\\s&;,)'"]+)`,
  'gi',
);

/**
 * `text` with every password and secret parameter masked. A whole URL with a host is
 * re-serialised by the URL parser (as target names always were: `redis://h:6379/` shows as
 * `redis://h:6379`); any other text (a server's message, a libpq DSN, a URL the parser refuses)
 * is masked where it stands and otherwise kept as written.
 */
export function redactUrl(text: string): string {
  const whole = parsed(text);
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(text)?.[0] ?? '';
  const cut =
    whole && !whole.username && !whole.password && userinfoEnd(scheme, text.slice(scheme.length)) >= 0;
  if (whole && isOneUrl(text) && !cut) {
    if (whole.password) whole.password = MASK;
    for (const k of [...whole.searchParams.keys()]) {
      if (SECRET_KEY.test(k)) whole.searchParams.set(k, MASK);
    }
    return whole.toString().replace(/\/$/, '');
  }
  return redactInPlace(text);
}

/** A URL with a host (`user:pw@host` without a scheme parses as scheme `user:` and has none). */
function parsed(text: string): URL | undefined {
  try {
    const u = new URL(text);
    return u.host ? u : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Whether a parsed `text` is one URL rather than a message that starts with one: no blank, or
 * blanks only in the user info (the URL parser takes `u:pa ss@db`; `db/app: refused` is a message).
 */
function isOneUrl(text: string): boolean {
  return !/\s/.test(text) || /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*@[^@\s]*$/i.test(text);
}

/**
 * `text` (a server's message, a compose value, a libpq DSN) with the same secrets masked where
 * they stand, and nothing else changed: no URL in it is re-serialised.
 */
export function redactInPlace(text: string): string {
  return (
    text
      // scheme://authority...: each URL in the text, up to the next blank or quote.
      .replace(/\b([a-z][a-z0-9+.-]*:\/\/)([^\s"'<>`]+)/gi, (_m, scheme: string, rest: string) =>
        redactAuthority(scheme, rest),
      )
      // user:password@host with the scheme left out, as a word of its own.
      .replace(/(^|[\s"'(<=])([^\s:/@"'(<=]+):(?!\/\/)[^\s@]*@(?=[^\s@])/g, `$1$2:${MASK}@`)
      // libpq `key=value` (`password=x`, `password='a b'`), and secret parameters of a query.
      .replace(SECRET_ASSIGNMENT, `$1${MASK}`)
  );
}

/**
 * One URL in a text, `rest` being what follows `scheme://`: its user info masked.
 */
function redactAuthority(scheme: string, rest: string): string {
  const at = userinfoEnd(scheme, rest);
  if (at < 0) return scheme + rest;
  const userinfo = rest.slice(0, at);
  const colon = userinfo.indexOf(':');
  const shown = colon < 0 ? userinfo : `${userinfo.slice(0, colon)}:${MASK}`;
  return `${scheme}${shown}${rest.slice(at)}`;
}

/**
 * Where the user info of `scheme://rest` ends: the last `@` before the path. A raw `/`, `#` or `?`
 * in a password cuts the authority short (`u:pa/ss@db` reads as host `u`, port `pa`; `u:12/34@db`
 * even parses, as port 12): then the last `@` of the word after a `host:port`-like start ends it
 * (unless it is plainly a query value), so a cut password is hidden too. -1: no user info.
 */
function userinfoEnd(scheme: string, rest: string): number {
  const authorityEnd = rest.search(/[/?#]/);
  const authority = authorityEnd < 0 ? rest : rest.slice(0, authorityEnd);
  const at = authority.lastIndexOf('@');
  if (at >= 0 || !authority.replace(/\[[^\]]*\]/g, '').includes(':')) return at;
  const last = rest.lastIndexOf('@');
  if (!parsed(scheme + rest)) return last;
  // Parsed: an `@` in a query value (`?mention=a@b`) is not a cut password.
  return last > authorityEnd && !/[=&]/.test(rest.slice(authorityEnd, last)) ? last : -1;
}
