import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { type FakeServer, fakePgServer, OID, pgAnswer, pgAskPassword, pgError } from '../support/fake-tcp.js';
import { spawnAudit } from '../support/spawn-audit.js';

// Issue 11, "Secrets", for the live sources: a password echoed in server errors (PostgreSQL,
// PgBouncer), echoed in request headers (ClickHouse), and a password inside a query text that
// pg_stat_statements keeps verbatim never appear in any of the 7 formats, the saved facts or
// stderr. The audited servers are fakes: a test must not set a password on a shared server.
const MARKER = 'Mk7pQ2xZ9wLsVt';
const FORMS = [
  MARKER,
  ...['auditor', 'default'].flatMap((user) => {
    const b = Buffer.from(`${user}:${MARKER}`);
    return [b.toString('base64'), b.toString('base64url')];
  }),
];
const FORMATS = ['terminal', 'json', 'junit', 'sarif', 'markdown', 'html', 'github'];
const SECRET_STATEMENT = `ALTER ROLE app PASSWORD '${MARKER}'`;

/** A PostgreSQL that answers the postgres collector, with a password in pg_stat_statements. */
function pgWithStatements(): Promise<FakeServer> {
  return fakePgServer({
    query(socket, sql, ext) {
      if (/version_num/.test(sql)) {
        const cols: [string, number][] = [
          ['version_num', OID.int4],
          ['version', OID.text],
          ['database', OID.text],
          ['user', OID.text],
          ['in_recovery', OID.bool],
          ['superuser', OID.bool],
          ['pg_monitor', OID.bool],
          ['read_all_settings', OID.bool],
          ['read_all_stats', OID.bool],
          ['pgss_version', OID.text],
          ['pgss_schema', OID.text],
          ['pgss_readable', OID.bool],
          ['db_size', OID.float8],
          ['db_frozen_age', OID.float8],
          ['tables_total', OID.int4],
          ['by_state', OID.json],
          ['archiver', OID.json],
        ];
        const row = [
          '150004',
          '15.4',
          'app',
          'auditor',
          'f',
          'f',
          't',
          't',
          't',
          '1.10',
          'public',
          't',
        ].concat(['1000000', '100', '0', '{"active":1}', null as unknown as string]);
        socket.write(pgAnswer(ext, cols, [row]));
      } else if (/pg_stat_statements/.test(sql)) {
        const cols: [string, number][] = [
          ['queryid', OID.text],
          ['query', OID.text],
          ...['calls', 'mean_ms', 'total_ms', 'rows'].map((c): [string, number] => [c, OID.float8]),
          ['n', OID.int4],
          ['calls_sum', OID.float8],
          ['total_sum', OID.float8],
        ];
        socket.write(
          pgAnswer(ext, cols, [['4242', SECRET_STATEMENT, '3', '120', '360', '0', '1', '3', '360']]),
        );
      } else if (/pg_settings|pg_stat_user_tables/.test(sql)) {
        socket.write(pgAnswer(ext, ['name'], []));
      } else {
        socket.write(pgAnswer(ext, null)); // BEGIN, SET LOCAL, COMMIT
      }
    },
  });
}

/** A server that asks for the password in clear and quotes it back in its error. */
function pgEchoingPassword(code: string, text: (pw: string) => string): Promise<FakeServer> {
  return fakePgServer({
    startup: (socket) => socket.write(pgAskPassword()),
    other(socket, type, body) {
      if (type === 'p') socket.end(pgError(code, text(body.toString('utf8').replace(/\0$/, ''))));
    },
    query: () => {},
  });
}

/** A ClickHouse HTTP endpoint whose error quotes every request header back. */
async function clickhouseEchoingHeaders(): Promise<{ url: string; server: Server }> {
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const headers: string[] = [];
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      headers.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    req.resume();
    res.writeHead(500, { 'X-ClickHouse-Exception-Code': '516' });
    res.end(
      `Code: 516. DB::Exception: authentication failed for ${req.url}; request was ${headers.join('; ')}. (AUTHENTICATION_FAILED)\n`,
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://auditor:${MARKER}@127.0.0.1:${(server.address() as { port: number }).port}`, server };
}

let dir: string;
const closers: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  await Promise.all(closers.map((c) => c()));
});

function outputsOf(out: string): { args: string[]; files: () => Record<string, string> } {
  mkdirSync(out, { recursive: true });
  const ext: Record<string, string> = { terminal: 'txt', junit: 'xml', markdown: 'md', github: 'txt' };
  return {
    args: [...FORMATS.flatMap((f) => ['--format', `${f}=${join(out, `report.${f}.${ext[f] ?? f}`)}`]), '-v'],
    files: () => Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f), 'utf8')])),
  };
}

function expectNoSecret(texts: Record<string, string>): void {
  for (const [name, text] of Object.entries(texts)) {
    for (const form of FORMS) expect(text.includes(form), `${form} in ${name}`).toBe(false);
  }
}

describe('no secret from a live server reaches an output', () => {
  let saved: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'strisk-secrets-live-'));
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  api:\n    image: example/api:1.2.3\n');
  });

  it('echoed in PostgreSQL/PgBouncer errors, in ClickHouse request headers, in pg_stat_statements', async () => {
    const stmts = await pgWithStatements();
    const pgEcho = await pgEchoingPassword(
      '28P01',
      (pw) => `password authentication failed for user "auditor": got "${pw}"`,
    );
    const bouncerEcho = await pgEchoingPassword('08P01', (pw) => `not allowed: password ${pw} is wrong`);
    const ch = await clickhouseEchoingHeaders();
    closers.push(stmts.close, pgEcho.close, bouncerEcho.close, () => new Promise((r) => ch.server.close(r)));
    const withPw = (s: FakeServer, path: string) =>
      s.url('postgres', path).replace('//', `//auditor:${MARKER}@`);

    const out = outputsOf(join(dir, 'live'));
    saved = join(dir, 'live-facts.json');
    const run = await spawnAudit([
      'audit',
      dir,
      '--postgres',
      withPw(stmts, '/app'),
      '--postgres',
      withPw(pgEcho, '/app'),
      '--pgbouncer',
      withPw(bouncerEcho, '/pgbouncer'),
      '--clickhouse',
      ch.url,
      '--timeout',
      '5000',
      '--save-facts',
      saved,
      '--format',
      'json',
      ...out.args,
    ]);
    expect(run.code, run.stderr).toBe(3);
    const files = out.files();
    expect(Object.keys(files)).toHaveLength(FORMATS.length);
    expectNoSecret({
      ...files,
      'saved facts': readFileSync(saved, 'utf8'),
      stdout: run.stdout,
      stderr: run.stderr,
    });

    // Each echo reached the report, scrubbed: the test saw the secret's place, not its absence.
    const report = JSON.parse(run.stdout) as Report;
    const byTarget = (src: string, status: string) =>
      report.sources.find((s) => s.source === src && s.status === status)?.message ?? '';
    expect(byTarget('postgres', 'auth-failed')).toMatch(/got "\*\*\*"/);
    expect(byTarget('pgbouncer', 'forbidden')).toMatch(/password \*\*\* is wrong/);
    expect(byTarget('clickhouse', 'auth-failed')).toMatch(/Authorization: Basic \*\*\*/i);
    const qt = report.results.find((r) => r.id === 'postgres/query-time')!;
    expect(JSON.stringify(qt.evidence)).toContain("ALTER ROLE app PASSWORD '***'");
    expect(readFileSync(saved, 'utf8')).toContain("ALTER ROLE app PASSWORD '***'");
  });

  it('a query text recorded before redaction is redacted by the check on --facts replay', async () => {
    const old = join(dir, 'old-facts.json');
    const text = readFileSync(saved, 'utf8');
    expect(text).toContain("PASSWORD '***'");
    writeFileSync(old, text.replaceAll("PASSWORD '***'", `PASSWORD '${MARKER}'`));
    const out = outputsOf(join(dir, 'replay'));
    const run = await spawnAudit(['audit', dir, '--facts', old, '--format', 'json', ...out.args]);
    expect(run.code, run.stderr).toBe(3);
    expectNoSecret({ ...out.files(), stdout: run.stdout, stderr: run.stderr });
    const report = JSON.parse(run.stdout) as Report;
    const qt = report.results.find((r) => r.id === 'postgres/query-time')!;
    expect(JSON.stringify(qt.evidence)).toContain("ALTER ROLE app PASSWORD '***'");
  });
});
