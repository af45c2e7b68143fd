// Compose services that only build and tag an image (logflare's `base` and `runner`: `build:` with
// tags and nothing else), and the Dockerfiles only such services build. A fact helper over the
// compose and Dockerfile facts, shared by the compose checks (such a service runs nothing to judge)
// and the dockerfile checks (its image is a base for other builds, not a shipped app). Not a check.
import type { ComposeFacts, ComposeService } from '../collectors/compose/schema.js';
import type { DockerfileFacts } from '../collectors/dockerfile/schema.js';
import type { CheckInput, CheckOutcome, Evidence } from '../core/check.js';
import {
  chainInstructions,
  composeDockerfilePath,
  dockerfilesOf,
  resolvedBase,
  type ShippedStage,
  shippedOf,
  stageLabel,
  targetStage,
} from './dockerfile.js';

/**
 * Official images of an OS or a language runtime whose default command is a shell or an
 * interpreter's prompt (`bash`, `sh`, `python3`, `node`, `iex`, `irb`, `jshell`): in a container
 * without a terminal it reads an empty input and exits at once. Matched on the last segment of the
 * repository (`hexpm/elixir`, `docker.io/library/debian`).
 */
const EXITING_DEFAULT =
  /^(ubuntu|debian|alpine|busybox|centos|fedora|rockylinux|almalinux|amazonlinux|archlinux|opensuse|buildpack-deps|python|pypy|node|ruby|golang|rust|openjdk|eclipse-temurin|amazoncorretto|elixir|erlang|php|perl|bash)$/;

/** `docker.io/library/debian:12` and `debian:12` are one image; no tag is `latest`. */
function imageKey(ref: string): string {
  const r = (ref.trim().toLowerCase().split('@')[0] ?? '')
    .replace(/^(index\.)?docker\.io\//, '')
    .replace(/^library\//, '');
  return r.lastIndexOf(':') > r.lastIndexOf('/') ? r : `${r}:latest`;
}

/** The names compose gives the image a service builds: `image:` and `build.tags`. */
function builtTags(service: ComposeService): string[] {
  return [...(service.image ? [service.image.value] : []), ...(service.build?.tags ?? [])].filter(
    (t) => t !== '' && !t.includes('${'),
  );
}

/**
 * What compose gives the service beyond its build, if anything: a command, an entrypoint, ports,
 * a healthcheck, volumes, environment, dependencies, labels, a network mode, a restart policy that
 * keeps it up. A service that has none of these only builds.
 */
function runSettings(service: ComposeService): string | undefined {
  if (service.command) return 'command';
  if (service.entrypoint) return 'entrypoint';
  if (service.ports.length > 0) return 'ports';
  if (service.healthcheck && !service.healthcheck.disabled) return 'healthcheck';
  if (service.volumes.length > 0) return 'volumes';
  if (Object.keys(service.environment).length > 0) return 'environment';
  if (service.dependsOn.length > 0) return 'depends_on';
  if (Object.keys(service.labels).length > 0) return 'labels';
  if (service.networkMode) return 'network_mode';
  if (service.tmpfs.length > 0) return 'tmpfs';
  const restart = service.restart?.value ?? service.deployRestartCondition?.value;
  if (restart !== undefined && restart !== 'no' && restart !== 'none') return 'restart';
  return undefined;
}

/**
 * Why a compose service only builds and tags an image, or undefined. All of:
 * - it has `build:` and names its image (`image:` or `build.tags`);
 * - compose gives it nothing a running container needs (no command, entrypoint, ports,
 *   healthcheck, volumes, environment, depends_on, labels, network mode, tmpfs, restart for good),
 *   and no other service depends on it;
 * - the Dockerfile stage it builds was read, and neither it nor the stages it is built FROM has a
 *   CMD or an ENTRYPOINT;
 * - and its image is a base for other builds (another Dockerfile the audit read starts `FROM` one
 *   of its tags), or it starts from a plain OS or language-runtime image, whose default command is a
 *   shell or a prompt that exits at once without a terminal.
 * A service the config gives a role is never taken for build-only (the caller checks `roles:`).
 */
export function buildOnlyReason(
  service: ComposeService,
  facts: ComposeFacts | undefined,
  dockerfiles: readonly DockerfileFacts[] | undefined,
): string | undefined {
  const build = service.build;
  if (!build || !dockerfiles || dockerfiles.length === 0) return undefined;
  const tags = builtTags(service);
  if (tags.length === 0 || runSettings(service) !== undefined) return undefined;
  if (facts?.services.some((s) => s.dependsOn.some((d) => d.service === service.name))) return undefined;
  const path = composeDockerfilePath(build);
  const df = path === undefined ? undefined : dockerfiles.find((d) => d.file === path);
  const stage = df && targetStage(df, build.target);
  if (!df || !stage) return undefined;
  const runs = chainInstructions(df, stage).find((i) => i.keyword === 'CMD' || i.keyword === 'ENTRYPOINT');
  if (runs) return undefined;
  const where = `${df.file} (${stageLabel(stage)}) has no CMD or ENTRYPOINT`;
  const compose = `no command, ports, volumes or dependants in compose`;
  const keys = new Set(tags.map(imageKey));
  const user = dockerfiles.find(
    (d) =>
      d !== df &&
      d.stages.some(
        (s) =>
          s.baseImage.stage === undefined &&
          s.baseImage.unresolvedArgs.length === 0 &&
          keys.has(imageKey(s.baseImage.resolved)),
      ),
  );
  if (user)
    return `builds and tags ${tags.join(', ')} only (${compose}; ${where}), a base image ${user.file} builds FROM`;
  const base = resolvedBase(df, stage);
  if (base.unresolvedArgs.length > 0 || base.stage !== undefined) return undefined;
  const last = base.repository.toLowerCase().split('/').at(-1) ?? '';
  if (!EXITING_DEFAULT.test(last)) return undefined;
  return `builds and tags ${tags.join(', ')} only (${compose}; ${where}, and its base ${base.repository} runs a shell or prompt that exits without a terminal)`;
}

/** Build-only services by the Dockerfile they build (its path as facts show Dockerfiles). */
function buildOnlyBuilds(input: CheckInput): Map<string, { all: number; only: string[] }> {
  const out = new Map<string, { all: number; only: string[] }>();
  if (!input.has('compose')) return out;
  const dockerfiles = dockerfilesOf(input);
  for (const t of input.source('compose')) {
    const facts = t.data;
    if (!facts) continue;
    for (const s of facts.services) {
      const path = s.build ? composeDockerfilePath(s.build) : undefined;
      if (path === undefined) continue;
      const entry = out.get(path) ?? { all: 0, only: [] };
      entry.all++;
      if (input.roles[s.name] === undefined && buildOnlyReason(s, facts, dockerfiles))
        entry.only.push(s.name);
      out.set(path, entry);
    }
  }
  return out;
}

/**
 * The shipped stages of every Dockerfile (`shippedOf`), and for a Dockerfile that only build-only
 * services build, why it is not a shipped image: its image is a base other builds start from (a
 * builder or a runtime base), so the checks of what an app image ships do not judge it.
 */
export function shippedImagesOf(
  input: CheckInput,
): { df: DockerfileFacts; shipped: ShippedStage[]; buildOnly?: string }[] {
  const builds = buildOnlyBuilds(input);
  return shippedOf(input).map(({ df, shipped }) => {
    const b = builds.get(df.file);
    if (!b || b.only.length === 0 || b.only.length !== b.all) return { df, shipped };
    const services = b.only.map((n) => `service ${n}`).join(', ');
    return {
      df,
      shipped,
      buildOnly: `built only by the build-only compose ${services} (it builds and tags a base image and runs nothing)`,
    };
  });
}

/** The evidence item of a Dockerfile the shipped-image checks leave out as a build-only base image. */
export function buildOnlyItem(df: DockerfileFacts, reason: string): Evidence {
  const stage = df.stages.at(-1);
  return {
    subject: df.file,
    file: df.file,
    ...(stage ? { line: stage.line } : {}),
    status: 'info',
    note: `${reason}: a base image for other builds, not a shipped app image; not judged`,
  };
}

/** The outcome when every Dockerfile read is a build-only base image: nothing shipped to judge. */
export function onlyBuildOnly(evidence: Evidence[]): CheckOutcome {
  return {
    status: 'skip',
    message:
      'no shipped image: every Dockerfile read is a base image that a build-only compose service builds',
    evidence,
  };
}
