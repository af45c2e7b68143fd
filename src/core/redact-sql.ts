/**
 * Query text read from a server (`pg_stat_statements`, ClickHouse's `query_log`) with every
 * string literal replaced by `'***'`. pg_stat_statements turns most constants into `$1`, but
 * keeps utility statements verbatim: `ALTER ROLE app PASSWORD 'secret'` would otherwise reach
 * the facts and every report. Quoted identifiers and comments are kept; an unterminated literal
 * (a text cut at 200 characters) is redacted to the end. Dollar-quoted bodies are redacted too.
 */
export function redactSqlLiterals(sql: string): string {
  let out = '';
  let i = 0;
  const n = sql.length;
  while (i < n) {
    const c = sql[i]!;
    if (c === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end === -1 ? n : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end === -1 ? n : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === '"' || c === '`') {
      const end = sql.indexOf(c, i + 1);
      const stop = end === -1 ? n : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (c === "'") {
      i = skipString(sql, i + 1);
      out += "'***'";
    } else if (c === '$' && !/[A-Za-z0-9_$]/.test(sql[i - 1] ?? '')) {
      // `$1` is a parameter and `a$b` an identifier; `$$` and `$tag$` open a dollar-quoted string.
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(sql.slice(i, i + 66));
      if (tag) {
        const end = sql.indexOf(tag[0], i + tag[0].length);
        out += `${tag[0]}***${tag[0]}`;
        i = end === -1 ? n : end + tag[0].length;
      } else {
        out += c;
        i++;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** The index after the literal that starts before `i`: `''` and a backslash escape continue it. */
function skipString(sql: string, i: number): number {
  while (i < sql.length) {
    const c = sql[i];
    if (c === '\\') i += 2;
    else if (c === "'") {
      if (sql[i + 1] === "'") i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}
