import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  cpSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { BIN, EXAMPLE, strisk, striskAsync, tmp } from './cli.js';

// Outputs are written through to what the user named (issue 11, "Outputs"): a symlink is followed,
// a FIFO or a device is opened and written, a regular file is replaced all at once; what cannot be
// written, is named twice or is an input of the audit is refused with exit 2 and nothing left behind.

const tmpFiles = (dir: string) => readdirSync(dir).filter((n) => n.endsWith('.tmp'));
const hash = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A copy of the bundled example, so a failing test cannot overwrite the repository's files. */
function exampleCopy(): string {
  const dir = join(tmp(), 'project');
  cpSync(EXAMPLE, dir, { recursive: true });
  return dir;
}

describe('outputs are written through, never replaced', () => {
  it('writes a FIFO that a reader holds open: the reader gets the whole report, the FIFO stays', async () => {
    const dir = tmp();
    const fifo = join(dir, 'report.fifo');
    expect(spawnSync('mkfifo', [fifo]).status).toBe(0);
    const run = striskAsync(['audit', EXAMPLE, '--format', `json=${fifo}`, '--format', `junit=${dir}/j.xml`]);
    // Opening a FIFO for reading waits for the writer, as `cat fifo` does.
    const [text, r] = await Promise.all([readFile(fifo, 'utf8'), run]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1); // the example fails some checks
    expect(JSON.parse(text).schemaVersion).toBe(1);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(XMLValidator.validate(readFileSync(join(dir, 'j.xml'), 'utf8'))).toBe(true);
    expect(tmpFiles(dir)).toEqual([]);
  });

  it('follows a symlink: the link stays, its target gets the report and keeps its mode', () => {
    const dir = tmp();
    const target = join(dir, 'real.json');
    writeFileSync(target, 'old');
    chmodSync(target, 0o640);
    symlinkSync('real.json', join(dir, 'link.json'));
    // A dangling link: its target is created.
    symlinkSync(join(dir, 'sub', 'new.xml'), join(dir, 'dangling.xml'));
    mkdirSync(join(dir, 'sub'));
    const r = strisk([
      'audit',
      EXAMPLE,
      '--format',
      `json=${dir}/link.json`,
      '--format',
      `junit=${dir}/dangling.xml`,
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    expect(lstatSync(join(dir, 'link.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'link.json'))).toBe('real.json');
    expect(JSON.parse(readFileSync(target, 'utf8')).schemaVersion).toBe(1);
    expect(statSync(target).mode & 0o777).toBe(0o640);
    expect(lstatSync(join(dir, 'dangling.xml')).isSymbolicLink()).toBe(true);
    expect(XMLValidator.validate(readFileSync(join(dir, 'sub', 'new.xml'), 'utf8'))).toBe(true);
    expect([...tmpFiles(dir), ...tmpFiles(join(dir, 'sub'))]).toEqual([]);
  });

  it('writes /dev/null and leaves it a character device (the run is as root here)', () => {
    const before = statSync('/dev/null');
    const r = strisk(['audit', EXAMPLE, '--format', 'json=/dev/null', '--format', 'sarif=/dev/null']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const after = lstatSync('/dev/null');
    expect(after.isCharacterDevice()).toBe(true);
    expect(after.rdev).toBe(before.rdev);
    expect(after.ino).toBe(before.ino);
    expect(tmpFiles('/dev')).toEqual([]);
  });

  it('writes /dev/stdout after what went to stdout before it, not over it', () => {
    const r = strisk(['audit', EXAMPLE, '--format', 'terminal', '--format', 'json=/dev/stdout']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
    const start = r.stdout.indexOf('{\n');
    expect(r.stdout.slice(0, start)).toMatch(/gate failed/);
    expect(JSON.parse(r.stdout.slice(start)).schemaVersion).toBe(1);
  });
});

describe('outputs refused before any source is read: exit 2, nothing written', () => {
  /** A server that counts connections: a refused run must not connect to any source. */
  async function countingServer() {
    let connections = 0;
    const server = createServer((s) => {
      connections++;
      s.destroy();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const port = (server.address() as { port: number }).port;
    return { url: `redis://127.0.0.1:${port}`, count: () => connections, close: () => server.close() };
  }

  const cases: [string, (d: string, p: string) => string[], RegExp][] = [
    [
      'the same path twice',
      (d) => ['--format', `json=${d}/r.json`, '--format', `junit=${d}/r.json`],
      /r\.json: the same file is named twice as an output/,
    ],
    [
      'the same file through a symlink',
      (d) => {
        symlinkSync(`${d}/r.json`, `${d}/alias.json`);
        return ['--format', `json=${d}/r.json`, '--format', `sarif=${d}/alias.json`];
      },
      /alias\.json: the same file is named twice as an output \(--format json=/,
    ],
    [
      'an output equal to --save-facts',
      (d) => ['--save-facts', `${d}/r.json`, '--format', `json=${d}/r.json`],
      /r\.json: the same file is named twice.*--save-facts/,
    ],
    [
      'the compose file being audited',
      (d, p) => ['--format', `json=${d}/r.json`, '--format', `markdown=${p}/compose.yaml`],
      /compose\.yaml: --format markdown would overwrite a compose file/,
    ],
    [
      'a compose file given with -f, through a symlink',
      (d, p) => {
        symlinkSync(`${p}/compose.yaml`, `${d}/c.yaml`);
        return ['-f', `${p}/compose.yaml`, '--format', `html=${d}/c.yaml`];
      },
      /c\.yaml: --format html would overwrite a compose file/,
    ],
    [
      'the .env file',
      (_d, p) => ['--save-facts', `${p}/.env`],
      /\.env: --save-facts would overwrite the compose \.env/,
    ],
    [
      'a Dockerfile found in the project',
      (_d, p) => ['--format', `junit=${p}/Dockerfile`],
      /Dockerfile: --format junit would overwrite a Dockerfile/,
    ],
    [
      'the config file',
      (_d, p) => ['--format', `json=${p}/strisk.config.yaml`],
      /strisk\.config\.yaml: --format json would overwrite the config file/,
    ],
    [
      "the app's source",
      (_d, p) => ['--format', `github=${p}/app/main.py`],
      /app\/main\.py: --format github would overwrite a source file of the app/,
    ],
    [
      "the app's requirements beside it",
      (_d, p) => ['--format', `markdown=${p}/requirements.txt`],
      /requirements\.txt: --format markdown would overwrite a source file of the app/,
    ],
    ['a directory', (d) => ['--format', `json=${d}`], /cannot write: is a directory/],
  ];

  it.each(cases)('%s', async (_name, args, message) => {
    const dir = tmp();
    const project = exampleCopy();
    const before = Object.fromEntries(
      ['compose.yaml', '.env', 'Dockerfile', 'strisk.config.yaml', 'app/main.py', 'requirements.txt'].map(
        (f) => [f, hash(join(project, f))],
      ),
    );
    const listed = readdirSync(dir);
    const server = await countingServer();
    try {
      const extra = args(dir, project);
      const r = await striskAsync(['audit', project, '--redis', server.url, ...extra]);
      expect(r.stderr).toMatch(message);
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.code).toBe(2);
      expect(server.count()).toBe(0);
    } finally {
      server.close();
    }
    for (const [f, h] of Object.entries(before)) expect(hash(join(project, f)), f).toBe(h);
    expect(
      readdirSync(dir).filter((n) => !listed.includes(n) && !n.endsWith('.json') && n !== 'c.yaml'),
    ).toEqual([]);
    expect(existsSync(join(dir, 'r.json'))).toBe(false);
    expect(tmpFiles(dir)).toEqual([]);
  });

  it('refuses --facts and --baseline files as outputs', () => {
    const dir = tmp();
    const saved = strisk([
      'audit',
      EXAMPLE,
      '--save-facts',
      `${dir}/facts.json`,
      '--format',
      `json=${dir}/r.json`,
    ]);
    expect(saved.code).toBe(1);
    const facts = hash(join(dir, 'facts.json'));
    const report = hash(join(dir, 'r.json'));
    const a = strisk(['audit', '--facts', `${dir}/facts.json`, '--format', `json=${dir}/facts.json`]);
    expect(a.code).toBe(2);
    expect(a.stderr).toMatch(/facts\.json: --format json would overwrite the --facts file/);
    const b = strisk(['audit', EXAMPLE, '--baseline', `${dir}/r.json`, '--save-facts', `${dir}/r.json`]);
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/r\.json: --save-facts would overwrite the --baseline report/);
    expect(hash(join(dir, 'facts.json'))).toBe(facts);
    expect(hash(join(dir, 'r.json'))).toBe(report);
  });
});

describe('a full disk: exit 2, no file and no temporary file', () => {
  it('on /dev/full (ENOSPC) the regular outputs written so far are removed again', () => {
    const dir = tmp();
    const r = strisk([
      'audit',
      EXAMPLE,
      '--format',
      `json=${dir}/r.json`,
      '--format',
      'junit=/dev/full',
      '--format',
      `sarif=${dir}/new/dir/r.sarif`,
      '--save-facts',
      `${dir}/facts.json`,
    ]);
    expect(r.stderr).toMatch(/^strisk: \/dev\/full: cannot write: ENOSPC\n$/);
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
    expect(statSync('/dev/full').isCharacterDevice()).toBe(true);
  });

  // A real full file system: a 16 KiB tmpfs in a private mount namespace (nothing outside sees it).
  const canMount = spawnSync('unshare', ['-rm', 'mount', '-t', 'tmpfs', 'tmpfs', '/mnt']).status === 0;
  it.skipIf(!canMount)('on a full tmpfs, nothing of the run is left on it', () => {
    const dir = tmp();
    const script = [
      'mount -t tmpfs -o size=16k tmpfs "$1"',
      'echo small >"$1/kept.txt"',
      `"${process.execPath}" "${BIN}" audit "${EXAMPLE}" --format "junit=$1/j.xml" --format "json=$1/r.json" --save-facts "$1/sub/facts.json"`,
      'echo "rc=$?"',
      'ls -A "$1"',
    ].join('\n');
    const r = spawnSync('unshare', ['-rm', 'sh', '-c', script, 'sh', dir], { encoding: 'utf8' });
    expect(r.stderr).toMatch(/^strisk: .*: cannot write: ENOSPC\n$/);
    expect(r.stdout).toBe('rc=2\nkept.txt\n');
  });
});

describe('inputs that cannot be statted do not break the output checks', () => {
  it('a Dockerfile path through a file is the collector’s one-line error, not a crash', () => {
    const dir = tmp();
    const r = strisk(['audit', EXAMPLE, '--dockerfile', 'Dockerfile/nope', '--format', `json=${dir}/r.json`]);
    expect(r.stderr).toBe('strisk: Dockerfile/nope: Dockerfile not found: Dockerfile/nope\n');
    expect(r.code).toBe(2);
    expect(readdirSync(dir)).toEqual([]);
  });
});
