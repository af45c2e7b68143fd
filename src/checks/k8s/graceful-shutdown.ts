import { z } from 'zod';
import { defineCheck } from '../../core/check.js';
import { commandText, roleNote } from '../../facts/compose-roles.js';
import { appWorkloads, type ContainerRef, k8sTargets, workloadLabel } from '../../facts/k8s.js';
import { judgedAt, type K8sJudged, k8sOutcome, noWorkloads } from '../../facts/k8s-judged.js';

const options = z.object({
  /** The checklist's Phase 3: "graceful shutdown: 30 s drain". */
  minGraceSeconds: z.number().int().min(1).default(30),
});
type Options = z.output<typeof options>;

/** The server's own drain on SIGTERM: uvicorn's and gunicorn's graceful timeouts, hypercorn's. */
const OWN_DRAIN = /--(timeout-graceful-shutdown|graceful-timeout|graceful_timeout)[=\s]+(\d+)/;

function judge(ref: ContainerRef, o: Options): K8sJudged {
  const { workload: w, container: c } = ref;
  const name = workloadLabel(w);
  const note = roleNote(ref.role);
  const graceAt = w.terminationGracePeriodSeconds;
  const grace = graceAt ? graceAt.value : 30;
  const at = graceAt ?? w;
  const expected = `terminationGracePeriodSeconds ≥ ${o.minGraceSeconds}${ref.worker ? '' : ' and a preStop drain'}`;
  const fix = [
    'spec:',
    '  template:',
    '    spec:',
    `      terminationGracePeriodSeconds: ${Math.max(o.minGraceSeconds, grace ?? 0)}`,
    `      containers: - name: ${c.name}`,
    '        lifecycle: {preStop: {sleep: {seconds: 5}}}  # or exec: ["sleep", "5"] before Kubernetes 1.30',
  ];
  const graceText = `${grace ?? '?'} s${graceAt ? '' : ' (default)'}`;
  if (grace === null || grace < o.minGraceSeconds) {
    return judgedAt(
      name,
      at,
      {
        observed: `grace ${graceText}`,
        expected,
        status: 'fail',
        note: `in-flight work is killed after ${grace} s; ${note}`,
      },
      fix,
    );
  }
  if (ref.worker) {
    return judgedAt(name, at, {
      observed: `grace ${graceText}`,
      expected,
      status: 'pass',
      note: `a queue worker: no endpoint to drain; ${note}`,
    });
  }
  if (c.preStop) {
    return judgedAt(name, c.preStop, {
      observed: `grace ${graceText}, preStop ${c.preStop.kind} ${c.preStop.text}`.trim(),
      expected,
      status: 'pass',
      note,
    });
  }
  const own = OWN_DRAIN.exec(commandText(ref.service));
  if (own) {
    const drain = Number(own[2]);
    const ok = drain < grace;
    return {
      name,
      ...(ok ? {} : { fix }),
      evidence: {
        subject: name,
        file: c.file,
        line: c.line,
        observed: `grace ${graceText}, no preStop, the server drains ${drain} s itself (--${own[1]})`,
        expected,
        status: ok ? 'warn' : 'fail',
        note: ok
          ? `the server finishes in-flight requests, but without a preStop pause new ones still arrive while the endpoint is removed; ${note}`
          : `the server's own drain outlasts the grace period; ${note}`,
      },
    };
  }
  return judgedAt(
    name,
    c,
    {
      observed: `grace ${graceText}, no preStop`,
      expected,
      status: 'fail',
      note: `SIGTERM arrives while the Service still routes to the pod: requests in that window fail; ${note}`,
    },
    fix,
  );
}

export default defineCheck({
  id: 'k8s/graceful-shutdown',
  title: 'App pods drain for 30 s before they stop',
  failureTitle: 'App pods are stopped without a graceful drain',
  description:
    "The checklist's Phase 3 asks for a graceful shutdown with a 30 s drain. Kubernetes sends SIGTERM at the same time " +
    'as it removes the pod from its Service, so an API pod without a preStop pause still receives requests it then ' +
    'drops, and any work still running after `terminationGracePeriodSeconds` is killed. Each long-running app workload ' +
    'needs a grace period of at least 30 s (the default is 30; option `minGraceSeconds`); the API also needs a preStop ' +
    'hook on its main container (a `sleep` of a few seconds). An API whose server drains itself (uvicorn ' +
    '`--timeout-graceful-shutdown`, gunicorn `--graceful-timeout`) within the grace period but has no preStop is a ' +
    'warning; queue workers need only the grace period. See ' +
    'https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination and ' +
    'https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/',
  seedRef: 'Phase 3',
  severity: 'medium',
  kind: 'auto',
  requires: ['k8s'],
  options,
  run(input, o) {
    const refs = k8sTargets(input).flatMap((f) =>
      appWorkloads(f, input.roles).filter((r) => r.workload.kind !== 'DaemonSet'),
    );
    if (refs.length === 0) return noWorkloads('long-running app workload');
    return k8sOutcome(
      refs.map((r) => judge(r, o)),
      {
        passed: `all ${refs.length} app workloads drain for ${o.minGraceSeconds} s or more`,
        failed: 'without a graceful drain',
        warned: 'with a drain to review',
        summary: `Give app pods terminationGracePeriodSeconds ≥ ${o.minGraceSeconds} and the API a preStop pause.`,
      },
    );
  },
});
