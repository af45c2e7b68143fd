import { z } from 'zod';
import { defineCheck } from '../../core/check.js';
import { appWorkloads, type ContainerRef, k8sTargets, scalersOf, workloadLabel } from '../../facts/k8s.js';
import { roleNote } from '../../facts/compose-roles.js';
import { judgedAt, type K8sJudged, k8sOutcome, noWorkloads } from '../../facts/k8s-judged.js';

const options = z.object({
  /** The checklist's Phase 2: "HPA on 70% CPU". */
  cpuTarget: z.number().int().min(1).max(100).default(70),
  /** A target this many points away either way is a warning. */
  tolerance: z.number().int().min(0).max(100).default(10),
});
type Options = z.output<typeof options>;

/** KEDA scalers that follow a queue's depth (or a stream's lag), by their trigger type. */
const QUEUE_TRIGGERS =
  /^(redis|redis-streams|redis-cluster|redis-sentinel|redis-cluster-streams|redis-sentinel-streams|rabbitmq|kafka|aws-sqs-queue|azure-queue|azure-servicebus|gcp-pubsub|nats-jetstream|stan|activemq|artemis-queue|ibmmq|postgresql|mysql|mongodb|celery|beanstalkd|solace-event-queue|pulsar|rq)$/;

function apiJudge(ref: ContainerRef, o: Options): K8sJudged {
  const w = ref.workload;
  const name = workloadLabel(w);
  const note = roleNote(ref.role);
  const { hpas, scaledObjects } = scalersOf(ref.facts, w);
  const expected = `an HPA on CPU utilisation ${o.cpuTarget}% (±${o.tolerance})`;
  const fix = [
    'apiVersion: autoscaling/v2',
    'kind: HorizontalPodAutoscaler',
    `spec: {scaleTargetRef: {apiVersion: apps/v1, kind: ${w.kind}, name: ${w.name}}, minReplicas: 3, maxReplicas: 10,`,
    `  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: ${o.cpuTarget}}}}]}`,
  ];
  const cpu = hpas.flatMap((h) =>
    h.metrics
      .filter((m) => (m.type === 'Resource' || m.type === 'ContainerResource') && m.name === 'cpu')
      .map((m) => ({ h, m })),
  );
  const kedaCpu = scaledObjects.flatMap((s) =>
    s.triggers.filter((t) => t.type === 'cpu').map((t) => ({ s, t })),
  );
  const found = cpu[0];
  if (found) {
    const u = found.m.averageUtilization;
    const observed = u == null ? `${found.m.targetType ?? 'no'} target` : `${u}%`;
    const ev = {
      subject: `${name} HorizontalPodAutoscaler ${found.h.name}`,
      file: found.m.file,
      line: found.m.line,
      observed,
      expected,
    };
    if (u == null)
      return {
        name,
        fix,
        evidence: { ...ev, status: 'warn', note: `CPU as an absolute value, not a utilisation; ${note}` },
      };
    if (Math.abs(u - o.cpuTarget) > o.tolerance)
      return {
        name,
        fix,
        evidence: {
          ...ev,
          status: 'warn',
          note: `${u > o.cpuTarget ? 'scales late: little headroom for the spike' : 'scales early: pays for idle replicas'}; ${note}`,
        },
      };
    return { name, evidence: { ...ev, status: 'pass', note } };
  }
  const k = kedaCpu[0];
  if (k) {
    const v = Number(k.t.metadata.value);
    const ev = {
      subject: `${name} ScaledObject ${k.s.name}`,
      file: k.t.file,
      line: k.t.line,
      observed: `cpu ${k.t.metadata.value ?? '?'}%`,
      expected,
    };
    const ok = Number.isFinite(v) && Math.abs(v - o.cpuTarget) <= o.tolerance;
    return ok
      ? { name, evidence: { ...ev, status: 'pass', note } }
      : { name, fix, evidence: { ...ev, status: 'warn', note } };
  }
  const other = hpas[0] ?? scaledObjects[0];
  if (other) {
    const on = hpas[0]
      ? hpas[0].metrics.map((m) => m.name || m.type).join(', ') || 'no metric'
      : scaledObjects[0]?.triggers.map((t) => t.type).join(', ');
    return judgedAt(
      name,
      other,
      {
        observed: `scales on ${on}`,
        expected,
        status: 'warn',
        note: `scaled, but not on CPU; ${note}`,
      },
      fix,
    );
  }
  return judgedAt(
    name,
    w,
    {
      observed: 'no autoscaler',
      expected,
      status: 'fail',
      note,
    },
    fix,
  );
}

function workerJudge(ref: ContainerRef): K8sJudged {
  const w = ref.workload;
  const name = workloadLabel(w);
  const note = `a queue worker; ${roleNote(ref.role)}`;
  const { hpas, scaledObjects } = scalersOf(ref.facts, w);
  const expected = 'scaling on queue depth (a KEDA queue trigger, or an HPA on an External/Object metric)';
  const fix = [
    'apiVersion: keda.sh/v1alpha1',
    'kind: ScaledObject',
    `spec: {scaleTargetRef: {name: ${w.name}}, minReplicaCount: 1, maxReplicaCount: 10,`,
    '  triggers: [{type: redis, metadata: {address: redis:6379, listName: celery, listLength: "20"}}]}',
  ];
  for (const s of scaledObjects) {
    const t = s.triggers.find((x) => QUEUE_TRIGGERS.test(x.type));
    if (t)
      return {
        name,
        evidence: {
          subject: `${name} ScaledObject ${s.name}`,
          file: t.file,
          line: t.line,
          observed: `KEDA trigger ${t.type}`,
          expected,
          status: 'pass',
          note,
        },
      };
  }
  for (const h of hpas) {
    const m = h.metrics.find((x) => x.type === 'External' || x.type === 'Object' || x.type === 'Pods');
    if (m)
      return {
        name,
        evidence: {
          subject: `${name} HorizontalPodAutoscaler ${h.name}`,
          file: m.file,
          line: m.line,
          observed: `${m.type} metric ${m.name}`,
          expected,
          status: 'pass',
          note,
        },
      };
  }
  const other = hpas[0] ?? scaledObjects[0];
  return {
    name,
    fix,
    evidence: {
      subject: name,
      file: other?.file ?? w.file,
      line: other?.line ?? w.line,
      observed: other ? 'scaled on CPU or memory only' : 'no autoscaler',
      expected,
      status: 'warn',
      note: `a worker's load is its queue: CPU lags behind a growing backlog (Phase 3); ${note}`,
    },
  };
}

export default defineCheck({
  id: 'k8s/hpa-cpu-target',
  title: 'The API scales on 70% CPU, and workers on queue depth',
  failureTitle: 'The API does not scale on CPU, or workers do not scale on their queue',
  description:
    "The checklist's Phase 2 scales the API with a HorizontalPodAutoscaler on 70% CPU utilisation: low enough to " +
    'absorb a spike while new pods start, high enough not to pay for idle ones; Phase 3 scales queue workers on the ' +
    "queue's depth (backlog-based scaling), since their CPU says nothing about a growing backlog. The API (a " +
    'long-running app workload that is not a queue consumer) without an autoscaler fails; one that scales on another ' +
    'metric, or on a CPU target more than 10 points from 70%, is a warning (options `cpuTarget`, `tolerance`). A ' +
    'worker (Celery, RQ, Dramatiq, arq, Sidekiq… or `roles: {name: worker}`) passes with a KEDA queue trigger or an ' +
    'HPA on an External/Object/Pods metric, and is a warning otherwise. See ' +
    'https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale-walkthrough/ and https://keda.sh/docs/latest/scalers/',
  seedRef: 'Phase 2',
  severity: 'medium',
  kind: 'auto',
  requires: ['k8s'],
  options,
  run(input, o) {
    const refs = k8sTargets(input).flatMap((f) =>
      appWorkloads(f, input.roles).filter(
        (r) => r.workload.kind === 'Deployment' || r.workload.kind === 'StatefulSet',
      ),
    );
    if (refs.length === 0) return noWorkloads('long-running app Deployment or StatefulSet');
    return k8sOutcome(
      refs.map((r) => (r.worker ? workerJudge(r) : apiJudge(r, o))),
      {
        passed: `the API scales on ${o.cpuTarget}% CPU and workers on their queue`,
        failed: 'without an autoscaler',
        warned: 'to review',
        summary: `Add a HorizontalPodAutoscaler on ${o.cpuTarget}% CPU for the API, and a queue-depth trigger for workers.`,
      },
    );
  },
});
