// Kubernetes objects from located YAML: the kinds strisk judges, normalised into facts. Pure; a
// malformed object (a map where a list belongs, a replica count that is not a number) is an
// InputError at its file:line.
import { InputError } from '../../core/errors.js';
import type { LEntry, LMap, LNode, LSeq } from '../compose/yaml-located.js';
import { parseQuantity } from './quantity.js';
import {
  type K8sContainer,
  type K8sFacts,
  type K8sHandler,
  type K8sHpa,
  type K8sWorkload,
  type LabelSelector,
  WORKLOAD_KINDS,
} from './schema.js';

type Collected = Omit<K8sFacts, 'files' | 'skipped'>;

export function emptyCollected(): Collected {
  return {
    objects: [],
    workloads: [],
    hpas: [],
    scaledObjects: [],
    pdbs: [],
    networkPolicies: [],
    services: [],
    pvcs: [],
  };
}

const fail = (message: string, at: { file: string; line: number }): never => {
  throw new InputError(message, at.file, at.line);
};

function entry(map: LMap, key: string): LEntry | undefined {
  const e = map.entries.get(key);
  // `key:` with nothing after it (a Helm value left empty) is the same as no key.
  if (e && e.value.kind === 'scalar' && e.value.value === null) return undefined;
  return e;
}

function mapAt(map: LMap, key: string, what: string): LMap | undefined {
  const e = entry(map, key);
  if (!e) return undefined;
  if (e.value.kind !== 'map')
    fail(`\`${what}\` expects a map, found a ${e.value.kind === 'seq' ? 'list' : 'scalar'}`, e);
  return e.value as LMap;
}

function seqAt(map: LMap, key: string, what: string): LSeq | undefined {
  const e = entry(map, key);
  if (!e) return undefined;
  if (e.value.kind !== 'seq')
    fail(`\`${what}\` expects a list, found a ${e.value.kind === 'map' ? 'map' : 'scalar'}`, e);
  return e.value as LSeq;
}

function mapsOf(seq: LSeq | undefined, what: string): LMap[] {
  return (seq?.items ?? []).map((n) =>
    n.kind === 'map' ? n : fail(`each item of \`${what}\` expects a map`, n),
  );
}

function scalarText(node: LNode): string | undefined {
  return node.kind === 'scalar' && node.value !== null ? String(node.value) : undefined;
}

function strAt(map: LMap, key: string): string | undefined {
  const e = entry(map, key);
  return e ? scalarText(e.value) : undefined;
}

function locStr(map: LMap, key: string) {
  const e = entry(map, key);
  const v = e ? scalarText(e.value) : undefined;
  return e && v !== undefined ? { value: v, file: e.file, line: e.line } : undefined;
}

/** An integer field (`replicas`, `maxReplicas`): a number, or an InputError at its line. */
function intAt(map: LMap, key: string, what: string) {
  const e = entry(map, key);
  if (!e) return undefined;
  const v = e.value.kind === 'scalar' ? e.value.value : undefined;
  if (typeof v === 'number' && Number.isInteger(v)) return { value: v, file: e.file, line: e.line };
  // An unrendered template (`replicas: {{ .Values.replicas }}`) reads as a map or a string here.
  return fail(`\`${what}\` expects an integer, found ${describe(e.value)}`, e);
}

function boolAt(map: LMap, key: string, what: string) {
  const e = entry(map, key);
  if (!e) return undefined;
  const v = e.value.kind === 'scalar' ? e.value.value : undefined;
  if (typeof v === 'boolean') return { value: v, file: e.file, line: e.line };
  return fail(`\`${what}\` expects true or false, found ${describe(e.value)}`, e);
}

function describe(n: LNode): string {
  if (n.kind === 'scalar') return JSON.stringify(n.value);
  return n.kind === 'map' ? 'a map' : 'a list';
}

function quantityAt(map: LMap | undefined, key: string, memory: boolean) {
  if (!map) return undefined;
  const e = entry(map, key);
  if (!e) return undefined;
  const raw = scalarText(e.value);
  const q =
    raw === undefined
      ? null
      : parseQuantity(e.value.kind === 'scalar' && typeof e.value.value === 'number' ? e.value.value : raw);
  const value = q === null ? null : memory ? Math.round(q) : q;
  return { value, file: e.file, line: e.line, raw: raw ?? describe(e.value) };
}

function stringList(map: LMap, key: string, what: string) {
  const e = entry(map, key);
  if (!e) return undefined;
  if (e.value.kind !== 'seq') return fail(`\`${what}\` expects a list of strings`, e);
  const value = e.value.items.map((n) => scalarText(n) ?? fail(`\`${what}\` expects a list of strings`, n));
  return { value, file: e.file, line: e.line };
}

function labels(map: LMap | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, e] of map?.entries ?? []) {
    const v = scalarText(e.value);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function selectorOf(map: LMap | undefined, what: string): LabelSelector {
  if (!map) return { matchLabels: {}, matchExpressions: [] };
  const matchExpressions = mapsOf(
    seqAt(map, 'matchExpressions', `${what}.matchExpressions`),
    `${what}.matchExpressions`,
  ).map((m) => ({
    key: strAt(m, 'key') ?? fail(`\`${what}.matchExpressions\` expects a key`, m),
    operator: strAt(m, 'operator') ?? 'In',
    values: stringList(m, 'values', `${what}.matchExpressions.values`)?.value ?? [],
  }));
  return { matchLabels: labels(mapAt(map, 'matchLabels', `${what}.matchLabels`)), matchExpressions };
}

function handler(map: LMap | undefined, key: string, what: string): K8sHandler | undefined {
  const e = map ? entry(map, key) : undefined;
  if (!e) return undefined;
  if (e.value.kind !== 'map') return fail(`\`${what}\` expects a map`, e);
  const h = e.value;
  const at = { file: e.file, line: e.line };
  const exec = mapAt(h, 'exec', `${what}.exec`);
  if (exec)
    return {
      ...at,
      kind: 'exec',
      text: (stringList(exec, 'command', `${what}.exec.command`)?.value ?? []).join(' '),
    };
  const http = mapAt(h, 'httpGet', `${what}.httpGet`);
  if (http)
    return {
      ...at,
      kind: 'httpGet',
      text: `${strAt(http, 'path') ?? '/'} port ${strAt(http, 'port') ?? '?'}`,
    };
  const tcp = mapAt(h, 'tcpSocket', `${what}.tcpSocket`);
  if (tcp) return { ...at, kind: 'tcpSocket', text: `port ${strAt(tcp, 'port') ?? '?'}` };
  const grpc = mapAt(h, 'grpc', `${what}.grpc`);
  if (grpc) return { ...at, kind: 'grpc', text: `port ${strAt(grpc, 'port') ?? '?'}` };
  const sleep = mapAt(h, 'sleep', `${what}.sleep`);
  if (sleep) return { ...at, kind: 'sleep', text: `sleep ${strAt(sleep, 'seconds') ?? '?'}` };
  return { ...at, kind: 'other', text: [...h.entries.keys()].join(', ') };
}

function container(m: LMap, what: string): K8sContainer {
  const name = strAt(m, 'name') ?? fail(`a container in \`${what}\` has no name`, m);
  const w = `${what}[${name}]`;
  const env: K8sContainer['env'] = {};
  for (const e of mapsOf(seqAt(m, 'env', `${w}.env`), `${w}.env`)) {
    const key = strAt(e, 'name');
    if (!key) continue;
    const v = entry(e, 'value');
    env[key] = {
      value: v ? (scalarText(v.value) ?? '') : null,
      file: v?.file ?? e.file,
      line: v?.line ?? e.line,
    };
  }
  const resources = mapAt(m, 'resources', `${w}.resources`);
  const requests = resources ? mapAt(resources, 'requests', `${w}.resources.requests`) : undefined;
  const limits = resources ? mapAt(resources, 'limits', `${w}.resources.limits`) : undefined;
  const lifecycle = mapAt(m, 'lifecycle', `${w}.lifecycle`);
  const security = mapAt(m, 'securityContext', `${w}.securityContext`);
  return {
    name,
    file: m.file,
    line: m.line,
    image: locStr(m, 'image'),
    command: stringList(m, 'command', `${w}.command`),
    args: stringList(m, 'args', `${w}.args`),
    ports: mapsOf(seqAt(m, 'ports', `${w}.ports`), `${w}.ports`).map((p) => {
      const port = entry(p, 'containerPort');
      const v = port?.value.kind === 'scalar' ? port.value.value : null;
      const name = strAt(p, 'name');
      return {
        container: typeof v === 'number' && Number.isInteger(v) ? v : null,
        ...(name ? { name } : {}),
        file: port?.file ?? p.file,
        line: port?.line ?? p.line,
      };
    }),
    env,
    requests: { cpu: quantityAt(requests, 'cpu', false), memory: quantityAt(requests, 'memory', true) },
    limits: { cpu: quantityAt(limits, 'cpu', false), memory: quantityAt(limits, 'memory', true) },
    readinessProbe: handler(m, 'readinessProbe', `${w}.readinessProbe`),
    livenessProbe: handler(m, 'livenessProbe', `${w}.livenessProbe`),
    startupProbe: handler(m, 'startupProbe', `${w}.startupProbe`),
    preStop: handler(lifecycle, 'preStop', `${w}.lifecycle.preStop`),
    readOnlyRootFilesystem: security
      ? boolAt(security, 'readOnlyRootFilesystem', `${w}.securityContext.readOnlyRootFilesystem`)
      : undefined,
    volumeMounts: mapsOf(seqAt(m, 'volumeMounts', `${w}.volumeMounts`), `${w}.volumeMounts`).map((v) => ({
      name: strAt(v, 'name') ?? '',
      mountPath: strAt(v, 'mountPath') ?? '',
      file: v.file,
      line: v.line,
    })),
  };
}

const VOLUME_TYPES = ['persistentVolumeClaim', 'emptyDir', 'hostPath', 'configMap', 'secret'] as const;

function workload(kind: K8sWorkload['kind'], meta: Meta, obj: LMap): K8sWorkload {
  const spec = mapAt(obj, 'spec', `${kind}.spec`) ?? fail(`${kind} "${meta.name}" has no spec`, obj);
  const replicas =
    kind === 'Deployment' || kind === 'StatefulSet'
      ? intAt(spec, 'replicas', `${kind}.spec.replicas`)
      : undefined;
  let podSpec: LMap;
  let podLabels: Record<string, string>;
  let where = `${kind}.spec`;
  if (kind === 'Pod') {
    podSpec = spec;
    podLabels = meta.labels;
  } else {
    let outer = spec;
    if (kind === 'CronJob') {
      const jobTemplate =
        mapAt(spec, 'jobTemplate', 'CronJob.spec.jobTemplate') ??
        fail(`CronJob "${meta.name}" has no spec.jobTemplate`, spec);
      outer =
        mapAt(jobTemplate, 'spec', 'CronJob.spec.jobTemplate.spec') ??
        fail(`CronJob "${meta.name}" has no spec.jobTemplate.spec`, jobTemplate);
      where = 'CronJob.spec.jobTemplate.spec';
    }
    const template =
      mapAt(outer, 'template', `${where}.template`) ??
      fail(`${kind} "${meta.name}" has no ${where}.template`, outer);
    where = `${where}.template.spec`;
    podSpec = mapAt(template, 'spec', where) ?? fail(`${kind} "${meta.name}" has no ${where}`, template);
    const tmeta = mapAt(template, 'metadata', `${where}.metadata`);
    podLabels = labels(tmeta ? mapAt(tmeta, 'labels', 'template.metadata.labels') : undefined);
  }
  const containersSeq =
    seqAt(podSpec, 'containers', `${where}.containers`) ??
    fail(`${kind} "${meta.name}" has no ${where}.containers`, podSpec);
  return {
    kind,
    name: meta.name,
    namespace: meta.namespace,
    file: meta.file,
    line: meta.line,
    replicas,
    podLabels,
    hostNetwork: boolAt(podSpec, 'hostNetwork', `${where}.hostNetwork`),
    terminationGracePeriodSeconds: intAt(
      podSpec,
      'terminationGracePeriodSeconds',
      `${where}.terminationGracePeriodSeconds`,
    ),
    restartPolicy: locStr(podSpec, 'restartPolicy'),
    containers: mapsOf(containersSeq, `${where}.containers`).map((c) => container(c, `${where}.containers`)),
    initContainers: mapsOf(
      seqAt(podSpec, 'initContainers', `${where}.initContainers`),
      `${where}.initContainers`,
    ).map((c) => container(c, `${where}.initContainers`)),
    volumes: mapsOf(seqAt(podSpec, 'volumes', `${where}.volumes`), `${where}.volumes`).map((v) => {
      const type = VOLUME_TYPES.find((t) => v.entries.has(t)) ?? 'other';
      const pvc =
        type === 'persistentVolumeClaim'
          ? mapAt(v, 'persistentVolumeClaim', 'volumes.persistentVolumeClaim')
          : undefined;
      return {
        name: strAt(v, 'name') ?? '',
        type,
        ...(pvc && strAt(pvc, 'claimName') ? { claimName: strAt(pvc, 'claimName') } : {}),
        file: v.file,
        line: v.line,
      };
    }),
    volumeClaimTemplates:
      kind === 'StatefulSet'
        ? mapsOf(
            seqAt(spec, 'volumeClaimTemplates', 'StatefulSet.spec.volumeClaimTemplates'),
            'volumeClaimTemplates',
          ).map((t) => {
            const m = mapAt(t, 'metadata', 'volumeClaimTemplates.metadata');
            return { name: (m && strAt(m, 'name')) ?? '', file: t.file, line: t.line };
          })
        : [],
  };
}

function targetRef(spec: LMap, key: string, what: string) {
  const ref = mapAt(spec, key, `${what}.spec.${key}`) ?? fail(`${what} has no spec.${key}`, spec);
  return {
    kind: strAt(ref, 'kind') ?? 'Deployment',
    name: strAt(ref, 'name') ?? fail(`${what} spec.${key} has no name`, ref),
  };
}

function hpa(meta: Meta, apiVersion: string, obj: LMap): K8sHpa {
  const spec =
    mapAt(obj, 'spec', 'HorizontalPodAutoscaler.spec') ??
    fail(`HorizontalPodAutoscaler "${meta.name}" has no spec`, obj);
  const metrics: K8sHpa['metrics'] = [];
  for (const m of mapsOf(seqAt(spec, 'metrics', 'HorizontalPodAutoscaler.spec.metrics'), 'metrics')) {
    const type = strAt(m, 'type') ?? 'Resource';
    const body = mapAt(m, type.charAt(0).toLowerCase() + type.slice(1), `metrics.${type}`);
    if (!body) continue;
    const metric = mapAt(body, 'metric', 'metrics.metric');
    const name = strAt(body, 'name') ?? (metric && strAt(metric, 'name')) ?? '';
    const target = mapAt(body, 'target', 'metrics.target');
    // autoscaling/v2beta1 and v1-style fields: targetAverageUtilization on the metric itself.
    const util = target ? entry(target, 'averageUtilization') : entry(body, 'targetAverageUtilization');
    const u = util?.value.kind === 'scalar' ? util.value.value : undefined;
    metrics.push({
      type,
      name,
      targetType: target ? strAt(target, 'type') : util ? 'Utilization' : undefined,
      averageUtilization: util ? (typeof u === 'number' ? u : null) : undefined,
      file: util?.file ?? m.file,
      line: util?.line ?? m.line,
    });
  }
  // autoscaling/v1: one CPU target at the top of the spec.
  const v1 = entry(spec, 'targetCPUUtilizationPercentage');
  if (v1) {
    const u = v1.value.kind === 'scalar' ? v1.value.value : undefined;
    metrics.push({
      type: 'Resource',
      name: 'cpu',
      targetType: 'Utilization',
      averageUtilization: typeof u === 'number' ? u : null,
      file: v1.file,
      line: v1.line,
    });
  }
  return {
    name: meta.name,
    namespace: meta.namespace,
    file: meta.file,
    line: meta.line,
    apiVersion,
    target: targetRef(spec, 'scaleTargetRef', `HorizontalPodAutoscaler "${meta.name}"`),
    minReplicas: intAt(spec, 'minReplicas', 'HorizontalPodAutoscaler.spec.minReplicas'),
    maxReplicas: intAt(spec, 'maxReplicas', 'HorizontalPodAutoscaler.spec.maxReplicas'),
    metrics,
  };
}

interface Meta {
  name: string;
  namespace?: string;
  labels: Record<string, string>;
  file: string;
  line: number;
}

/** Adds one object (a List's items each) to `out`. */
export function addObject(obj: LMap, out: Collected): void {
  const kind = strAt(obj, 'kind');
  const apiVersion = strAt(obj, 'apiVersion');
  if (!kind || !apiVersion) {
    fail(
      `a Kubernetes object needs both apiVersion and kind; this one has ${kind ? `kind ${kind} and no apiVersion` : apiVersion ? `apiVersion ${apiVersion} and no kind` : 'neither'}`,
      obj,
    );
  }
  const k = kind as string;
  if (k === 'List' || k.endsWith('List')) {
    for (const item of mapsOf(seqAt(obj, 'items', `${k}.items`), `${k}.items`)) addObject(item, out);
    return;
  }
  const metadata = mapAt(obj, 'metadata', `${k}.metadata`);
  const name = (metadata && strAt(metadata, 'name')) ?? (metadata && strAt(metadata, 'generateName'));
  const known = (WORKLOAD_KINDS as readonly string[]).includes(k) || KNOWN.has(k);
  if (!name && known) fail(`${k} without metadata.name`, obj);
  const meta: Meta = {
    name: name ?? '',
    namespace: (metadata && strAt(metadata, 'namespace')) || undefined,
    labels: labels(metadata ? mapAt(metadata, 'labels', 'metadata.labels') : undefined),
    file: obj.file,
    line: obj.line,
  };
  const base = {
    name: meta.name,
    ...(meta.namespace ? { namespace: meta.namespace } : {}),
    file: meta.file,
    line: meta.line,
  };
  out.objects.push({ apiVersion: apiVersion as string, kind: k, ...base });
  if ((WORKLOAD_KINDS as readonly string[]).includes(k)) {
    out.workloads.push(workload(k as K8sWorkload['kind'], meta, obj));
    return;
  }
  const spec = () => mapAt(obj, 'spec', `${k}.spec`) ?? fail(`${k} "${meta.name}" has no spec`, obj);
  switch (k) {
    case 'HorizontalPodAutoscaler':
      out.hpas.push(hpa(meta, apiVersion as string, obj));
      return;
    case 'ScaledObject': {
      if (!apiVersion?.startsWith('keda.sh/')) return;
      const s = spec();
      out.scaledObjects.push({
        ...base,
        target: targetRef(s, 'scaleTargetRef', `ScaledObject "${meta.name}"`),
        minReplicas: intAt(s, 'minReplicaCount', 'ScaledObject.spec.minReplicaCount'),
        maxReplicas: intAt(s, 'maxReplicaCount', 'ScaledObject.spec.maxReplicaCount'),
        triggers: mapsOf(seqAt(s, 'triggers', 'ScaledObject.spec.triggers'), 'triggers').map((t) => ({
          type: strAt(t, 'type') ?? '',
          metadata: labels(mapAt(t, 'metadata', 'triggers.metadata')),
          file: t.file,
          line: t.line,
        })),
      });
      return;
    }
    case 'PodDisruptionBudget':
      out.pdbs.push({
        ...base,
        selector: selectorOf(mapAt(spec(), 'selector', 'PodDisruptionBudget.spec.selector'), 'selector'),
      });
      return;
    case 'NetworkPolicy': {
      const s = spec();
      out.networkPolicies.push({
        ...base,
        podSelector: selectorOf(mapAt(s, 'podSelector', 'NetworkPolicy.spec.podSelector'), 'podSelector'),
        policyTypes: stringList(s, 'policyTypes', 'NetworkPolicy.spec.policyTypes')?.value ?? [],
        ingressRules: seqAt(s, 'ingress', 'NetworkPolicy.spec.ingress')?.items.length ?? 0,
        egressRules: seqAt(s, 'egress', 'NetworkPolicy.spec.egress')?.items.length ?? 0,
      });
      return;
    }
    case 'Service': {
      const s = mapAt(obj, 'spec', 'Service.spec');
      const sel = s ? mapAt(s, 'selector', 'Service.spec.selector') : undefined;
      // The pod ports it sends to: `targetPort` (a number or a container port's name), else `port`.
      const targetPorts = (
        s ? mapsOf(seqAt(s, 'ports', 'Service.spec.ports'), 'Service.spec.ports') : []
      ).flatMap((p) => {
        const t = entry(p, 'targetPort') ?? entry(p, 'port');
        const v = t?.value.kind === 'scalar' ? t.value.value : undefined;
        return typeof v === 'number' || (typeof v === 'string' && v !== '') ? [v] : [];
      });
      out.services.push({
        ...base,
        ...(sel ? { selector: { matchLabels: labels(sel), matchExpressions: [] } } : {}),
        ...(targetPorts.length > 0 ? { targetPorts } : {}),
      });
      return;
    }
    case 'PersistentVolumeClaim':
      out.pvcs.push(base);
      return;
    default:
  }
}

const KNOWN = new Set([
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
  'NetworkPolicy',
  'Service',
  'PersistentVolumeClaim',
]);
