import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BIN, strisk, tmp } from '../hardening/cli.js';

// Bad input is one clear line and exit 2 (issue 11, item 11): timeouts Node cannot hold, target URLs
// with unencoded credentials, empty or unreadable Dockerfiles, alias bombs and deep nesting in the
// config, hostile bytes quoted from a bad --facts/--baseline file, a bad scheme in the config.

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** A project with one compose file and the given files; returns its directory. */
function project(files: Record<string, string> = {}): string {
  const dir = join(tmp(), 'p');
  mkdirSync(dir);
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  api:\n    image: app:1.0\n');
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Exit 2 with exactly one line on stderr matching `message`, and no stack trace. */
function expectOneLine(r: ReturnType<typeof strisk>, message: RegExp) {
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/internal error|\n\s+at /);
  expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
  expect(r.code).toBe(2);
}

describe('config bounds', () => {
  it.each([
    ['2147483648', /strisk\.config\.yaml:2: timeoutMs: must be at most 600000, got the number 2147483648/],
    ['1e12', /strisk\.config\.yaml:2: timeoutMs: must be at most 600000/],
    ['0', /strisk\.config\.yaml:2: timeoutMs: must be at least 100, got the number 0/],
    ['-5', /strisk\.config\.yaml:2: timeoutMs: must be at least 100/],
    ['1.5', /strisk\.config\.yaml:2: timeoutMs: expected a whole number, got the number 1\.5/],
  ])('timeoutMs: %s is refused with the file and line', (value, message) => {
    const dir = project({ 'strisk.config.yaml': `# bounds\ntimeoutMs: ${value}\n` });
    expectOneLine(strisk(['audit', dir]), message);
  });
});

describe('target URLs', () => {
  const PASSWORD = 'Sekr3tpw';
  const bad = [
    ['#', `redis://u:${PASSWORD}#x@127.0.0.1:1`],
    ['# after digits', `redis://u:1234#${PASSWORD}@127.0.0.1:1`],
    ['/', `postgres://u:${PASSWORD}/x@127.0.0.1:1/db`],
    ['?', `http://u:${PASSWORD}?x@127.0.0.1:1`],
    ['a bad % escape', `postgres://u:${PASSWORD}%zz@127.0.0.1:1/db`],
  ];
  const flagOf = (url: string) =>
    url.startsWith('redis') ? 'redis' : url.startsWith('http') ? 'clickhouse' : 'postgres';

  it.each(bad)(
    'an unencoded %s in the password: exit 2 saying what to encode, password redacted',
    (_c, url) => {
      const flag = flagOf(url!);
      const r = strisk(['audit', project(), `--${flag}`, url!]);
      expectOneLine(
        r,
        new RegExp(
          `^strisk: --${flag}: the target URL cannot be read \\(\\w+://u:\\*\\*\\*@127\\.0\\.0\\.1:1[^)]*\\): percent-encode .*# as %23, / as %2F, \\? as %3F`,
        ),
      );
      expect(r.stdout + r.stderr).not.toContain(PASSWORD);
    },
  );

  it('from the config: the file and line; from the environment: the variable', () => {
    const dir = project({
      'strisk.config.yaml': `project: p\ntargets:\n  # redis: redis://elsewhere\n  redis: "redis://u:${PASSWORD}#x@127.0.0.1:1"\n`,
    });
    const fromConfig = strisk(['audit', dir]);
    expectOneLine(fromConfig, /strisk\.config\.yaml:4: targets\.redis: the target URL cannot be read/);
    expect(fromConfig.stderr).not.toContain(PASSWORD);
    const fromEnv = strisk(['audit', project()], {
      DATABASE_URL: `postgres://u:${PASSWORD}#x@127.0.0.1:1/db`,
    });
    expectOneLine(fromEnv, /^strisk: DATABASE_URL: the target URL cannot be read/);
    expect(fromEnv.stderr).not.toContain(PASSWORD);
  });

  it('an encoded password and an @ in a query value are read as given (the server is down: exit 3)', () => {
    const r = strisk([
      'audit',
      project(),
      '--only',
      'redis',
      '--redis',
      `redis://u:${encodeURIComponent('p#/?%@w')}@127.0.0.1:1/0?name=a@b`,
      '--timeout',
      '500',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
  });

  it("an @ in the API's path is a path, not cut credentials", () => {
    const r = strisk([
      'audit',
      project(),
      '--only',
      'http',
      '--http',
      'http://127.0.0.1:1/users/@me',
      '--timeout',
      '500',
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).not.toBe(2);
  });

  it('a bad scheme in the config names the config file and line, not a flag', () => {
    const dir = project({
      'strisk.config.yaml': 'project: p\ntargets:\n  app: .\n  redis: ftp://u:pw@h:1\n',
    });
    expectOneLine(
      strisk(['audit', dir]),
      /^strisk: .*strisk\.config\.yaml:4: targets\.redis: expected a URL starting with redis:\/\/, rediss:\/\/; got "ftp:\/\/u:\*\*\*@h:1"/,
    );
    const inline = project({ 'strisk.config.yaml': 'targets: { clickhouse: "redis://x" }\n' });
    expectOneLine(strisk(['audit', inline]), /strisk\.config\.yaml:1: targets\.clickhouse: expected a URL/);
  });
});

describe('Dockerfiles are input files: exit 2 with the path, as compose files are', () => {
  it('an empty Dockerfile (or one of comments only)', () => {
    expectOneLine(strisk(['audit', project({ Dockerfile: '' })]), /^strisk: Dockerfile: empty Dockerfile/);
    const dir = project({ 'worker.Dockerfile': '# syntax=docker/dockerfile:1\n\n  # nothing\n' });
    expectOneLine(strisk(['audit', dir]), /^strisk: worker\.Dockerfile: empty Dockerfile/);
  });

  // Root reads any file: the unreadable file is tried as an unprivileged user where the run is root.
  const asNobody = process.getuid?.() === 0;
  it.skipIf(!asNobody)('an unreadable Dockerfile, and an unreadable compose file alike', () => {
    for (const [name, text, message] of [
      [
        'Dockerfile',
        'FROM python:3.12-slim\n',
        /^strisk: Dockerfile: cannot read Dockerfile: permission denied/,
      ],
      [
        'compose.yaml',
        'services: {}\n',
        /^strisk: compose\.yaml: cannot read compose file: permission denied/,
      ],
    ] as const) {
      const dir = project({ [name]: text });
      chmodSync(join(dir, '..'), 0o755);
      chmodSync(dir, 0o755);
      for (const f of ['compose.yaml', 'Dockerfile'])
        if (f !== name && existsSync(join(dir, f))) chmodSync(join(dir, f), 0o644);
      chmodSync(join(dir, name), 0o000);
      const r = spawnSync(process.execPath, [BIN, 'audit', dir], {
        encoding: 'utf8',
        cwd: dir,
        uid: 65534,
        gid: 65534,
        env: { PATH: process.env.PATH ?? '', HOME: '/tmp' },
      });
      expectOneLine({ code: r.status, stdout: r.stdout, stderr: r.stderr }, message);
    }
  });
});

describe('YAML that exhausts the parser', () => {
  it('an alias bomb in the config: one line, no stack trace', () => {
    const lines = ['roles:', '  a: &a ["x","x","x","x","x","x","x","x","x"]'];
    for (let i = 1; i < 10; i++) {
      const prev = String.fromCharCode(96 + i);
      const name = String.fromCharCode(97 + i);
      lines.push(`  ${name}: &${name} [${Array(9).fill(`*${prev}`).join(',')}]`);
    }
    const dir = project({ 'strisk.config.yaml': `${lines.join('\n')}\n` });
    expectOneLine(
      strisk(['audit', dir]),
      /strisk\.config\.yaml: cannot expand the YAML: Excessive alias count/,
    );
  });

  it.each([
    [
      'the config, flow style',
      'strisk.config.yaml',
      `project: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
      1,
    ],
    [
      'the config, in a map',
      'strisk.config.yaml',
      `roles:\n  x: ${'{a: '.repeat(10_000)}1${'}'.repeat(10_000)}\n`,
      2,
    ],
    [
      'a compose file',
      'compose.yaml',
      `services:\n  api:\n    image: app\n    labels: ${'['.repeat(10_000)}${']'.repeat(10_000)}\n`,
      4,
    ],
  ])('10,000 levels of nesting in %s: "nesting too deep"', (_what, name, text, line) => {
    const dir = project({ [name]: text });
    expectOneLine(
      strisk(['audit', dir]),
      new RegExp(`${name.replace('.', '\\.')}:${line}: (invalid YAML: )?nesting (is )?too deep`),
    );
  });
});

describe('bytes of a bad input file are escaped on stderr', () => {
  const HOSTILE = '\u001b]0;pwned\u0007\u001b[31m\u009b2J';
  it.each([
    ['--facts', 'facts are not JSON'],
    ['--baseline', 'baseline is not JSON'],
  ])('%s', (flag, message) => {
    const dir = tmp();
    const file = join(dir, 'bad.json');
    writeFileSync(file, `${HOSTILE}{"schemaVersion": 1}`);
    const bad = join(dir, `name${HOSTILE}.json`);
    writeFileSync(bad, `{"schemaVersion": "${HOSTILE.replace(/[\u0000-\u001f]/g, '')}"}`);
    for (const f of [file, bad]) {
      const r = strisk(['audit', project(), flag, f]);
      expect(r.stderr).not.toMatch(RAW_CONTROL);
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.code).toBe(2);
    }
    const r = strisk(['audit', project(), flag, file]);
    expect(r.stderr).toContain(message);
    expect(r.stderr).toContain('\\x1b]0;pwned\\x07');
  });
});

describe('what the user typed is escaped on stderr too', () => {
  it.each([
    ['an unknown option', ['--x\u001b[2J\u0007'], /unknown option '--x\\x1b\[2J\\x07'/],
    ['an unknown format', ['--format', 'pdf\u001b]0;t\u0007'], /unknown format "pdf\\x1b\]0;t\\x07"/],
    ['a missing compose file', ['-f', 'no\u001b[31mpe.yaml'], /no\\x1b\[31mpe\.yaml/],
  ])('%s', (_what, args, message) => {
    const r = strisk(['audit', project(), ...args]);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toMatch(RAW_CONTROL);
    expect(r.code).toBe(2);
  });
});
