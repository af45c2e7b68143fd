// Issue 11, "Files": hostile local inputs end in one clear line and exit 2 within seconds: FIFOs and
// devices are refused without blocking, files over the size limit are not read, 10,000-deep
// nesting is refused before anything runs out of stack. Every test works in its own temp dir.
import { execFileSync, spawn } from 'node:child_process';
import {
  closeSync,
  ftruncateSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { collectCompose } from '../../src/collectors/compose/index.js';
import { parseLocatedYaml } from '../../src/collectors/compose/yaml-located.js';
import { InputError } from '../../src/core/errors.js';
import {
  DEFAULT_MAX_FILE_BYTES,
  LocalFileError,
  readLocalFile,
  readLocalFileSync,
} from '../../src/core/local-file.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/strisk.js');
const tmp = () => mkdtempSync(join(tmpdir(), 'strisk-files-'));
const mkfifo = (p: string) => execFileSync('mkfifo', [p]);

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** The CLI as a child, killed after `killAfterMs` (a hang shows as code null, not as a stuck test). */
function strisk(args: string[], env: Record<string, string> = {}, killAfterMs = 25_000): Promise<Run> {
  return new Promise((done) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', ...env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, ms: performance.now() - started });
    });
  });
}

/** One line on stderr, exit 2, no stack trace, and it names what went wrong. */
function expectOneLineExit2(r: Run, message: RegExp): void {
  expect(r.code, r.stderr).toBe(2);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).toMatch(message);
  expect(r.stderr).not.toMatch(/\n\s+at |internal error|Maximum call stack/);
}

const COMPOSE = 'services:\n  api:\n    image: api:1.0\n';

describe('special files are refused, never read', () => {
  it('a FIFO named compose.yaml', async () => {
    const dir = tmp();
    mkfifo(join(dir, 'compose.yaml'));
    expectOneLineExit2(
      await strisk(['audit', dir]),
      /^strisk: compose\.yaml: compose file is a FIFO \(named pipe\), not a regular file/,
    );
  });

  it('a FIFO named .env', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'compose.yaml'), COMPOSE);
    mkfifo(join(dir, '.env'));
    expectOneLineExit2(await strisk(['audit', dir]), /^strisk: \.env: env file is a FIFO/);
  });

  it('an include: target that is a FIFO, and one that is /dev/zero', async () => {
    const dir = tmp();
    mkfifo(join(dir, 'other.yaml'));
    writeFileSync(join(dir, 'compose.yaml'), `include:\n  - other.yaml\n${COMPOSE}`);
    expectOneLineExit2(await strisk(['audit', dir]), /^strisk: other\.yaml: compose file is a FIFO/);
    writeFileSync(join(dir, 'compose.yaml'), `include:\n  - /dev/zero\n${COMPOSE}`);
    expectOneLineExit2(
      await strisk(['audit', dir]),
      /compose file is a character device, not a regular file/,
    );
  });

  it('an extends file that is a FIFO', async () => {
    const dir = tmp();
    mkfifo(join(dir, 'base.yaml'));
    writeFileSync(
      join(dir, 'compose.yaml'),
      'services:\n  api:\n    extends: { file: base.yaml, service: api }\n',
    );
    expectOneLineExit2(await strisk(['audit', dir]), /^strisk: base\.yaml: compose file is a FIFO/);
  });

  it('a Dockerfile and a config that are FIFOs or devices', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'compose.yaml'), COMPOSE);
    mkfifo(join(dir, 'Dockerfile.fifo'));
    expectOneLineExit2(
      await strisk(['audit', dir, '--dockerfile', 'Dockerfile.fifo']),
      /Dockerfile\.fifo: Dockerfile is a FIFO/,
    );
    expectOneLineExit2(
      await strisk(['audit', dir, '--dockerfile', '/dev/zero']),
      /Dockerfile is a character device/,
    );
    mkfifo(join(dir, 'strisk.config.yaml'));
    expectOneLineExit2(await strisk(['audit', dir]), /strisk\.config\.yaml: config is a FIFO/);
  });

  it('recorded facts and a baseline report that are FIFOs or devices', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'compose.yaml'), COMPOSE);
    mkfifo(join(dir, 'facts.json'));
    expectOneLineExit2(await strisk(['audit', '--facts', join(dir, 'facts.json')]), /facts is a FIFO/);
    expectOneLineExit2(
      await strisk(['audit', dir, '--baseline', join(dir, 'facts.json')]),
      /baseline report is a FIFO/,
    );
    expectOneLineExit2(
      await strisk(['audit', dir, '--baseline', '/dev/zero']),
      /baseline report is a character device/,
    );
  });

  it('a socket named compose.yaml', async () => {
    const dir = tmp();
    const server = createServer();
    await new Promise<void>((ok) => server.listen(join(dir, 'compose.yaml'), ok));
    try {
      expectOneLineExit2(await strisk(['audit', dir]), /compose file is a socket, not a regular file/);
    } finally {
      server.close();
    }
  });

  it('a FIFO among the app sources is passed over, not waited on', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'compose.yaml'), COMPOSE);
    mkdirSync(join(dir, 'app'));
    writeFileSync(join(dir, 'app/main.py'), 'from fastapi import FastAPI\napp = FastAPI()\n');
    mkfifo(join(dir, 'app/requirements.txt'));
    mkfifo(join(dir, 'app/Procfile'));
    const r = await strisk(['audit', dir, '--app', 'app', '--format', 'json']);
    expect([0, 1], r.stderr).toContain(r.code);
    const report = JSON.parse(r.stdout) as { sources: { source: string; status: string }[] };
    expect(report.sources.find((s) => s.source === 'app')?.status).toBe('ok');
  });

  it('strisk init passes over a FIFO named like Python source', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'compose.yaml'), COMPOSE);
    mkfifo(join(dir, 'main.py'));
    const r = await strisk(['init', dir]);
    expect(r.code, r.stderr).toBe(0);
  });
});

describe('a size limit per file', () => {
  it('refuses a 50 MB compose file within seconds, before parsing it', async () => {
    const dir = tmp();
    const fd = openSync(join(dir, 'compose.yaml'), 'w');
    writeSync(fd, COMPOSE);
    ftruncateSync(fd, 50 * 1024 * 1024);
    closeSync(fd);
    const r = await strisk(['audit', dir]);
    expectOneLineExit2(
      r,
      /^strisk: compose\.yaml: compose file is larger than 10 MiB, the limit per file \(raise it with STRISK_MAX_FILE_SIZE/,
    );
    // Generous: start-up is most of it; parsing 50 MB would take a minute.
    expect(r.ms).toBeLessThan(15_000);
  });

  it('STRISK_MAX_FILE_SIZE lowers or raises it; a bad value is exit 2', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'compose.yaml'), `${COMPOSE}    labels: { note: "${'x'.repeat(3000)}" }\n`);
    expectOneLineExit2(
      await strisk(['audit', dir], { STRISK_MAX_FILE_SIZE: '2KiB' }),
      /compose file is larger than 2 KiB/,
    );
    const ok = await strisk(['audit', dir, '--only', 'compose/*'], { STRISK_MAX_FILE_SIZE: '1MiB' });
    expect([0, 1], ok.stderr).toContain(ok.code);
    expectOneLineExit2(
      await strisk(['audit', dir], { STRISK_MAX_FILE_SIZE: 'lots' }),
      /STRISK_MAX_FILE_SIZE expects a size such as 10MiB/,
    );
  });

  it('is enforced while reading, not only from the size the file reports', async () => {
    // /proc files report size 0 and still have content, like a file that grows while read.
    const err = await readLocalFile('/proc/self/status', { what: 'file', maxBytes: 100 }).catch((e) => e);
    expect(err).toBeInstanceOf(LocalFileError);
    expect((err as LocalFileError).problem).toBe('too-large');
    expect(() => readLocalFileSync('/proc/self/status', { what: 'config', maxBytes: 100 })).toThrow(
      /config is larger than 100 B/,
    );
    expect(await readLocalFile('/proc/self/status', { what: 'file' })).toMatch(/^Name:/);
    expect(DEFAULT_MAX_FILE_BYTES).toBe(10 * 1024 * 1024);
  });

  it('reports a missing file as missing, so an absent default .env stays optional', async () => {
    const dir = tmp();
    const err = await readLocalFile(join(dir, 'nope'), { what: 'env file', display: 'nope' }).catch((e) => e);
    expect(err).toMatchObject({ problem: 'missing', file: 'nope', message: 'env file not found' });
    writeFileSync(join(dir, 'compose.yaml'), COMPOSE);
    const [target] = await collectCompose({ projectDir: dir, env: {} });
    expect(target?.data?.services.map((s) => s.name)).toEqual(['api']);
  });
});

describe('deep and repetitive YAML', () => {
  it('10,000-deep nesting is one line and exit 2, not a stack overflow', async () => {
    const dir = tmp();
    const n = 10_000;
    for (const [name, body] of [
      ['flow-seq', `${'['.repeat(n)}${']'.repeat(n)}`],
      ['flow-map', `${'{a: '.repeat(n)}1${'}'.repeat(n)}`],
    ] as const) {
      mkdirSync(join(dir, name));
      writeFileSync(join(dir, name, 'compose.yaml'), `services:\n  x:\n    labels: ${body}\n`);
      expectOneLineExit2(
        await strisk(['audit', join(dir, name)]),
        /compose\.yaml:3: nesting is too deep: a compose file is expected to nest at most 100 levels/,
      );
    }
  });

  it('block nesting deeper than the bound, and deep variable references', () => {
    const deep = Array.from({ length: 150 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n');
    expect(() => parseLocatedYaml(deep, 'deep.yaml')).toThrow(/nesting is too deep/);
    const shallow = Array.from({ length: 50 }, (_, i) => `${'  '.repeat(i)}k${i}:`).join('\n');
    expect(parseLocatedYaml(shallow, 'ok.yaml')).toHaveLength(1);
  });

  it('a variable reference nested 10,000 deep is refused with its line', async () => {
    const dir = tmp();
    const ref = `${'${A:-'.repeat(10_000)}x${'}'.repeat(10_000)}`;
    writeFileSync(join(dir, 'compose.yaml'), `services:\n  api:\n    image: "${ref}"\n`);
    const err = await collectCompose({ projectDir: dir, env: {} }).catch((e) => e);
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).format()).toMatch(
      /^compose\.yaml:3: variable references nested more than 20 levels deep$/,
    );
  });

  it('finds duplicate keys itself, with their line, in a map of 50,000 keys', () => {
    const keys = Array.from({ length: 50_000 }, (_, i) => `  s${i}: { image: a }`);
    keys.push('  s17: { image: b }');
    const started = performance.now();
    let err: unknown;
    try {
      parseLocatedYaml(`services:\n${keys.join('\n')}\n`, 'big.yaml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).format()).toBe(
      'big.yaml:50002: invalid YAML: duplicate key "s17" (map keys must be unique)',
    );
    // yaml's own pairwise check took minutes here; generous, not a timing claim (see bench/compose.mjs).
    expect(performance.now() - started).toBeLessThan(20_000);
  });

  it('many merges of a large anchored map are bounded like aliases', () => {
    const big = Array.from({ length: 2000 }, (_, i) => `  k${i}: v`).join('\n');
    const merges = Array.from({ length: 1000 }, (_, i) => `  s${i}: { <<: *big }`).join('\n');
    expect(() => parseLocatedYaml(`x-big: &big\n${big}\nservices:\n${merges}\n`, 'm.yaml')).toThrow(
      /expands to more than 1,0\d\d,\d{3} nodes through aliases/,
    );
  });
});
