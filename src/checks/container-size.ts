// What a running container really has, for checks whose thresholds depend on the machine's size
// (shared_buffers, Redis maxmemory, uvicorn workers): the limits of the one running container of
// a role, read from the docker source. Pure: facts in, figures out.
import { liveContainers } from '../collectors/docker/views.js';
import type { CheckInput } from '../core/check.js';
import { imageRole } from './compose/roles.js';

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
