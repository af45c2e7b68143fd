// Stage selection (which stages ship), layer order across package managers, base-image advice that
// fits the stage, and healthchecks from the image: small Dockerfiles written for one rule each.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import healthcheck from '../../src/checks/compose/healthcheck.js';
import baseImage from '../../src/checks/dockerfile/base-image.js';
import buildDeps from '../../src/checks/dockerfile/build-deps.js';
import layerOrder from '../../src/checks/dockerfile/layer-order.js';
import multiStage from '../../src/checks/dockerfile/multi-stage.js';
import type { AppFacts } from '../../src/collectors/app/schema.js';
import { fileServerCommands, withPythonCalls } from '../../src/collectors/app/servers.js';
import type { ComposeFacts, ComposeService } from '../../src/collectors/compose/schema.js';
import type { DockerFacts } from '../../src/collectors/docker/schema.js';
import { isManifestOrConfig, isSourceCode } from '../../src/collectors/dockerfile/ecosystems.js';
import { collectDockerfiles } from '../../src/collectors/dockerfile/index.js';
import { parseDockerfile } from '../../src/collectors/dockerfile/parse.js';
import type { DockerfileFacts } from '../../src/collectors/dockerfile/schema.js';
import type { CheckDefinition } from '../../src/core/check.js';
import { runCheck } from '../../src/core/engine.js';
import type { Facts } from '../../src/core/facts.js';
import { composeDockerfilePath, shippedStages } from '../../src/facts/dockerfile.js';
import { composeProject, composeService } from '../support/fixtures.js';

function parse(text: string, file = 'Dockerfile'): DockerfileFacts {
  const r = parseDockerfile(text, file);
  if (!r.ok) throw new Error(r.message);
  return r.data;
}

const service = composeService;

const compose = (services: ComposeService[]): ComposeFacts => composeProject(services);

function facts(dockerfiles: DockerfileFacts[], c?: ComposeFacts, docker?: DockerFacts): Facts {
  const ok = <T>(target: string, data: T) => ({ target, status: 'ok' as const, durationMs: 0, data });
  return {
    schemaVersion: 1,
    tool: { name: 'strisk', version: '0' },
    collectedAt: '2026-01-01T00:00:00Z',
    durationMs: 0,
    projectDir: '.',
    machine: {},
    roles: {},
    sources: {
      ...(dockerfiles.length > 0 && { dockerfile: dockerfiles.map((d) => ok(d.file, d)) }),
      ...(c && { compose: [ok('compose.yaml', c)] }),
      ...(docker && { docker: [ok('unix:///var/run/docker.sock', docker)] }),
    } as Facts['sources'],
  };
}

const run = (check: unknown, f: Facts) => runCheck(check as CheckDefinition, f);
const rows = (r: ReturnType<typeof run>) => r.evidence.map((e) => [e.subject, e.status]);

const MULTI_TARGET = `FROM python:3.12-slim@sha256:abc AS base
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

FROM base AS production
COPY . .
CMD ["uvicorn", "app.main:app"]

FROM public.ecr.aws/lambda/python:3.12 AS lambda
COPY . .
CMD ["app.handler"]
`;

describe('shipped stages', () => {
  it('are the stages compose builds (build.target, else the last stage)', () => {
    const df = parse(MULTI_TARGET);
    const builds = [
      { service: 'api', target: 'production', file: 'compose.yaml', line: 3 },
      { service: 'worker', target: 'Production', file: 'compose.yaml', line: 9 },
    ];
    expect(shippedStages(df, builds).map((s) => [s.stage.name, s.why])).toEqual([
      ['production', 'built by compose service api (target production), worker (target Production)'],
    ]);
    expect(shippedStages(df, [{ service: 'fn', file: 'compose.yaml', line: 1 }])[0]?.stage.name).toBe(
      'lambda',
    );
    // A target no stage is named: every shipped stage is judged, and the evidence says why.
    const typo = shippedStages(df, [{ service: 'api', target: 'prod', file: 'compose.yaml', line: 4 }]);
    expect(typo.map((s) => s.stage.name)).toEqual(['production', 'lambda']);
    expect(typo[0]?.why).toMatch(
      /compose asks for target prod \(service api, compose.yaml:4\), which no stage is named/,
    );
  });

  it('without compose, are the stages no other stage builds on, minus development targets', () => {
    const df = parse(
      `FROM golang:1.22 AS build\nRUN go build -o /bin/app\nFROM build AS dev\nFROM build AS test\nRUN go test ./...\n` +
        `FROM gcr.io/distroless/static AS runtime\nCOPY --from=build /bin/app /app\nFROM runtime AS debug-shell\n`,
    );
    expect(shippedStages(df).map((s) => s.stage.name)).toEqual(['runtime']);
    // The evidence says which targets were left out, and that runtime is used only by one of them.
    expect(shippedStages(df)[0]?.why).toBe(
      'a stage only development/test targets build on (stage debug-shell); stage dev, stage test, ' +
        'stage debug-shell not judged (a development/test target, not shipped)',
    );
    const both = parse(MULTI_TARGET);
    expect(shippedStages(both).map((s) => s.stage.name)).toEqual(['production', 'lambda']);
  });

  it('maps a compose build to the Dockerfile path the collector reports', () => {
    const b = (context: string, dockerfile?: string, file = 'compose.yaml') => ({
      context,
      ...(dockerfile && { dockerfile }),
      file,
      line: 1,
    });
    expect(composeDockerfilePath(b('.'))).toBe('Dockerfile');
    expect(composeDockerfilePath(b('./api'))).toBe('api/Dockerfile');
    expect(composeDockerfilePath(b('.', 'docker/app.Dockerfile'))).toBe('docker/app.Dockerfile');
    expect(composeDockerfilePath(b('..', 'api/Dockerfile', 'deploy/compose.yaml'))).toBe('api/Dockerfile');
    // Above the project dir: the collector reads it there, named with its `..`.
    expect(composeDockerfilePath(b('../..'))).toBe('../../Dockerfile');
    expect(composeDockerfilePath(b('../../backend', undefined, 'deploy/compose.yaml'))).toBe(
      '../backend/Dockerfile',
    );
    expect(composeDockerfilePath(b('/srv/app'))).toBeUndefined();
    // biome-ignore lint/suspicious/noTemplateCurlyInString: compose interpolation, not a template
    expect(composeDockerfilePath(b('${CTX}'))).toBeUndefined();
    expect(composeDockerfilePath(b('https://github.com/org/repo.git'))).toBeUndefined();
  });

  it('makes every dockerfile check judge the target compose builds, not the last stage', () => {
    const df = parse(MULTI_TARGET);
    const c = compose([
      service('api', { build: { context: '.', target: 'production', file: 'compose.yaml', line: 3 } }),
    ]);
    const base = run(baseImage, facts([df], c));
    expect(rows(base)).toEqual([['Dockerfile:1 (stage production)', 'pass']]);
    expect(base.evidence[0]?.observed).toBe('python:3.12-slim@sha256:abc (via FROM base at line 6)');
    // Alone, the lambda stage ships too (it has no -slim variant; only the digest is missing).
    expect(rows(run(baseImage, facts([df])))).toEqual([
      ['Dockerfile:1 (stage production)', 'pass'],
      ['Dockerfile:10 (stage lambda)', 'warn'],
    ]);
    expect(run(baseImage, facts([df])).evidence[1]?.note).not.toMatch(/slim variant/);
    expect(rows(run(multiStage, facts([df], c)))).toEqual([['Dockerfile:6 (stage production)', 'fail']]);
  });
});

describe('dockerfile/layer-order across package managers', () => {
  const verdict = (text: string) => {
    const r = run(layerOrder, facts([parse(text)]));
    return { status: r.status, rows: rows(r), observed: r.evidence.map((e) => e.observed) };
  };
  it.each([
    ['npm ci after COPY . .', 'FROM node:20-slim\nWORKDIR /app\nCOPY . .\nRUN npm ci\n', 'fail'],
    [
      'npm ci after package*.json',
      'FROM node:20-slim\nCOPY package*.json ./\nRUN npm ci\nCOPY . .\n',
      'pass',
    ],
    [
      'yarn after the source',
      'FROM node:20-slim\nCOPY src ./src\nCOPY package.json yarn.lock ./\nRUN yarn --frozen-lockfile\n',
      'fail',
    ],
    [
      'pnpm with its workspace files',
      'FROM node:20-slim\nRUN npm i -g pnpm\nCOPY package.json pnpm-lock.yaml pnpm-workspace.yaml .npmrc ./\nRUN pnpm install --frozen-lockfile\nCOPY . .\n',
      'pass',
    ],
    ['bun', 'FROM oven/bun:1\nCOPY . .\nRUN bun install\n', 'fail'],
    [
      'requirements/ by path',
      'FROM python:3.12-slim\nCOPY requirements/ requirements/\nRUN pip install -r requirements/default.txt\nCOPY . .\n',
      'pass',
    ],
    [
      'a folder of wheels is dependencies',
      'FROM python:3.12-slim\nCOPY wheels/ /wheels/\nRUN pip install /wheels/*.whl\nCOPY . .\n',
      'pass',
    ],
    [
      'main.py before pip',
      'FROM python:3.12-slim\nCOPY main.py requirements.txt ./\nRUN pip install -r requirements.txt\n',
      'fail',
    ],
    [
      'go mod download',
      'FROM golang:1.22\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build ./...\n',
      'pass',
    ],
    ['go build after COPY . .', 'FROM golang:1.22\nCOPY . .\nRUN go build -o /app .\n', 'fail'],
    [
      'go build with a module cache mount',
      'FROM golang:1.22\nCOPY . .\nRUN --mount=type=cache,target=/go/pkg/mod go build -o /app .\n',
      'pass',
    ],
    [
      'maven go-offline',
      'FROM maven:3.9-eclipse-temurin-21\nCOPY pom.xml .\nCOPY .mvn .mvn\nRUN mvn -B dependency:go-offline\nCOPY src src\nRUN mvn -B package\n',
      'pass',
    ],
    [
      'mvn package after COPY src',
      'FROM maven:3.9-eclipse-temurin-21\nCOPY pom.xml .\nCOPY src src\nRUN mvn -B package\n',
      'fail',
    ],
    [
      'gradle wrapper dependencies',
      'FROM eclipse-temurin:21-jdk\nCOPY gradlew settings.gradle.kts build.gradle.kts ./\nCOPY gradle gradle\nRUN ./gradlew dependencies --no-daemon\nCOPY src src\nRUN ./gradlew bootJar\n',
      'pass',
    ],
    ['gradle build after COPY . .', 'FROM gradle:8-jdk21\nCOPY . .\nRUN gradle build --no-daemon\n', 'fail'],
    [
      'cargo dummy-main build',
      'FROM rust:1.80\nCOPY Cargo.toml Cargo.lock ./\nRUN mkdir src && echo "fn main() {}" > src/main.rs && cargo build --release\nCOPY . .\nRUN cargo build --release\n',
      'pass',
    ],
    [
      'cargo build after COPY . .',
      'FROM rust:1.80\nRUN cargo install cargo-watch\nCOPY . .\nRUN cargo build --release\n',
      'fail',
    ],
    [
      'vendored gems are dependencies',
      'FROM ruby:3.3-slim\nCOPY Gemfile Gemfile.lock ./\nCOPY vendor/cache vendor/cache\nRUN bundle install --local\nCOPY . .\n',
      'pass',
    ],
    [
      'gradle buildSrc is build logic',
      'FROM gradle:8-jdk21\nCOPY settings.gradle.kts build.gradle.kts ./\nCOPY buildSrc buildSrc\nRUN gradle dependencies\nCOPY src src\n',
      'pass',
    ],
    ['bundler', 'FROM ruby:3.3-slim\nCOPY Gemfile Gemfile.lock ./\nRUN bundle install\nCOPY . .\n', 'pass'],
    ['composer after COPY . .', 'FROM composer:2\nCOPY . /app\nRUN composer install --no-dev\n', 'fail'],
    [
      'deps from another stage',
      'FROM node:20-slim AS deps\nCOPY package.json package-lock.json ./\nRUN npm ci\nFROM node:20-slim\nCOPY . .\nCOPY --from=deps /node_modules ./node_modules\nRUN npm run build\n',
      'pass',
    ],
    [
      'bind-mounted manifests',
      'FROM python:3.12-slim\nRUN --mount=type=bind,source=requirements.txt,target=/tmp/r.txt pip install -r /tmp/r.txt\nCOPY . .\n',
      'pass',
    ],
  ])('%s -> %s', (_what, text, status) => {
    const v = verdict(text);
    expect(v.status, JSON.stringify(v)).toBe(status);
  });

  it('names the install and the COPY that invalidates it, and the stage', () => {
    const v = verdict('FROM node:20-slim AS web\nWORKDIR /app\nCOPY . .\nRUN npm ci --omit=dev\n');
    expect(v.rows).toEqual([['Dockerfile:4 (stage web)', 'fail']]);
    expect(v.observed[0]).toBe('`COPY . .` (line 3) comes before `npm ci --omit=dev`');
  });

  it('skips when nothing installs dependencies, and does not count bootstrapping a tool', () => {
    expect(verdict('FROM nginx:1.27\nCOPY . /usr/share/nginx/html\n').status).toBe('skip');
    expect(verdict('FROM node:20\nCOPY . .\nRUN npm install -g pnpm@9\n').status).toBe('skip');
    // A build that cannot see a manifest (one code file copied, no go.mod) fetches no dependencies.
    expect(verdict('FROM golang:1.22\nCOPY main.go main.go\nRUN go build -o app main.go\n').status).toBe(
      'skip',
    );
    expect(verdict('FROM golang:1.22\nCOPY cmd ./cmd\nRUN go build -o app ./cmd\n').status).toBe('fail');
    expect(verdict('FROM rust:1.80\nCOPY . .\nRUN cargo build --release\n').status).toBe('fail');
  });

  it('reads mix (Elixir), `npm --prefix DIR ci` and `cargo rustc`, and a VERSION file is no source (Logflare)', () => {
    const mix =
      'FROM hexpm/elixir:1.19.5-erlang-27.3.4.6-debian-trixie-20260112-slim\nCOPY ./VERSION mix.exs mix.lock ./\n' +
      'COPY config/config.exs config/\nRUN mix do local.rebar --force + local.hex --force + deps.get + deps.compile\n' +
      'COPY assets/package.json assets/package-lock.json assets/\nRUN npm --prefix assets ci\nCOPY . ./\nRUN mix release\n';
    const v = verdict(mix);
    expect(v.status).toBe('pass');
    expect(v.observed.map((o) => String(o).split('`')[1]).sort()).toEqual(
      [
        'mix do local.rebar --force + local.hex --force + deps.get + deps.compile',
        'npm --prefix assets ci',
      ].sort(),
    );
    expect(verdict('FROM elixir:1.17-slim\nCOPY . .\nRUN mix deps.get --only prod\n').status).toBe('fail');
    expect(
      verdict('FROM rust:1.80-slim\nCOPY Cargo.toml ./\nCOPY native native/\nRUN cargo rustc --release\n')
        .status,
    ).toBe('fail');
  });

  it('finds an install inside an if/else or a loop of the RUN', () => {
    const v = verdict(
      'FROM rust:1.80\nCOPY recipe.json .\nRUN if [ "$MODE" = release ]; then cargo chef cook --release; ' +
        'else cargo chef cook; fi\nCOPY . .\nRUN cargo build\n',
    );
    expect(v.status).toBe('pass');
    expect(v.observed[0]).toMatch(/^`cargo chef cook --release` before any source copy/);
  });

  it('matches manifests by path and tells source from config', () => {
    expect(isManifestOrConfig('requirements/default.txt')).toBe(true);
    expect(isManifestOrConfig('./services/api/package.json')).toBe(true);
    expect(isManifestOrConfig('package*.json')).toBe(true);
    expect(isManifestOrConfig('*.py')).toBe(false);
    expect(isManifestOrConfig('src')).toBe(false);
    expect(isSourceCode('.')).toBe(true);
    expect(isSourceCode('app/')).toBe(true);
    expect(isSourceCode('main.go')).toBe(true);
    expect(isSourceCode('nginx.conf')).toBe(false);
  });
});

describe('dockerfile/build-deps reads package lists and removals as the shell does', () => {
  const verdict = (text: string) => {
    const r = run(buildDeps, facts([parse(text)]));
    return { status: r.status, observed: r.evidence.map((e) => e.observed) };
  };
  const apt = (list: string, tail = ' && rm -rf /var/lib/apt/lists/*') =>
    `RUN apt-get update && apt-get install -y --no-install-recommends ${list}${tail}\n`;
  // `${NAME}` as the Dockerfile writes it.
  const ref = (name: string) => `$${'{'}${name}}`;
  it('resolves a package list from an ARG or ENV default declared in the stage or globally', () => {
    expect(verdict(`FROM debian:12-slim\nARG PKGS="curl \\\n  tzdata"\n${apt(ref('PKGS'))}`).status).toBe(
      'pass',
    );
    expect(verdict(`FROM debian:12-slim\nENV PKGS="gcc libpq-dev"\n${apt('$PKGS')}`).observed).toEqual([
      'gcc libpq-dev installed in a shipped stage',
    ]);
    expect(verdict(`ARG PKGS="make"\nFROM debian:12-slim\nARG PKGS\n${apt(ref('PKGS'))}`).status).toBe(
      'fail',
    );
    // Installed from a list and purged through the same list: nothing left.
    expect(
      verdict(
        `FROM debian:12-slim\nARG BUILD="build-essential pkg-config"\n${apt(ref('BUILD'), ` && apt-get purge -y ${ref('BUILD')} && rm -rf /var/lib/apt/lists/*`)}`,
      ).status,
    ).toBe('pass');
    // No default anywhere: still unknown, a warning.
    expect(verdict(`FROM debian:12-slim\nARG PKGS\n${apt(ref('PKGS'))}`).status).toBe('warn');
  });
  it('takes removing a directory above the apt lists for removing them', () => {
    expect(
      verdict(`FROM debian:12-slim\n${apt('curl', '; apt-get clean; rm -rf /var/lib /var/cache')}`).status,
    ).toBe('pass');
    expect(verdict(`FROM debian:12-slim\n${apt('curl', ' && rm -rf /var/lib/apt/lists/')}`).status).toBe(
      'pass',
    );
    expect(
      verdict(`FROM debian:12-slim\n${apt('curl', ' && rm -rf /var/lib/dpkg /tmp/x')}`).observed,
    ).toEqual(['apt lists left in the layer']);
  });
});

describe('dockerfile/base-image advice fits what the stage runs', () => {
  const judge = (text: string) => run(baseImage, facts([parse(text)])).evidence[0];
  it('fails a Python older than 3.11 named in a derived image tag', () => {
    expect(
      judge('FROM tiangolo/uvicorn-gunicorn-fastapi:python3.9-slim@sha256:abc\nCOPY . /app\n'),
    ).toMatchObject({ status: 'fail', note: expect.stringContaining('Python 3.9 (from the tag)') });
    expect(judge('FROM tiangolo/uvicorn-gunicorn-fastapi:python3.12-slim@sha256:abc\n')).toMatchObject({
      status: 'pass',
    });
    // Only a tag that says `python<version>` tells; `py3.8` may mean anything.
    expect(judge('FROM acme/tool:py3.8@sha256:abc\nCMD ["/tool"]\n')).toMatchObject({ status: 'pass' });
  });

  it('warns about Alpine only for stages that run Python', () => {
    expect(judge('FROM python:3.12-alpine@sha256:abc\nCOPY . .\n')).toMatchObject({ status: 'warn' });
    expect(judge('FROM alpine:3.20@sha256:abc\nRUN apk add --no-cache python3 py3-pip\n')?.note).toMatch(
      /Alpine/,
    );
    for (const image of ['nginx:1.27-alpine', 'postgres:16-alpine', 'node:20-alpine', 'golang:1.22-alpine']) {
      expect(judge(`FROM ${image}@sha256:abc\nCOPY . .\n`)?.note ?? '', image).not.toMatch(/Alpine/);
    }
  });
  it('asks for -slim only where the image publishes one', () => {
    expect(judge('FROM node:20@sha256:abc\n')).toMatchObject({ status: 'fail' });
    expect(judge('FROM node:20-slim@sha256:abc\n')).toMatchObject({ status: 'pass' });
    for (const image of [
      'nginx:1.27',
      'postgres:16.4',
      'eclipse-temurin:21-jre',
      'gcr.io/distroless/static-debian12:nonroot',
    ]) {
      expect(judge(`FROM ${image}@sha256:abc\n`), image).toMatchObject({ status: 'pass' });
    }
  });
  it('warns when a build toolchain image ships', () => {
    expect(judge('FROM golang:1.22-bookworm@sha256:abc\nRUN go build -o /app .\n')?.note).toMatch(
      /toolchain/,
    );
  });
});

describe('compose/healthcheck reads the image', () => {
  const hcDockerfile = parse(
    'FROM python:3.12-slim AS base\nHEALTHCHECK --interval=5s CMD curl -f http://127.0.0.1/health\nFROM base AS production\nFROM base AS nohc\nHEALTHCHECK NONE\n',
    'api/Dockerfile',
  );
  const built = (target?: string) =>
    service('api', {
      restart: { value: 'always', file: 'compose.yaml', line: 2 },
      build: { context: 'api', ...(target && { target }), file: 'compose.yaml', line: 3 },
    });
  it('takes the HEALTHCHECK of the stage build.target builds, and says where it came from', () => {
    const r = run(healthcheck, facts([hcDockerfile], compose([built('production')])));
    expect(r.status).toBe('pass');
    expect(r.evidence[0]).toMatchObject({ file: 'api/Dockerfile', line: 2, observed: '5 s' });
    expect(r.evidence[0]?.note).toMatch(/HEALTHCHECK at api\/Dockerfile:2 \(stage production/);
    expect(run(healthcheck, facts([hcDockerfile], compose([built('nohc')]))).evidence[0]).toMatchObject({
      status: 'fail',
      observed: 'HEALTHCHECK NONE',
    });
  });
  it('takes the image config from the docker source when the Dockerfile has none', () => {
    const docker: DockerFacts = {
      engine: null,
      project: null,
      archive: 'images.tar',
      containers: [],
      images: [
        {
          ref: 'ghcr.io/org/api:1.2',
          missing: false,
          id: 'sha256:1',
          tags: ['ghcr.io/org/api:1.2'],
          sizeBytes: 1,
          layers: 1,
          created: null,
          user: null,
          healthcheck: { test: ['CMD', 'true'], intervalSeconds: 5, timeoutSeconds: 3, retries: 3 },
          cmd: null,
          entrypoint: null,
          history: [],
        },
      ],
    };
    const pulled = service('api', {
      restart: { value: 'always', file: 'compose.yaml', line: 2 },
      image: { value: 'ghcr.io/org/api:1.2', file: 'compose.yaml', line: 3 },
    });
    const r = run(healthcheck, facts([], compose([pulled]), docker));
    expect(r.status).toBe('pass');
    expect(r.evidence[0]?.note).toMatch(/image ghcr\.io\/org\/api:1\.2 config/);
    expect(run(healthcheck, facts([], compose([pulled]))).status).toBe('fail');
    // A built service without image: is found by the name compose gives its image.
    const archived = {
      ...docker,
      images: docker.images.map((i) => ({ ...i, ref: 'p-api:latest', tags: ['p-api:latest'] })),
    };
    const builtOnly = service('api', {
      restart: { value: 'always', file: 'compose.yaml', line: 2 },
      build: { context: 'elsewhere', file: 'compose.yaml', line: 3 },
    });
    expect(run(healthcheck, facts([], compose([builtOnly]), archived)).evidence[0]?.note).toMatch(
      /image p-api:latest config/,
    );
  });
});

describe('server commands from a multi-target Dockerfile', () => {
  it('come from every shipped stage, with CMD inherited through FROM <stage>', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'strisk-stages-'));
    try {
      await writeFile(
        path.join(dir, 'Dockerfile'),
        'FROM python:3.12-slim AS base\nCMD ["uvicorn", "app.main:app", "--workers", "4"]\n' +
          'FROM base AS production\nCOPY . .\n' +
          'FROM public.ecr.aws/lambda/python:3.12 AS lambda\nCMD ["app.handler"]\n',
      );
      const noCalls = { calls: [] } as unknown as AppFacts;
      const commands = withPythonCalls(await fileServerCommands(dir, dir, {}), dir, noCalls);
      expect(commands.map((c) => [c.source, c.line, c.server, c.workers])).toEqual([
        ['dockerfile', 2, 'uvicorn', 4],
      ]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('dockerfile/layer-order with Node workspace packages', () => {
  const DOCKERFILE =
    'FROM node:20-slim\nWORKDIR /app\nCOPY package.json bun.lock ./\nCOPY lib/opal/ ./lib/opal/\nCOPY lib/shared/ ./lib/shared/\nRUN bun install --frozen-lockfile\nCOPY . .\n';
  const collect = async (files: Record<string, string>) => {
    const dir = await mkdtemp(path.join(tmpdir(), 'strisk-workspaces-'));
    try {
      for (const [name, text] of Object.entries(files)) await writeFile(path.join(dir, name), text);
      const [t] = await collectDockerfiles({ projectDir: dir });
      if (t?.status !== 'ok' || !t.data) throw new Error(`not collected: ${JSON.stringify(t)}`);
      return t.data;
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it('reads package.json workspaces (array or {packages}) and pnpm-workspace.yaml packages', async () => {
    expect(
      (await collect({ Dockerfile: DOCKERFILE, 'package.json': '{"workspaces":["lib/*"]}' })).workspaces,
    ).toEqual(['lib/*']);
    const both = await collect({
      Dockerfile: DOCKERFILE,
      'package.json': '{"workspaces":{"packages":["lib/opal"]}}',
      'pnpm-workspace.yaml': "packages:\n  - 'lib/shared'\n  - '!lib/old'\n",
    });
    expect(both.workspaces).toEqual(['lib/opal', 'lib/shared', '!lib/old']);
    // No package.json, or one that is not JSON: no workspaces, the Dockerfile still collects.
    expect((await collect({ Dockerfile: DOCKERFILE })).workspaces).toEqual([]);
    expect((await collect({ Dockerfile: DOCKERFILE, 'package.json': '{oops' })).workspaces).toEqual([]);
  });

  it('passes when the directories copied before the install are workspace packages', async () => {
    const df = await collect({ Dockerfile: DOCKERFILE, 'package.json': '{"workspaces":["lib/*"]}' });
    const r = run(layerOrder, facts([df]));
    expect(r.status).toBe('pass');
    expect(r.evidence[0]?.observed).toContain('workspace packages at line 4, 5 are install inputs');
    // Listed one by one, as onyx does.
    const listed = { ...df, workspaces: ['lib/opal', 'lib/shared'] };
    expect(run(layerOrder, facts([listed])).status).toBe('pass');
  });

  it('still fails when a source directory that is not a workspace package comes first', async () => {
    const df = await collect({
      Dockerfile: DOCKERFILE.replace('COPY lib/shared/', 'COPY src/ ./src/\nCOPY lib/shared/'),
      'package.json': '{"workspaces":["lib/*"]}',
    });
    const r = run(layerOrder, facts([df]));
    expect(r.status).toBe('fail');
    expect(r.evidence[0]?.observed).toContain('`COPY src/ ./src/` (line 5)');
    // Without workspaces declared, the package directories are source again.
    const none = await collect({ Dockerfile: DOCKERFILE, 'package.json': '{"name":"web"}' });
    expect(run(layerOrder, facts([none])).status).toBe('fail');
    // A negated glob excludes nothing into the workspace set.
    expect(run(layerOrder, facts([{ ...none, workspaces: ['!lib/*'] }])).status).toBe('fail');
  });

  it('applies only to a Node install, not to pip', () => {
    const df = parse('FROM python:3.12-slim\nCOPY lib/ ./lib/\nRUN pip install -r lib/requirements.txt\n');
    expect(run(layerOrder, facts([{ ...df, workspaces: ['lib'] }])).status).toBe('fail');
  });
});
