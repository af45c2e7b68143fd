import { z } from 'zod';
import { defineCheck } from '../../core/check.js';
import {
  appWorkloads,
  type ContainerRef,
  fixedReplicas,
  k8sTargets,
  scalersOf,
  workloadLabel,
} from '../../facts/k8s.js';
import { roleNote } from '../../facts/compose-roles.js';
import { judgedAt, type K8sJudged, k8sOutcome, noWorkloads } from '../../facts/k8s-judged.js';

const options = z.object({
  /** The checklist's Phase 2: "HPA: 3–10 replicas". */
  minReplicas: z.number().int().min(1).default(3),
  maxReplicas: z.number().int().min(1).default(10),
});
type Options = z.output<typeof options>;

function judge(ref: ContainerRef, o: Options): K8sJudged {
  const w = ref.workload;
  const name = workloadLabel(w);
  const note = roleNote(ref.role);
  if (ref.worker) {
    return judgedAt(name, w, {
      status: 'info',
      note: `a queue worker: scaled on its queue (k8s/hpa-cpu-target), not judged here; ${note}`,
    });
  }
  const { hpas, scaledObjects } = scalersOf(ref.facts, w);
  const expected = `min ≥ ${o.minReplicas}, max ≥ ${o.maxReplicas}`;
  const fix = [
    'apiVersion: autoscaling/v2',
    'kind: HorizontalPodAutoscaler',
    `spec: {scaleTargetRef: {apiVersion: apps/v1, kind: ${w.kind}, name: ${w.name}}, minReplicas: ${o.minReplicas}, maxReplicas: ${o.maxReplicas}}`,
  ];
  const scaler = hpas[0] ?? scaledObjects[0];
  if (!scaler) {
    const n = fixedReplicas(w);
    const at = w.replicas ?? w;
    const observed = `${n} fixed (${w.replicas ? 'spec.replicas' : 'spec.replicas not set: 1'}), no autoscaler`;
    const status = n !== null && n >= o.minReplicas ? 'warn' : 'fail';
    return judgedAt(
      name,
      at,
      {
        observed,
        expected,
        status,
        note: `${status === 'warn' ? 'enough replicas, but nothing scales them under load' : 'too few replicas to survive a node or a rollout'}; ${note}`,
      },
      fix,
    );
  }
  const kind = hpas[0] ? 'HorizontalPodAutoscaler' : 'ScaledObject';
  // KEDA's minReplicaCount defaults to 0 and its maxReplicaCount to 100; an HPA's min to 1.
  const min = scaler.minReplicas?.value ?? (kind === 'ScaledObject' ? 0 : 1);
  const max = scaler.maxReplicas?.value ?? (kind === 'ScaledObject' ? 100 : null);
  const at = scaler.minReplicas && min < o.minReplicas ? scaler.minReplicas : (scaler.maxReplicas ?? scaler);
  const observed = `${kind} ${scaler.name}: min ${min}${scaler.minReplicas ? '' : ' (default)'}, max ${max ?? 'not set'}`;
  if (max === null || min < o.minReplicas) {
    return judgedAt(name, at, { observed, expected, status: 'fail', note }, fix);
  }
  if (max < o.maxReplicas) {
    return judgedAt(
      name,
      at,
      {
        observed,
        expected,
        status: 'warn',
        note: `little room to scale; ${note}`,
      },
      fix,
    );
  }
  return judgedAt(name, at, {
    observed,
    expected,
    status: 'pass',
    note,
  });
}

export default defineCheck({
  id: 'k8s/replicas',
  title: 'The API runs at least 3 replicas and may scale to 10',
  failureTitle: 'The API runs too few replicas or cannot scale',
  description:
    'One or two replicas do not survive a node drain or a rollout, and a fixed count cannot absorb a peak. The ' +
    "checklist's Phase 2 asks for an HPA with 3–10 replicas on the API. Each long-running API workload (an app, roles " +
    'as for compose services; queue workers are left to k8s/hpa-cpu-target) is judged by the HPA or KEDA ScaledObject ' +
    'that targets it: a minimum below 3 fails, a maximum below 10 is a ' +
    'warning; without one, a fixed `spec.replicas` of 3 or more is a warning and fewer fail. Options `minReplicas`, ' +
    '`maxReplicas`. See https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/',
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
      refs.map((r) => judge(r, o)),
      {
        passed: `the API runs ${o.minReplicas}+ replicas and may scale to ${o.maxReplicas}`,
        failed: 'with too few replicas',
        warned: 'that cannot scale far enough',
        summary: `Scale the app with an HPA from ${o.minReplicas} to ${o.maxReplicas} replicas.`,
      },
    );
  },
});
