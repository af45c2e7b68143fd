// What a Kubernetes workload is: each container seen as a compose service would be (image, command,
// ports, environment, probes), so its role comes from the same inference as compose's; whether it
// runs for good; which selectors pick it; which autoscaler scales it. A fact helper: pure functions
// of the k8s facts, shared by the k8s checks. Not a check.
import type { ComposeFacts, ComposeService } from '../collectors/compose/schema.js';
import type {
  K8sContainer,
  K8sFacts,
  K8sHpa,
  K8sNetworkPolicy,
  K8sScaledObject,
  K8sWorkload,
  LabelSelector,
} from '../collectors/k8s/schema.js';
import type { CheckInput } from '../core/check.js';
import {
  commandText,
  imageRepository,
  imageRole,
  projectRoles,
  type RoleExplanation,
  type RoleInfo,
  roleReason,
} from './compose-roles.js';

export interface ContainerRef {
  facts: K8sFacts;
  workload: K8sWorkload;
  container: K8sContainer;
  /** `api` for a workload's main container, `api/sidecar` for the others: the name `roles:` uses. */
  name: string;
  /** The workload's main container (see `mainContainer`): the one its checks judge. */
  main: boolean;
  /** The container as a compose service, for the compose fact helpers. */
  service: ComposeService;
  role: RoleInfo;
  /** Why the workload runs once (a Job, a CronJob, a Pod that does not restart), if it does. */
  oneShot?: string;
  /** A queue consumer (Celery, RQ, Dramatiq, arq, Sidekiq…): scaled on its queue, not its CPU. */
  worker: boolean;
}

/** Every readable k8s target's facts. */
export function k8sTargets(input: CheckInput): K8sFacts[] {
  return input.source('k8s').flatMap((t) => (t.data ? [t.data] : []));
}

/** `Deployment api` or `Deployment shop/api` when the manifest names a namespace. */
export function workloadLabel(w: { kind: string; name: string; namespace?: string }): string {
  return `${w.kind} ${w.namespace ? `${w.namespace}/` : ''}${w.name}`;
}

const RESTART: Record<string, string> = { Always: 'always', OnFailure: 'on-failure', Never: 'no' };

function asService(w: K8sWorkload, c: K8sContainer, name: string): ComposeService {
  const probe = c.readinessProbe ?? c.livenessProbe ?? c.startupProbe;
  const restart =
    w.kind === 'Job' || w.kind === 'CronJob'
      ? (RESTART[w.restartPolicy?.value ?? 'Never'] ?? 'no')
      : w.kind === 'Pod'
        ? (RESTART[w.restartPolicy?.value ?? 'Always'] ?? 'always')
        : 'always';
  const environment: ComposeService['environment'] = {};
  for (const [k, v] of Object.entries(c.env)) environment[k] = v;
  return {
    name,
    file: c.file,
    line: c.line,
    ...(c.image ? { image: c.image } : {}),
    ...(c.command ? { entrypoint: c.command } : {}),
    ...(c.args ? { command: c.args } : {}),
    ...(c.limits.memory ? { memoryLimit: c.limits.memory } : {}),
    ...(c.limits.cpu ? { cpuLimit: c.limits.cpu } : {}),
    ...(probe
      ? {
          healthcheck: {
            file: probe.file,
            line: probe.line,
            disabled: false,
            test: { value: `${probe.kind} ${probe.text}`, file: probe.file, line: probe.line },
          },
        }
      : {}),
    ...(c.readOnlyRootFilesystem ? { readOnly: c.readOnlyRootFilesystem } : {}),
    tmpfs: [],
    dependsOn: [],
    volumes: [],
    restart: { value: restart, file: w.file, line: w.line },
    ports: c.ports.map((p) => ({ ...p, published: false })),
    environment,
    labels: {},
    profiles: [],
  };
}

function oneShotOf(w: K8sWorkload): string | undefined {
  if (w.kind === 'Job' || w.kind === 'CronJob') return `a ${w.kind}`;
  if (w.kind === 'Pod' && (w.restartPolicy?.value === 'Never' || w.restartPolicy?.value === 'OnFailure'))
    return `a Pod with restartPolicy ${w.restartPolicy.value}`;
  return undefined;
}

/**
 * Images that run beside the application in its pod (service-mesh proxies, auth and database
 * proxies, log shippers, config reloaders): never a pod's main container while another is there.
 */
const SIDECAR_IMAGE =
  /^(istio-proxy|proxyv2|linkerd-proxy|proxy|envoy|oauth2-proxy|cloudsql-proxy|cloud-sql-proxy|gce-proxy|alloydb-auth-proxy|fluent-bit|fluentd|promtail|vector|k8s-sidecar|kube-rbac-proxy|configmap-reload|prometheus-config-reloader|config-reloader|vault|vault-agent|git-sync|cloudflared)$/;

const isSidecar = (c: K8sContainer): boolean => {
  if (/^(istio-proxy|linkerd-proxy|envoy-sidecar)$/.test(c.name)) return true;
  if (!c.image) return false;
  const last = imageRepository(c.image.value).split('/').at(-1) ?? '';
  return SIDECAR_IMAGE.test(last);
};

const mainCache = new WeakMap<K8sWorkload, K8sContainer | undefined>();

/**
 * The container a workload exists to run, which its checks judge: the only one; else, among the
 * containers that are not known sidecars (SIDECAR_IMAGE), the one named like the workload
 * (`grafana` in Deployment grafana or release-grafana, not its k8s-sidecar), else the one whose
 * ports a Service selecting the pods targets, else the one whose image is named like it, else the
 * first of them.
 */
export function mainContainer(w: K8sWorkload, facts?: K8sFacts): K8sContainer | undefined {
  if (w.containers.length <= 1) return w.containers[0];
  if (facts && mainCache.has(w)) return mainCache.get(w);
  const own = w.containers.filter((c) => !isSidecar(c));
  const pool = own.length > 0 ? own : w.containers;
  const named = (n: string) => n === w.name || w.name.endsWith(`-${n}`) || n.endsWith(`-${w.name}`);
  const targeted = new Set(
    (facts?.services ?? []).filter((s) => servesWorkload(s, w)).flatMap((s) => s.targetPorts ?? []),
  );
  const found =
    pool.find((c) => named(c.name)) ??
    pool.find((c) =>
      c.ports.some((p) => targeted.has(p.container ?? -1) || (p.name && targeted.has(p.name))),
    ) ??
    pool.find((c) => c.image && named(imageRepository(c.image.value).split('/').at(-1) ?? '')) ??
    pool[0];
  if (facts) mainCache.set(w, found);
  return found;
}

const WORKER_COMMAND =
  /\bcelery\b.*\sworker\b|\bdramatiq\b|\barq\s|\brq\s+worker\b|\bhuey_consumer\b|\bsidekiq\b|\bqueue:work\b|\bhorizon\b|\bfaust\s.*\bworker\b|\btaskiq\s+worker\b/;

/** A worker named so (`worker`, `examplevotingapp_worker`) that serves nothing: no port, no Service. */
const WORKER_NAME = /(^|[-_])workers?$/;

/** A Service with a selector that picks the workload's pods. */
const servesWorkload = (s: K8sFacts['services'][number], w: K8sWorkload): boolean =>
  Boolean(
    s.selector &&
      Object.keys(s.selector.matchLabels).length > 0 &&
      sameNamespace(s, w) &&
      selects(s.selector, w.podLabels),
  );

function servedByService(facts: K8sFacts, w: K8sWorkload): boolean {
  return facts.services.some((s) => servesWorkload(s, w));
}

function namedWorker(facts: K8sFacts, w: K8sWorkload, c: K8sContainer): boolean {
  if (c.ports.length > 0) return false;
  const image = c.image ? (imageRepository(c.image.value).split('/').at(-1) ?? '') : '';
  if (!WORKER_NAME.test(w.name) && !WORKER_NAME.test(c.name) && !WORKER_NAME.test(image)) return false;
  return !servedByService(facts, w);
}

const cache = new WeakMap<K8sFacts, { roles: Record<string, string>; refs: ContainerRef[] }>();

/**
 * Every container of every workload, with its role. Roles are inferred as for compose services
 * (src/facts/compose-roles.ts), over the whole manifest set at once: an app image with a
 * `DATABASE_URL` is an app, `postgres:16` is PostgreSQL, a `pg_isready` probe says PostgreSQL.
 */
export function containerRefs(facts: K8sFacts, roles: Record<string, string>): ContainerRef[] {
  const hit = cache.get(facts);
  if (hit && hit.roles === roles) return hit.refs;
  const items: Omit<ContainerRef, 'role'>[] = [];
  for (const workload of facts.workloads) {
    const primary = mainContainer(workload, facts);
    for (const container of workload.containers) {
      const main = container === primary;
      const name = main ? workload.name : `${workload.name}/${container.name}`;
      const service = asService(workload, container, name);
      const oneShot = oneShotOf(workload);
      const worker =
        roles[name] === 'worker' ||
        WORKER_COMMAND.test(commandText(service)) ||
        (main && roles[name] === undefined && namedWorker(facts, workload, container));
      items.push({
        facts,
        workload,
        container,
        name,
        main,
        service,
        worker,
        ...(oneShot ? { oneShot } : {}),
      });
    }
  }
  const model: ComposeFacts = {
    projectName: 'k8s',
    files: facts.files,
    activeProfiles: [],
    services: items.map((i) => i.service),
    inactiveServices: [],
    volumes: [],
    unresolved: [],
  };
  const byName = projectRoles(model, roles);
  const refs = items.map((i) => ({ ...i, role: k8sRole(facts, i, byName.get(i.name) ?? { from: 'none' }) }));
  cache.set(facts, { roles, refs });
  return refs;
}

/**
 * Images of cluster infrastructure that the compose inference reads as application images (a
 * registry path with an organisation): ingress controllers, operators, metrics and telemetry agents.
 */
const K8S_INFRA: [RegExp, string][] = [
  [/(^|\/)ingress-nginx\/controller$|(^|\/)(ingress-controller|contour|kong-ingress-controller)$/, 'proxy'],
  [
    /(^|\/)(metrics-server|kube-state-metrics|opentelemetry-collector[-\w]*|otel-collector[-\w]*|node-exporter|prometheus-operator|prometheus-config-reloader|k8s-sidecar|kube-rbac-proxy)$/,
    'monitoring',
  ],
  [
    /(^|\/)([\w-]+-operator|kube-webhook-certgen|cert-manager-[\w-]+|external-dns|cluster-autoscaler|argocd)$/,
    'other',
  ],
];

const LOAD_GENERATOR = /^(load-?generator|loadgen|locust|k6)$/;

/** A front proxy or a load generator shipped in an application image. */
function helperKind(c: K8sContainer): { role: 'proxy' | 'other'; why: string } | undefined {
  const env = Object.keys(c.env);
  const locust = env.find((k) => /^LOCUST_/.test(k));
  if (LOAD_GENERATOR.test(c.name) || locust)
    return { role: 'other', why: `a load generator${locust ? `: it reads ${locust}` : ''}` };
  const envoy = env.find((k) => /^ENVOY_/.test(k));
  if (/(^|[-_])(proxy|envoy)$/.test(c.name) || envoy)
    return { role: 'proxy', why: `a proxy${envoy ? `: it reads ${envoy}` : ''}` };
  return undefined;
}

/**
 * The role of a container: the compose inference, corrected where Kubernetes says more: an image of
 * cluster infrastructure (K8S_INFRA) is not the app, and a container nothing else places but that a
 * Service routes to (not on a database's port) serves the app, as a proxy's route says in compose.
 */
function k8sRole(facts: K8sFacts, item: Omit<ContainerRef, 'role'>, inferred: RoleInfo): RoleInfo {
  const image = item.container.image;
  if (image && (inferred.role === 'app' || !inferred.role) && inferred.from !== 'config') {
    const repo = imageRepository(image.value);
    const infra = K8S_INFRA.find(([re]) => re.test(repo));
    if (infra)
      return {
        role: infra[1],
        from: 'image',
        value: `image ${repo} (cluster infrastructure)`,
        file: image.file,
        line: image.line,
      };
  }
  // One application image for many services (`demo:1.0-kafka`): the container's name may say more.
  const byName =
    inferred.from === 'image' && inferred.role === 'app' ? imageRole(item.container.name) : undefined;
  if (byName)
    return {
      role: byName,
      from: 'image',
      value: `container ${item.container.name} of ${inferred.value}`,
      file: item.container.file,
      line: item.container.line,
    };
  // An app image running a front proxy (Envoy) or a load generator (Locust, k6): told by the
  // container's name or the settings it reads, as compose's proxy role tells nginx or envoy.
  const kind = inferred.role === 'app' && inferred.from !== 'config' ? helperKind(item.container) : undefined;
  if (kind)
    return {
      role: kind.role,
      from: 'image',
      value: `container ${item.container.name} (${kind.why})`,
      file: item.container.file,
      line: item.container.line,
    };
  if (inferred.role) return inferred;
  const w = item.workload;
  const svc = facts.services.find(
    (s) =>
      s.selector &&
      Object.keys(s.selector.matchLabels).length > 0 &&
      sameNamespace(s, w) &&
      selects(s.selector, w.podLabels),
  );
  if (svc && item.main)
    return {
      role: 'app',
      from: 'labels',
      value: `Service ${svc.name} routes to it`,
      file: svc.file,
      line: svc.line,
    };
  return inferred;
}

/** Whether a label selector picks these labels. An empty selector picks every pod. */
export function selects(selector: LabelSelector, labels: Record<string, string>): boolean {
  for (const [k, v] of Object.entries(selector.matchLabels)) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions) {
    const has = Object.hasOwn(labels, e.key);
    const v = labels[e.key];
    if (e.operator === 'In' && !(has && e.values.includes(v as string))) return false;
    if (e.operator === 'NotIn' && has && e.values.includes(v as string)) return false;
    if (e.operator === 'Exists' && !has) return false;
    if (e.operator === 'DoesNotExist' && has) return false;
  }
  return true;
}

/** Namespaced objects meet when they name the same namespace; an unnamed one is the release's. */
export const sameNamespace = (a: { namespace?: string }, b: { namespace?: string }): boolean =>
  (a.namespace ?? '') === (b.namespace ?? '');

const scalerIndex = new WeakMap<
  K8sFacts,
  Map<string, { hpas: K8sHpa[]; scaledObjects: K8sScaledObject[] }>
>();
const scalerKey = (namespace: string | undefined, kind: string, name: string) =>
  `${namespace ?? ''}\0${kind}\0${name}`;

/** The HPAs and KEDA ScaledObjects that scale a workload (indexed once per facts: linear in objects). */
export function scalersOf(
  facts: K8sFacts,
  w: K8sWorkload,
): { hpas: K8sHpa[]; scaledObjects: K8sScaledObject[] } {
  let index = scalerIndex.get(facts);
  if (!index) {
    const built = new Map<string, { hpas: K8sHpa[]; scaledObjects: K8sScaledObject[] }>();
    const slot = (o: { namespace?: string; target: { kind: string; name: string } }) => {
      const key = scalerKey(o.namespace, o.target.kind, o.target.name);
      const found = built.get(key);
      if (found) return found;
      const v = { hpas: [] as K8sHpa[], scaledObjects: [] as K8sScaledObject[] };
      built.set(key, v);
      return v;
    };
    for (const h of facts.hpas) slot(h).hpas.push(h);
    for (const s of facts.scaledObjects) slot(s).scaledObjects.push(s);
    index = built;
    scalerIndex.set(facts, index);
  }
  return index.get(scalerKey(w.namespace, w.kind, w.name)) ?? { hpas: [], scaledObjects: [] };
}

/** Long-running workloads whose main container is the app (the API or a worker), once each. */
export function appWorkloads(facts: K8sFacts, roles: Record<string, string>): ContainerRef[] {
  return containerRefs(facts, roles).filter(
    (r) => r.main && !r.oneShot && (r.role.role === 'app' || r.role.role === 'worker' || r.worker),
  );
}

/** The replica count a workload runs with when nothing scales it: `spec.replicas`, else 1. */
export function fixedReplicas(w: K8sWorkload): number | null {
  return w.replicas ? w.replicas.value : 1;
}

const policyIndex = new WeakMap<
  K8sFacts,
  { byLabel: Map<string, K8sNetworkPolicy[]>; rest: K8sNetworkPolicy[]; order: Map<K8sNetworkPolicy, number> }
>();

/**
 * The NetworkPolicies that select a workload's pods, in manifest order. Policies are indexed once by
 * one of their matchLabels pairs (and namespace), so each workload tests only the policies that can
 * match it plus those without matchLabels: linear in objects for the usual one policy per app.
 */
export function policiesSelecting(facts: K8sFacts, w: K8sWorkload): K8sNetworkPolicy[] {
  let index = policyIndex.get(facts);
  if (!index) {
    const byLabel = new Map<string, K8sNetworkPolicy[]>();
    const rest: K8sNetworkPolicy[] = [];
    for (const p of facts.networkPolicies) {
      const first = Object.entries(p.podSelector.matchLabels)[0];
      if (!first) {
        rest.push(p);
        continue;
      }
      const key = `${p.namespace ?? ''}\0${first[0]}\0${first[1]}`;
      const list = byLabel.get(key);
      if (list) list.push(p);
      else byLabel.set(key, [p]);
    }
    index = { byLabel, rest, order: new Map(facts.networkPolicies.map((p, i) => [p, i])) };
    policyIndex.set(facts, index);
  }
  const candidates = new Set(index.rest);
  for (const [k, v] of Object.entries(w.podLabels)) {
    for (const p of index.byLabel.get(`${w.namespace ?? ''}\0${k}\0${v}`) ?? []) candidates.add(p);
  }
  const order = index.order;
  return [...candidates]
    .filter((p) => sameNamespace(p, w) && selects(p.podSelector, w.podLabels))
    .sort((a, b) => (order.get(a) ?? 0) - (order.get(b) ?? 0));
}

/**
 * The CPU or memory limit the manifests give the long-running containers of a role (`app`: the
 * API, queue workers left out), for the checks that size something by it (uvicorn workers per
 * core, Redis maxmemory). When containers of the role differ, the smallest memory limit is the one
 * that bites; CPU limits that differ give no answer (which container runs the command is unknown).
 */
export function k8sLimitFor(
  input: CheckInput,
  role: string,
  what: 'cpu' | 'memory',
): { value: number; from: string } | undefined {
  if (!input.has('k8s')) return undefined;
  const found = k8sTargets(input).flatMap((facts) =>
    containerRefs(facts, input.roles).flatMap((r) => {
      const limit = r.container.limits[what];
      if (
        r.oneShot ||
        r.role.role !== role ||
        (role === 'app' && r.worker) ||
        typeof limit?.value !== 'number'
      )
        return [];
      return [
        {
          value: limit.value,
          from: `limits.${what} of ${workloadLabel(r.workload)} (${limit.file}:${limit.line})`,
        },
      ];
    }),
  );
  if (found.length === 0) return undefined;
  const values = new Set(found.map((f) => f.value));
  if (what === 'cpu' && values.size > 1) return undefined;
  return found.sort((a, b) => a.value - b.value)[0];
}

/**
 * The most replicas an API workload may run: its autoscaler's maximum (HPA maxReplicas, KEDA
 * maxReplicaCount, default 100), else its fixed `spec.replicas`; with where the figure was read.
 */
export function peakReplicas(facts: K8sFacts, w: K8sWorkload): { count: number; from: string } {
  const { hpas, scaledObjects } = scalersOf(facts, w);
  const hpa = hpas[0];
  if (hpa?.maxReplicas && hpa.maxReplicas.value !== null)
    return {
      count: hpa.maxReplicas.value,
      from: `HPA ${hpa.name} maxReplicas (${hpa.maxReplicas.file}:${hpa.maxReplicas.line})`,
    };
  const keda = scaledObjects[0];
  if (keda)
    return keda.maxReplicas && keda.maxReplicas.value !== null
      ? {
          count: keda.maxReplicas.value,
          from: `ScaledObject ${keda.name} maxReplicaCount (${keda.maxReplicas.file}:${keda.maxReplicas.line})`,
        }
      : { count: 100, from: `ScaledObject ${keda.name} (KEDA's default maxReplicaCount)` };
  const n = fixedReplicas(w) ?? 1;
  return {
    count: n,
    from: w.replicas ? `spec.replicas (${w.replicas.file}:${w.replicas.line})` : 'spec.replicas not set',
  };
}

/** Each container's role and why, for `strisk audit --explain-roles`, as compose services get. */
export function explainK8sRoles(facts: K8sFacts, roles: Record<string, string>): RoleExplanation[] {
  return containerRefs(facts, roles).map((r) => ({
    // The name `roles:` takes: the workload's (`api`), `api/sidecar` for its other containers.
    service: r.name,
    ...(r.role.role ? { role: r.role.role } : {}),
    from: r.role.from,
    reason: roleReason(r.role),
    ...(r.role.file
      ? { file: r.role.file, line: r.role.line }
      : { file: r.container.file, line: r.container.line }),
    ...(r.oneShot ? { oneShot: r.oneShot } : {}),
  }));
}
