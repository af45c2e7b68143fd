// Pure helpers over DockerFacts for the docker/* checks: containers, subjects, remediation text.
// No I/O and no client here, so checks can import it.

import type { DockerContainer, DockerFacts, DockerImage } from '../collectors/docker/schema.js';
import type { CheckInput, CheckOutcome, Evidence, Remediation } from '../core/check.js';
import { imageRole } from './compose-roles.js';

/** Every readable docker target given to a check. */
export function dockerFactsOf(input: CheckInput): DockerFacts[] {
  return input.source('docker').flatMap((t) => (t.data ? [t.data] : []));
}

/** States in which a container counts as deployed: running, or crash-looping through restarts. */
const LIVE_STATES = new Set(['running', 'restarting']);

export function liveContainers(input: CheckInput): DockerContainer[] {
  return dockerFactsOf(input).flatMap((f) => f.containers.filter((c) => LIVE_STATES.has(c.state)));
}

/** Containers running now, the ones with a stats sample to judge (a restarting one has none). */
export function runningContainers(input: CheckInput): DockerContainer[] {
  return liveContainers(input).filter((c) => c.state === 'running');
}

export function dockerImages(input: CheckInput): DockerImage[] {
  return dockerFactsOf(input).flatMap((f) => f.images);
}

export const containerSubject = (c: DockerContainer): string => `container ${c.name}`;
export const imageSubject = (i: DockerImage): string => `image ${i.ref}`;

/** Where the checks looked, for a skip message: the project, or every running container. */
export function scopeOf(input: CheckInput): string {
  const projects = [...new Set(dockerFactsOf(input).map((f) => f.project))];
  return projects.every((p) => p === null) ? 'on the engine' : `in compose project ${projects.join(', ')}`;
}

/** The outcome when no container runs where the check looked: a skip, saying where. */
export function noContainers(input: CheckInput): CheckOutcome {
  return { status: 'skip', message: `no running containers ${scopeOf(input)}`, evidence: [] };
}

/** One container judged: its evidence, and when it falls short, the compose lines and run flags that fix it. */
export interface JudgedContainer {
  container: DockerContainer;
  evidence: Evidence;
  yaml?: string[];
  flags?: string[];
}

/**
 * The fix for containers that fall short: a compose snippet for those a compose project runs
 * (by service), `docker run` flags for the others.
 */
export function containerFix(items: readonly JudgedContainer[]): string | undefined {
  const out: string[] = [];
  const seen = new Set<string>();
  const compose = items.filter((i) => i.container.service && i.yaml && i.yaml.length > 0);
  if (compose.length > 0) out.push('services:');
  for (const i of compose) {
    const service = i.container.service!;
    if (seen.has(service)) continue;
    seen.add(service);
    out.push(`  ${service}:`, ...i.yaml!.map((l) => `    ${l}`));
  }
  for (const i of items.filter((i) => !i.container.service && i.flags && i.flags.length > 0)) {
    out.push(`# ${i.container.name}: docker run ${i.flags!.join(' ')} ...`);
  }
  return out.length > 0 ? out.join('\n') : undefined;
}

/** Worst evidence status, a message naming the containers that fall short, and one remediation. */
export function containerOutcome(
  items: readonly JudgedContainer[],
  words: { passed: string; failed: string; warned: string; summary: string; applies: Remediation['applies'] },
): CheckOutcome {
  const evidence = items.map((i) => i.evidence);
  const named = (s: Evidence['status']) =>
    items.filter((i) => i.evidence.status === s).map((i) => i.container.name);
  const failed = named('fail');
  const warned = named('warn');
  const status = failed.length > 0 ? 'fail' : warned.length > 0 ? 'warn' : 'pass';
  const parts: string[] = [];
  if (failed.length > 0) parts.push(`${words.failed}: ${failed.join(', ')}`);
  if (warned.length > 0) parts.push(`${words.warned}: ${warned.join(', ')}`);
  const change = containerFix(
    items.filter((i) => i.evidence.status === 'fail' || i.evidence.status === 'warn'),
  );
  return {
    status,
    message: status === 'pass' ? words.passed : parts.join('; '),
    evidence,
    remediation: status === 'pass' ? undefined : { summary: words.summary, change, applies: words.applies },
  };
}

/** Round to one decimal, for percentages and megabytes in evidence. */
export const round1 = (n: number): number => Math.round(n * 10) / 10;

// What a running container really has, for checks whose thresholds depend on the machine's size
// (shared_buffers, Redis maxmemory, uvicorn workers): the limits of the one running container of
// a role, read from the docker source.
export interface ContainerSize {
  /** Memory limit in bytes; null when the container has none. */
  memoryBytes: number | null;
  /** CPU limit in cores; null when the container has none. */
  cpus: number | null;
  /** For the evidence: which container the figures come from. */
  from: string;
}

/**
 * The limits of the running container of `role` (its compose service's role in the config, else
 * its image). Undefined when the docker source is absent, no container has that role, or several
 * do (then it cannot tell which one the audited server is, and says nothing rather than guess).
 */
export function containerSizeFor(input: CheckInput, role: string): ContainerSize | undefined {
  if (!input.has('docker')) return undefined;
  const matches = liveContainers(input).filter(
    (c) => (c.service ? input.roles[c.service] : undefined) === role || imageRole(c.image) === role,
  );
  if (matches.length !== 1) return undefined;
  const c = matches[0]!;
  return { memoryBytes: c.memoryLimitBytes, cpus: c.cpuLimit, from: `container ${c.name} limit (docker)` };
}
