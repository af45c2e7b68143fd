// How many database connections the API can open: one computation for every check that compares
// the app's pools with a server's limit (PostgreSQL's max_connections, PgBouncer's max_client_conn).
// A fact helper: pure functions of the facts. Not a check.
import type { CheckInput } from '../core/check.js';
import { composeDockerfiles, composeServices, workerCount } from './compose.js';
import { commandText, isLongRunning, serviceRole } from './compose-roles.js';
import { appWorkloads, containerRefs, k8sTargets, peakReplicas, workloadLabel } from './k8s.js';

export interface Demand {
  total: number;
  /** One line of arithmetic per API workload or service. */
  parts: string[];
  /** Where the replicas and workers were read: the manifests, the compose file, or the options. */
  from: 'k8s' | 'compose' | 'options';
}

export interface DemandOptions {
  /** Workers per API process when neither the command nor WEB_CONCURRENCY says. */
  workers: number;
  /** Replicas when no deployment is described. */
  replicas: number;
  /** Connections per worker: the pool size plus its overflow. */
  poolSize: number;
  maxOverflow: number;
}

const QUEUE_WORKER =
  /\bcelery\b.*\sworker\b|\bdramatiq\b|\barq\s|\brq\s+worker\b|\bhuey_consumer\b|\bsidekiq\b|\btaskiq\s+worker\b/;

/** Per API workload of the manifests: peak replicas (HPA max included) × workers × pool. */
function fromManifests(input: CheckInput, o: DemandOptions): Demand | undefined {
  const per = o.poolSize + o.maxOverflow;
  if (!input.has('k8s')) return undefined;
  const parts: string[] = [];
  let total = 0;
  for (const facts of k8sTargets(input)) {
    for (const ref of appWorkloads(facts, input.roles)) {
      if (ref.worker || ref.role.role !== 'app') continue;
      const replicas = peakReplicas(facts, ref.workload);
      const w = workerCount(ref.service);
      const n = w?.count ?? o.workers;
      total += replicas.count * n * per;
      parts.push(
        `${workloadLabel(ref.workload)}: ${replicas.count} replicas (${replicas.from}) × ${n} workers (${w ? w.from : 'option workers'}) × ${per} = ${replicas.count * n * per}`,
      );
    }
  }
  return parts.length > 0 ? { total, parts, from: 'k8s' } : undefined;
}

/** Per long-running app service of the compose model: `deploy.replicas`/`scale` × workers × pool. */
function fromCompose(input: CheckInput, o: DemandOptions): Demand | undefined {
  const per = o.poolSize + o.maxOverflow;
  if (!input.has('compose')) return undefined;
  const parts: string[] = [];
  let total = 0;
  const dockerfiles = composeDockerfiles(input);
  for (const { service, facts } of composeServices(input)) {
    if (serviceRole(service, input.roles, facts).role !== 'app') continue;
    if (!isLongRunning(service, input.roles, facts, dockerfiles) || QUEUE_WORKER.test(commandText(service)))
      continue;
    const r = service.replicas;
    const replicas = typeof r?.value === 'number' ? r.value : 1;
    const w = workerCount(service);
    const n = w?.count ?? o.workers;
    total += replicas * n * per;
    parts.push(
      `service ${service.name}: ${replicas} replicas (${r && typeof r.value === 'number' ? `${r.file}:${r.line}` : 'not set'}) × ${n} workers (${w ? w.from : 'option workers'}) × ${per} = ${replicas * n * per}`,
    );
  }
  return parts.length > 0 ? { total, parts, from: 'compose' } : undefined;
}

/**
 * The connections the API's pools can open at peak: from the Kubernetes manifests when they
 * describe an API workload, else from the compose model's app services, else from the options
 * (always from the options when `deployment` is false).
 */
export function apiDemand(input: CheckInput, o: DemandOptions, deployment = true): Demand {
  const found = deployment ? (fromManifests(input, o) ?? fromCompose(input, o)) : undefined;
  if (found) return found;
  const total = o.workers * o.replicas * (o.poolSize + o.maxOverflow);
  return {
    total,
    parts: [
      `${o.workers} workers × ${o.replicas} replicas × (pool ${o.poolSize} + overflow ${o.maxOverflow}) = ${total}`,
    ],
    from: 'options',
  };
}

/** Whether the deployment (manifests or compose) runs a PgBouncer the app's pools meet instead. */
export function deploymentHasPgbouncer(input: CheckInput): boolean {
  if (
    input.has('k8s') &&
    k8sTargets(input).some((f) => containerRefs(f, input.roles).some((r) => r.role.role === 'pgbouncer'))
  )
    return true;
  return (
    input.has('compose') &&
    composeServices(input).some((s) => serviceRole(s.service, input.roles, s.facts).role === 'pgbouncer')
  );
}
