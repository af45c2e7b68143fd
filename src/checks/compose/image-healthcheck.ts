// The healthcheck a compose service gets from its image when compose sets none: the HEALTHCHECK of
// the Dockerfile stage its `build:` builds, else the image config the docker source read (a running
// container of the service, or the image it names). Shared by compose/healthcheck; not a check.
import type { ComposeFacts, ComposeService } from '../../collectors/compose/schema.js';
import { parseDuration } from '../../collectors/compose/units.js';
import type { DockerHealthcheck } from '../../collectors/docker/schema.js';
import type { DockerfileFacts, Instruction } from '../../collectors/dockerfile/schema.js';
import type { CheckInput } from '../../core/check.js';
import {
  chainInstructions,
  composeDockerfilePath,
  dockerfilesOf,
  stageChain,
  stageLabel,
  targetStage,
} from '../../facts/dockerfile.js';

/** Docker's HEALTHCHECK interval when none is given. */
export const DOCKER_DEFAULT_INTERVAL_S = 30;

export interface ImageHealthcheck {
  disabled: boolean;
  /** Seconds; null when the HEALTHCHECK gives no interval (Docker then uses 30 s). */
  intervalSeconds: number | null;
  file?: string;
  line?: number;
  /** Where it came from, for the evidence: `HEALTHCHECK at Dockerfile:12 (stage production)`. */
  from: string;
}

function fromInstruction(i: Instruction, file: string, where: string): ImageHealthcheck {
  const disabled = /^NONE\b/i.test(i.args.trim());
  const raw = i.flags.interval?.at(-1);
  return {
    disabled,
    intervalSeconds: raw === undefined ? null : parseDuration(raw),
    file,
    line: i.line,
    from: `HEALTHCHECK at ${file}:${i.line} (${where})`,
  };
}

/** The Dockerfile a service's `build:` names, when the dockerfile source read it. */
export function builtDockerfile(input: CheckInput, svc: ComposeService): DockerfileFacts | undefined {
  if (!svc.build || !input.has('dockerfile')) return undefined;
  const path = composeDockerfilePath(svc.build);
  return dockerfilesOf(input).find((d) => d.file === path);
}

/** The HEALTHCHECK of the stage a service builds, if the Dockerfile was read and has one. */
function fromDockerfile(input: CheckInput, svc: ComposeService): ImageHealthcheck | 'base' | undefined {
  const df = builtDockerfile(input, svc);
  if (!df || !svc.build) return undefined;
  const stage = targetStage(df, svc.build.target);
  if (!stage) return undefined;
  const hc = chainInstructions(df, stage)
    .filter((i) => i.keyword === 'HEALTHCHECK')
    .at(-1);
  if (hc)
    return fromInstruction(hc, df.file, `${stageLabel(stage)}, built by ${svc.build.file}:${svc.build.line}`);
  // None in the Dockerfile: the external base image may still carry one (only the engine knows).
  return stageChain(df, stage)[0]?.baseImage.repository === 'scratch' ? undefined : 'base';
}

/**
 * The effective healthcheck of the service's container, else the config of the image it names, as
 * the docker source read them. The engine reports a disabled one (`NONE`) as none, so only a
 * present healthcheck is an answer.
 */
function fromDocker(
  input: CheckInput,
  svc: ComposeService,
  facts: ComposeFacts,
): ImageHealthcheck | undefined {
  if (!input.has('docker')) return undefined;
  const of = (hc: DockerHealthcheck, from: string): ImageHealthcheck => ({
    disabled: false,
    intervalSeconds: hc.intervalSeconds,
    from,
  });
  // The image the service names, else the name compose gives a built image (`<project>-<service>`).
  const names = svc.image
    ? [svc.image.value]
    : [`${facts.projectName}-${svc.name}`, `${facts.projectName}_${svc.name}`];
  const refs = names.flatMap((n) => (/:[^/]+$/.test(n) || n.includes('@') ? [n] : [n, `${n}:latest`]));
  for (const t of input.source('docker')) {
    const d = t.data;
    if (!d) continue;
    const container = d.containers.find(
      (c) => c.service === svc.name && (c.project === null || c.project === facts.projectName),
    );
    if (container?.healthcheck) return of(container.healthcheck, `container ${container.name} (docker)`);
    const image = d.images.find((i) => !i.missing && [i.ref, ...i.tags].some((r) => refs.includes(r)));
    if (image?.healthcheck) return of(image.healthcheck, `image ${image.ref} config (${t.target})`);
  }
  return undefined;
}

/**
 * The healthcheck the service's image gives it, or undefined when neither the Dockerfile nor the
 * engine tells. `HEALTHCHECK NONE` comes back as disabled.
 */
export function imageHealthcheck(
  input: CheckInput,
  svc: ComposeService,
  facts: ComposeFacts,
): ImageHealthcheck | undefined {
  const dockerfile = fromDockerfile(input, svc);
  if (dockerfile && dockerfile !== 'base') return dockerfile;
  return fromDocker(input, svc, facts);
}
