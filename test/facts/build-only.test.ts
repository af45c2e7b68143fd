// Services that only build and tag an image (logflare's `base`/`runner`): one-shot for the compose
// checks, and their Dockerfiles base images, not shipped apps, for the dockerfile checks.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import healthcheck from '../../src/checks/compose/healthcheck.js';
import readOnlyRootfs from '../../src/checks/compose/read-only-rootfs.js';
import restartPolicy from '../../src/checks/compose/restart-policy.js';
import startupOrder from '../../src/checks/compose/startup-order.js';
import buildDeps from '../../src/checks/dockerfile/build-deps.js';
import multiStage from '../../src/checks/dockerfile/multi-stage.js';
import { collectCompose } from '../../src/collectors/compose/index.js';
import type { ComposeFacts, ComposeService } from '../../src/collectors/compose/schema.js';
import { parseDockerfile } from '../../src/collectors/dockerfile/parse.js';
import type { DockerfileFacts } from '../../src/collectors/dockerfile/schema.js';
import type { CheckDefinition } from '../../src/core/check.js';
import { runCheck } from '../../src/core/engine.js';
import type { Facts } from '../../src/core/facts.js';
import { buildOnlyReason } from '../../src/facts/build-only.js';
import { explainRoles, isLongRunning, oneShotReason } from '../../src/facts/compose-roles.js';
import { composeProject, composeService, liveFacts } from '../support/fixtures.js';

function parse(text: string, file: string): DockerfileFacts {
  const r = parseDockerfile(text, file);
  if (!r.ok) throw new Error(r.message);
  return r.data;
}

const at = <T>(value: T) => ({ value, file: 'compose.yaml', line: 9 });

const svc = composeService;

const build = (dockerfile: string, tags?: string[]) => ({
  context: '.',
  dockerfile,
  ...(tags ? { tags } : {}),
  file: 'compose.yaml',
  line: 2,
});

const project = (services: ComposeService[]): ComposeFacts => composeProject(services);

function factsOf(c: ComposeFacts, dockerfiles: DockerfileFacts[], roles: Record<string, string> = {}): Facts {
  const ok = <T>(target: string, data: T) => ({ target, status: 'ok' as const, durationMs: 0, data });
  const sources = { compose: [ok('compose.yaml', c)], dockerfile: dockerfiles.map((d) => ok(d.file, d)) };
  return { ...liveFacts(sources as Facts['sources']), roles };
}

const run = (check: unknown, f: Facts) => runCheck(check as CheckDefinition, f);
const about = (r: ReturnType<typeof run>, subject: string) => r.evidence.filter((e) => e.subject === subject);

// logflare's Dockerfile.runner and Dockerfile.base, shortened.
const RUNNER = parse(
  `ARG RUNNER_IMAGE="debian:trixie-20260112-slim"
FROM \${RUNNER_IMAGE} AS runner
RUN apt-get update -y && apt-get install -y curl openssl && apt-get clean && rm -f /var/lib/apt/lists/*_*
ENV LANG en_US.UTF-8
`,
  'Dockerfile.runner',
);
const BASE = parse(
  `FROM hexpm/elixir:1.19.5-erlang-27.3.4.6-debian-trixie-20260112-slim AS builder
RUN apt-get update -y && apt-get install -y build-essential git gcc make
COPY mix.exs mix.lock ./
RUN mix deps.get
`,
  'Dockerfile.base',
);
const APP = parse(
  `FROM node:22-slim AS build
COPY package.json package-lock.json ./
RUN npm ci
COPY . .
FROM node:22-slim
COPY --from=build /app /app
CMD ["node", "/app/server.js"]
`,
  'Dockerfile',
);

describe('build-only services', () => {
  const runner = svc('runner', { build: build('./Dockerfile.runner', ['supabase/logflare:runner']) });
  const base = svc('base', { build: build('./Dockerfile.base'), image: at('supabase/logflare:base') });
  const app = svc('app', {
    build: build('./Dockerfile'),
    ports: [{ container: 4000, published: true, file: 'compose.yaml', line: 3 }],
  });
  const dockerfiles = [RUNNER, BASE, APP];

  it('a service that only builds and tags an image from a plain OS/runtime base, without CMD, is build-only', () => {
    const p = project([runner, base, app]);
    expect(buildOnlyReason(runner, p, dockerfiles)).toBe(
      'builds and tags supabase/logflare:runner only (no command, ports, volumes or dependants in compose; ' +
        'Dockerfile.runner (stage runner) has no CMD or ENTRYPOINT, and its base debian runs a shell or prompt ' +
        'that exits without a terminal)',
    );
    expect(buildOnlyReason(base, p, dockerfiles)).toMatch(
      /^builds and tags supabase\/logflare:base only .*hexpm\/elixir/,
    );
    expect(oneShotReason(runner, {}, p, dockerfiles)).toMatch(
      /^restart not set, no healthcheck, build-only: builds and tags/,
    );
    expect(isLongRunning(base, {}, p, dockerfiles)).toBe(false);
    // The app it sits beside runs a server: never build-only.
    expect(buildOnlyReason(app, p, dockerfiles)).toBeUndefined();
    expect(isLongRunning(app, {}, p, dockerfiles)).toBe(true);
  });

  it('needs the Dockerfile: without it, or with a CMD or ENTRYPOINT in the stage or a stage it is FROM, the service runs', () => {
    const p = project([runner]);
    expect(buildOnlyReason(runner, p, undefined)).toBeUndefined();
    expect(oneShotReason(runner, {}, p)).toBeUndefined();
    const withCmd = parse(`FROM debian:12-slim AS runner\nCMD ["/app/serve"]\n`, 'Dockerfile.runner');
    expect(buildOnlyReason(runner, p, [withCmd])).toBeUndefined();
    const inherited = parse(
      `FROM debian:12-slim AS base\nENTRYPOINT ["/run.sh"]\nFROM base AS runner\nRUN true\n`,
      'Dockerfile.runner',
    );
    expect(buildOnlyReason(runner, p, [inherited])).toBeUndefined();
  });

  it('anything compose gives a running container, a dependant, or no tag makes it not build-only', () => {
    const variants: Partial<ComposeService>[] = [
      { command: at('sleep infinity') },
      { entrypoint: at(['/bin/sh']) },
      { ports: [{ container: 80, published: false, file: 'compose.yaml', line: 4 }] },
      { volumes: [{ type: 'bind', source: './data', target: '/data', file: 'compose.yaml', line: 4 }] },
      { environment: { DB_HOST: { value: 'db', file: 'compose.yaml', line: 4 } } },
      { restart: at('unless-stopped') },
      { labels: { 'traefik.enable': 'true' } },
      { build: build('./Dockerfile.runner') },
    ];
    for (const over of variants) {
      const s = svc('runner', { build: runner.build, ...over });
      expect(buildOnlyReason(s, project([s]), dockerfiles), JSON.stringify(over)).toBeUndefined();
    }
    const user = svc('web', {
      image: at('nginx:1.27'),
      dependsOn: [{ service: 'runner', condition: 'service_started', file: 'compose.yaml', line: 5 }],
    });
    expect(buildOnlyReason(runner, project([runner, user]), dockerfiles)).toBeUndefined();
  });

  it('a server image as base counts only when another Dockerfile builds FROM the tag', () => {
    const grafana = parse(
      `FROM grafana/grafana:11.1.0\nCOPY provisioning /etc/grafana/provisioning\n`,
      'grafana/Dockerfile',
    );
    const dash = svc('dash', {
      build: { context: 'grafana', file: 'compose.yaml', line: 2 },
      image: at('acme/grafana:1'),
    });
    expect(buildOnlyReason(dash, project([dash]), [grafana])).toBeUndefined();
    const user = parse(
      `FROM acme/grafana:1\nCOPY dashboards /var/lib/grafana/dashboards\n`,
      'Dockerfile.dash',
    );
    expect(buildOnlyReason(dash, project([dash]), [grafana, user])).toMatch(
      /only \(.*grafana\/Dockerfile \(stage #0\) has no CMD or ENTRYPOINT\), a base image Dockerfile\.dash builds FROM$/,
    );
  });

  it('compose checks list a build-only service as one-shot; a role in the config makes it run', () => {
    const f = factsOf(project([runner, base, app]), dockerfiles);
    for (const check of [healthcheck, restartPolicy]) {
      const r = run(check, f);
      const [item] = about(r, 'service runner');
      expect(item?.status, check.id).toBe('info');
      expect(item?.note, check.id).toMatch(
        /^one-shot \(restart not set, no healthcheck, build-only: builds and tags supabase\/logflare:runner/,
      );
      expect(about(r, 'service app')[0]?.status, check.id).toBe('fail');
    }
    const ro = run(readOnlyRootfs, f);
    expect(about(ro, 'service runner')).toEqual([]);
    expect(about(ro, 'service app')[0]?.status).toBe('fail');
    expect(explainRoles(project([runner]), {}, dockerfiles)[0]?.oneShot).toMatch(/build-only/);
    const configured = run(
      restartPolicy,
      factsOf(project([runner, base, app]), dockerfiles, { runner: 'app' }),
    );
    expect(about(configured, 'service runner')[0]?.status).toBe('fail');
    // Without the dockerfile source, nothing tells: judged as before.
    const noDf = factsOf(project([runner]), []);
    delete (noDf.sources as Record<string, unknown>).dockerfile;
    expect(about(run(startupOrder, noDf), 'service runner')).toEqual([]);
    expect(about(run(restartPolicy, noDf), 'service runner')[0]?.status).toBe('fail');
  });

  it('dockerfile/build-deps and multi-stage list a build-only Dockerfile and judge the shipped ones', () => {
    const f = factsOf(project([runner, base, app]), dockerfiles);
    for (const check of [buildDeps, multiStage]) {
      const r = run(check, f);
      for (const file of ['Dockerfile.runner', 'Dockerfile.base']) {
        const [item] = about(r, file);
        expect(item?.status, `${check.id} ${file}`).toBe('info');
        expect(item?.note).toMatch(
          /^built only by the build-only compose service (runner|base) .*not a shipped app image; not judged$/,
        );
      }
      expect(r.status, check.id).toBe('pass');
    }
    // Only build-only Dockerfiles: nothing shipped to judge.
    const only = run(multiStage, factsOf(project([runner]), [RUNNER]));
    expect(only.status).toBe('skip');
    expect(only.evidence.map((e) => e.status)).toEqual(['info']);
    // The same Dockerfile built by a service that runs it is judged.
    const served = svc('runner', { build: runner.build, command: at('/app/bin/server') });
    const judged = run(buildDeps, factsOf(project([served]), [RUNNER]));
    expect(judged.evidence.every((e) => e.status !== 'info')).toBe(true);
  });

  it('the compose collector keeps build.tags, the names a build-only service gives its image (logflare)', async () => {
    const dir = path.resolve(import.meta.dirname, '../../fixtures/real-world/compose/logflare');
    const [t] = await collectCompose({ projectDir: dir, env: {} });
    expect(t?.status).toBe('ok');
    const byName = new Map((t!.data as ComposeFacts).services.map((s) => [s.name, s]));
    expect(byName.get('base')?.build?.tags).toEqual(['supabase/logflare:base']);
    expect(byName.get('logflare')?.build?.tags).toEqual([
      'supabase/logflare:latest',
      'supabase/logflare:1.0.0',
    ]);
    expect(byName.get('db')?.build).toBeUndefined();
  });
});
