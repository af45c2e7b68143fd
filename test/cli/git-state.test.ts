import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// The commit, the dirty state and the repository root that JSON, SARIF, GitHub, Markdown and HTML
// reports show are asked of the real git while the sources are read (src/cli/git.ts). The audited
// repository sets core.fsmonitor to a script that leaves a mark when git runs it: git runs it for
// a plain `git status` here, and must not for the audit's.
const BIN = resolve(import.meta.dirname, '../../bin/strisk.js');
const dir = mkdtempSync(join(tmpdir(), 'strisk-git-state-'));
const repo = join(dir, 'repo');
const project = join(repo, 'stack');
const mark = join(dir, 'fsmonitor-ran');
const git = (...args: string[]) =>
  execFileSync('git', ['-C', repo, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
const audit = (at: string) => {
  const r = spawnSync(process.execPath, [BIN, 'audit', at, '--format', 'json'], {
    encoding: 'utf8',
    // git looks for a repository no higher than dir: the run's TMPDIR may be inside one.
    env: { PATH: process.env.PATH ?? '', HOME: dir, GIT_CEILING_DIRECTORIES: dir },
  });
  expect(r.status, r.stderr).toBe(1);
  return JSON.parse(r.stdout);
};

beforeAll(() => {
  mkdirSync(project, { recursive: true });
  writeFileSync(
    join(project, 'compose.yaml'),
    'services:\n  api:\n    image: example/api:1.0\n    ports: ["8000:8000"]\n',
  );
  const hook = join(dir, 'fsmonitor.sh');
  writeFileSync(hook, `#!/bin/sh\ntouch '${mark}'\nexit 1\n`);
  chmodSync(hook, 0o755);
  execFileSync('git', ['init', '-q', repo]);
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'add', '.');
  git('-c', 'user.name=t', '-c', 'user.email=t@example.org', 'commit', '-q', '-m', 'stack');
  git('config', 'core.fsmonitor', hook);
  // The control: git itself runs the hook for a status that does not turn it off.
  git('status', '--porcelain');
  expect(existsSync(mark)).toBe(true);
  rmSync(mark);
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('what git says of the audited project', () => {
  it('names the commit and a clean tree, with the repository root, and runs no fsmonitor hook', () => {
    const report = audit(project);
    expect(report.signoff.git).toEqual({ commit: git('rev-parse', 'HEAD').trim(), dirty: false });
    expect(report.locations.root).toBe('stack');
    expect(existsSync(mark)).toBe(false);
  });

  it('says the tree is dirty once a tracked file under the project changed', () => {
    writeFileSync(join(project, 'compose.yaml'), 'services:\n  api:\n    image: example/api:1.1\n');
    const report = audit(project);
    expect(report.signoff.git.dirty).toBe(true);
    expect(existsSync(mark)).toBe(false);
  });

  it('names no commit before the first one, and still finds the repository root', () => {
    const fresh = join(dir, 'fresh');
    mkdirSync(join(fresh, 'stack'), { recursive: true });
    writeFileSync(join(fresh, 'stack', 'compose.yaml'), 'services:\n  api:\n    image: example/api:1.0\n');
    execFileSync('git', ['init', '-q', fresh]);
    const report = audit(join(fresh, 'stack'));
    expect(report.signoff.git).toBeUndefined();
    expect(report.locations.root).toBe('stack');
  });

  it('runs no git for a command line it refuses (exit 2), and runs it for one it takes', () => {
    // A stand-in git on the PATH that leaves a mark and fails, as git outside a repository does.
    const bin = join(dir, 'fake-bin');
    const called = join(dir, 'git-called');
    mkdirSync(bin, { recursive: true });
    writeFileSync(join(bin, 'git'), `#!/bin/sh\necho "$@" >> '${called}'\nexit 128\n`);
    chmodSync(join(bin, 'git'), 0o755);
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [BIN, 'audit', project, '--format', 'json', ...args], {
        encoding: 'utf8',
        env: { PATH: `${bin}:${process.env.PATH ?? ''}`, HOME: dir },
      });
    const refused = run('--timeout', '5');
    expect(refused.status, refused.stderr).toBe(2);
    expect(existsSync(called)).toBe(false);
    const taken = run();
    expect(taken.status, taken.stderr).toBe(1);
    expect(readFileSync(called, 'utf8')).toMatch(/rev-parse --show-toplevel/);
    expect(JSON.parse(taken.stdout).signoff.git).toBeUndefined();
  });

  it('says nothing of git outside a repository', () => {
    const outside = mkdtempSync(join(dir, 'plain-'));
    writeFileSync(join(outside, 'compose.yaml'), 'services:\n  api:\n    image: example/api:1.0\n');
    const report = audit(outside);
    expect(report.signoff.git).toBeUndefined();
    expect(report.locations.root).toBe('');
  });
});
