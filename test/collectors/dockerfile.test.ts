// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are Dockerfile text, not templates
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import baseImage from '../../src/checks/dockerfile/base-image.js';
import buildDeps from '../../src/checks/dockerfile/build-deps.js';
import layerOrder from '../../src/checks/dockerfile/layer-order.js';
import multiStage from '../../src/checks/dockerfile/multi-stage.js';
import { splitImageRef, substitute } from '../../src/collectors/dockerfile/image.js';
import { collectDockerfiles } from '../../src/collectors/dockerfile/index.js';
import { parseDockerfile } from '../../src/collectors/dockerfile/parse.js';
import type { DockerfileFacts } from '../../src/collectors/dockerfile/schema.js';
import type { CheckDefinition } from '../../src/core/check.js';
import { runCheck } from '../../src/core/engine.js';
import { InputError } from '../../src/core/errors.js';
import type { Facts } from '../../src/core/facts.js';

function parse(text: string, buildArgs: Record<string, string> = {}): DockerfileFacts {
  const r = parseDockerfile(text, 'Dockerfile', buildArgs);
  if (!r.ok) throw new Error(r.message);
  return r.data;
}

describe('image references', () => {
  it('splits repository, tag and digest, minding registry ports', () => {
    expect(splitImageRef('python:3.12-slim')).toEqual({ repository: 'python', tag: '3.12-slim' });
    expect(splitImageRef('localhost:5000/team/img')).toEqual({ repository: 'localhost:5000/team/img' });
    expect(splitImageRef('host:5000/img:1.2@sha256:abc')).toEqual({
      repository: 'host:5000/img',
      tag: '1.2',
      digest: 'sha256:abc',
    });
    expect(splitImageRef('python@sha256:abc')).toEqual({ repository: 'python', digest: 'sha256:abc' });
  });

  it('substitutes ${VAR}, $VAR and defaults, and never guesses', () => {
    const values = { V: '3.12', EMPTY: null };
    expect(substitute('python:${V}-slim', values)).toEqual({ value: 'python:3.12-slim', unresolved: [] });
    expect(substitute('python:$V', values).value).toBe('python:3.12');
    expect(substitute('python:${EMPTY:-3.11}', values)).toEqual({ value: 'python:3.11', unresolved: [] });
    expect(substitute('${REG}/python:${EMPTY}', values)).toEqual({
      value: '${REG}/python:${EMPTY}',
      unresolved: ['REG', 'EMPTY'],
    });
  });
});

describe('parseDockerfile', () => {
  const text = [
    '# syntax=docker/dockerfile:1',
    'ARG PY=3.11',
    'ARG REGISTRY',
    'FROM --platform=$BUILDPLATFORM python:${PY}-slim AS Build',
    'RUN --mount=type=cache,target=/root/.cache/pip \\',
    '    --mount=type=bind,source=requirements.txt,target=requirements.txt \\',
    '    pip install \\',
    '      -r requirements.txt',
    'RUN <<EOF',
    'apt-get update',
    'apt-get install -y gcc',
    'EOF',
    'COPY <<EOF /app/settings.ini',
    '[app]',
    'EOF',
    'FROM ${REGISTRY}/base:1 AS other',
    'FROM host:5000/team/img:1.2@sha256:abc',
    'copy --from=build --chown=1000:1000 --link /wheels /wheels',
    'FROM build',
  ].join('\n');
  const facts = parse(text, { PY: '3.12' });

  it('reads stages, names, platforms and global ARGs (build args override defaults)', () => {
    expect(facts.globalArgs).toEqual({ PY: '3.12', REGISTRY: null });
    expect(facts.stages.map((s) => [s.index, s.name, s.line])).toEqual([
      [0, 'Build', 4],
      [1, 'other', 16],
      [2, undefined, 17],
      [3, undefined, 19],
    ]);
    expect(facts.stages[0]?.platform).toBe('$BUILDPLATFORM');
    expect(facts.stages[0]?.baseImage).toMatchObject({
      raw: 'python:${PY}-slim',
      resolved: 'python:3.12-slim',
      repository: 'python',
      tag: '3.12-slim',
      unresolvedArgs: [],
    });
  });

  it('lists unresolved args, splits registry ports and links FROM <stage>', () => {
    expect(facts.stages[1]?.baseImage).toMatchObject({
      resolved: '${REGISTRY}/base:1',
      unresolvedArgs: ['REGISTRY'],
    });
    expect(facts.stages[2]?.baseImage).toMatchObject({
      repository: 'host:5000/team/img',
      tag: '1.2',
      digest: 'sha256:abc',
    });
    expect(facts.stages[3]?.baseImage).toMatchObject({ resolved: 'build', stage: 'build' });
  });

  it('joins continuation lines, strips flags and keeps repeated --mount flags', () => {
    const run = facts.stages[0]?.instructions[0];
    expect(run).toMatchObject({
      keyword: 'RUN',
      args: 'pip install -r requirements.txt',
      line: 5,
      endLine: 8,
    });
    expect(run?.flags.mount).toEqual([
      'type=cache,target=/root/.cache/pip',
      'type=bind,source=requirements.txt,target=requirements.txt',
    ]);
  });

  it('reads heredoc bodies of RUN and COPY', () => {
    const [, run, copy] = facts.stages[0]?.instructions ?? [];
    expect(run).toMatchObject({
      args: '<<EOF',
      heredocs: ['apt-get update\napt-get install -y gcc'],
      line: 9,
      endLine: 12,
    });
    expect(copy).toMatchObject({ keyword: 'COPY', args: '<<EOF /app/settings.ini', heredocs: ['[app]'] });
  });

  it('upper-cases keywords and reads COPY --from, --chown and bare --link', () => {
    const copy = facts.stages[2]?.instructions[0];
    expect(copy).toMatchObject({ keyword: 'COPY', args: '/wheels /wheels', line: 18 });
    expect(copy?.flags).toEqual({ from: ['build'], chown: ['1000:1000'], link: [''] });
  });

  it('drops comment lines inside continuations and honours the escape directive', () => {
    const d = parse('FROM python:3.12\nRUN apt-get update \\\r\n  # why\n  && apt-get install -y gcc\n');
    expect(d.stages[0]?.instructions[0]?.args).toBe('apt-get update && apt-get install -y gcc');
    const w = parse(
      '# escape=`\nFROM python:3.12\nRUN pip install `\n  fastapi\nRUN python3 <<PY > /out\nprint(1)\nPY\n',
    );
    expect(w.stages[0]?.instructions.map((i) => [i.args, i.heredocs])).toEqual([
      ['pip install fastapi', []],
      ['python3 <<PY > /out', ['print(1)']],
    ]);
  });

  it('expands an ARG default with the ARGs declared before it, as Docker does (Logflare)', () => {
    const text = [
      'ARG DEBIAN_VERSION=trixie-20260112-slim',
      'ARG RUNNER_IMAGE="debian:${DEBIAN_VERSION}"',
      'ARG LATER="${UNSET}-x"',
      'FROM ${RUNNER_IMAGE}',
      '',
    ].join('\n');
    const df = parse(text);
    expect(df.globalArgs).toEqual({
      DEBIAN_VERSION: 'trixie-20260112-slim',
      RUNNER_IMAGE: 'debian:trixie-20260112-slim',
      LATER: '${UNSET}-x',
    });
    expect(df.stages[0]?.baseImage).toMatchObject({
      resolved: 'debian:trixie-20260112-slim',
      unresolvedArgs: [],
    });
    // A --build-arg wins and is taken as given.
    expect(parse(text, { DEBIAN_VERSION: 'bookworm-slim' }).globalArgs.RUNNER_IMAGE).toBe(
      'debian:bookworm-slim',
    );
  });

  it('refuses what Docker would refuse, with the line', () => {
    expect(parseDockerfile('RUN echo hi\n', 'D', {})).toMatchObject({ ok: false });
    expect(parseDockerfile('FROM python:3.12\nRUNN echo\n', 'D', {})).toMatchObject({ ok: false, line: 2 });
    expect(parseDockerfile('ARG X=1\nENV A=b\nFROM python\n', 'D', {})).toMatchObject({ ok: false, line: 2 });
    expect(parseDockerfile('', 'D', {})).toMatchObject({ ok: false });
  });
});

describe('collectDockerfiles', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'strisk-dockerfile-'));
    const files: Record<string, string> = {
      Dockerfile: 'FROM python:3.12-slim\n',
      'api/Dockerfile.prod': 'FROM python:3.12-slim AS build\nFROM python:3.12-slim\n',
      'worker/worker.Dockerfile': 'FROM python:3.12-slim\n',
      'a/b/c/d/Dockerfile': 'FROM python:3.12-slim\n',
      'a/b/c/d/e/Dockerfile': 'FROM python:3.12-slim\n',
      'node_modules/x/Dockerfile': 'FROM node\n',
      'broken/Dockerfile': '# nothing here\nRUN echo hi\n',
      'README.md': '# not a Dockerfile\n',
      'Dockerfile.dockerignore': '.git\n',
    };
    for (const [name, text] of Object.entries(files)) {
      await mkdir(path.dirname(path.join(dir, name)), { recursive: true });
      await writeFile(path.join(dir, name), text);
    }
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('finds Dockerfiles to depth 4, skipping node_modules, with paths relative to the project', async () => {
    const targets = await collectDockerfiles({ projectDir: dir });
    expect(targets.map((t) => t.target)).toEqual([
      'Dockerfile',
      'a/b/c/d/Dockerfile',
      'api/Dockerfile.prod',
      'broken/Dockerfile',
      'worker/worker.Dockerfile',
    ]);
    expect(targets.find((t) => t.target === 'api/Dockerfile.prod')?.data?.stages).toHaveLength(2);
  });

  it('reads the Dockerfiles compose builds wherever they are, and no missing one', async () => {
    const project = path.join(dir, 'a');
    const targets = await collectDockerfiles({
      projectDir: project,
      composeBuilds: [
        '../api/Dockerfile.prod',
        '../node_modules/x/Dockerfile',
        '../nowhere/Dockerfile',
        'b/c/d/Dockerfile',
      ],
    });
    // The search finds b/c/d and b/c/d/e (b/c/d/Dockerfile once); compose adds the sibling
    // directory's and one in a directory the search skips; a build whose Dockerfile is not there
    // (a remote or generated context) is left alone.
    expect(targets.map((t) => t.target)).toEqual([
      'b/c/d/Dockerfile',
      'b/c/d/e/Dockerfile',
      '../api/Dockerfile.prod',
      '../node_modules/x/Dockerfile',
    ]);
    // Files given explicitly are all that is read.
    const given = await collectDockerfiles({
      projectDir: project,
      files: ['b/c/d/Dockerfile'],
      composeBuilds: ['../api/Dockerfile.prod'],
    });
    expect(given.map((t) => t.target)).toEqual(['b/c/d/Dockerfile']);
  });

  it('reports an unparseable file as invalid, with the file', async () => {
    const [t] = await collectDockerfiles({ projectDir: dir, files: ['broken/Dockerfile'] });
    expect(t).toMatchObject({ target: 'broken/Dockerfile', status: 'invalid' });
    expect(t?.message).toMatch(/^broken\/Dockerfile: /);
    expect(t?.data).toBeUndefined();
  });

  it('throws InputError for a given file that does not exist', async () => {
    await expect(collectDockerfiles({ projectDir: dir, files: ['nope/Dockerfile'] })).rejects.toBeInstanceOf(
      InputError,
    );
  });

  it('fails a check when any one of several Dockerfiles fails', async () => {
    const targets = await collectDockerfiles({
      projectDir: dir,
      files: ['Dockerfile', 'api/Dockerfile.prod'],
    });
    const result = runCheck(multiStage as CheckDefinition, factsOf(dir, targets));
    expect(result.status).toBe('fail');
    expect(result.evidence.map((e) => [e.subject, e.status])).toEqual([
      ['Dockerfile:1 (stage #0)', 'fail'],
      // No stage uses `build`, so it is a shipped stage of its own.
      ['api/Dockerfile.prod:1 (stage build)', 'fail'],
      ['api/Dockerfile.prod:2 (stage #1)', 'fail'],
    ]);
  });

  it('makes the checks error on an invalid file', async () => {
    const targets = await collectDockerfiles({ projectDir: dir, files: ['broken/Dockerfile'] });
    expect(runCheck(multiStage as CheckDefinition, factsOf(dir, targets)).status).toBe('error');
  });
});

function factsOf(projectDir: string, targets: Awaited<ReturnType<typeof collectDockerfiles>>): Facts {
  return {
    schemaVersion: 1,
    tool: { name: 'strisk', version: '0' },
    collectedAt: '2026-01-01T00:00:00Z',
    durationMs: 0,
    projectDir,
    machine: {},
    roles: {},
    sources: { dockerfile: targets },
  };
}

describe('dockerfile checks on their fixtures', async () => {
  const root = path.resolve('fixtures/checks/dockerfile');
  const checks: Record<string, CheckDefinition> = {
    'multi-stage': multiStage as CheckDefinition,
    'base-image': baseImage as CheckDefinition,
    'layer-order': layerOrder as CheckDefinition,
    'build-deps': buildDeps as CheckDefinition,
  };
  const expected = { success: 'pass', failure: 'fail', warning: 'warn' } as const;
  for (const [noun, def] of Object.entries(checks)) {
    const dirs = await readdir(path.join(root, noun));
    it(`${noun} has a passing and a failing fixture`, () => {
      expect(dirs).toContain('success');
      expect(dirs).toContain('failure');
    });
    for (const d of dirs) {
      const want = expected[d.split('-')[0] as keyof typeof expected];
      it(`${def.id} ${d} -> ${want}`, async () => {
        const projectDir = path.join(root, noun, d);
        const result = runCheck(def, factsOf(projectDir, await collectDockerfiles({ projectDir })));
        expect(result.status, JSON.stringify(result, null, 2)).toBe(want);
        expect(result.evidence.length).toBeGreaterThan(0);
        if (want !== 'pass') expect(result.remediation?.applies).toBe('rebuild');
      });
    }
  }
});
