import { z } from 'zod';
import { defineCheck } from '../../core/check.js';
import { roleNote } from '../../facts/compose-roles.js';
import { containerRefs, k8sTargets, workloadLabel } from '../../facts/k8s.js';
import { type K8sJudged, k8sOutcome, noWorkloads } from '../../facts/k8s-judged.js';

const options = z.object({});

export default defineCheck({
  id: 'k8s/probes',
  title: 'Every long-running container has readiness and liveness probes',
  failureTitle: 'Long-running containers lack readiness or liveness probes',
  description:
    'The compose healthcheck item on Kubernetes: a readiness probe keeps a pod out of its Service until it can ' +
    'answer (a database still recovering, an API still loading), and a liveness probe restarts a hung one. The ' +
    "checklist asks for healthchecks every 10 s, which is the probes' default `periodSeconds`. The main container " +
    'of every long-running workload needs both; one of the two is a warning, none fails. Jobs, CronJobs and Pods ' +
    'that do not restart run once and are not judged, as one-shot compose services are not. See ' +
    'https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/',
  seedRef: '3.2',
  section: 'Kubernetes',
  severity: 'medium',
  kind: 'auto',
  requires: ['k8s'],
  options,
  run(input) {
    const items: K8sJudged[] = [];
    for (const facts of k8sTargets(input)) {
      for (const ref of containerRefs(facts, input.roles)) {
        const { workload: w, container: c } = ref;
        if (!ref.main) continue;
        const name = workloadLabel(w);
        const subject = `${name} container ${c.name}`;
        const note = roleNote(ref.role);
        if (ref.oneShot) {
          items.push({
            name,
            evidence: {
              subject,
              file: w.file,
              line: w.line,
              status: 'info',
              note: `one-shot (${ref.oneShot}): not judged`,
            },
          });
          continue;
        }
        const have = [c.readinessProbe && 'readiness', c.livenessProbe && 'liveness'].filter(
          Boolean,
        ) as string[];
        const probe = c.readinessProbe ?? c.livenessProbe;
        const fix = [
          `containers: - name: ${c.name}`,
          '  readinessProbe: {httpGet: {path: /health, port: 8000}, periodSeconds: 10}  # or exec/tcpSocket for a database',
          '  livenessProbe: {httpGet: {path: /health, port: 8000}, periodSeconds: 10, failureThreshold: 3}',
        ];
        const expected = 'readiness and liveness probes';
        if (have.length === 2 && probe) {
          items.push({
            name,
            evidence: {
              subject,
              file: probe.file,
              line: probe.line,
              observed: `${probe.kind} ${probe.text}`,
              expected,
              status: 'pass',
              note,
            },
          });
        } else if (probe) {
          items.push({
            name,
            fix,
            evidence: {
              subject,
              file: probe.file,
              line: probe.line,
              observed: `${have[0]} only`,
              expected,
              status: 'warn',
              note: `${have[0] === 'readiness' ? 'a hung container is never restarted' : 'traffic reaches the pod before it is ready'}; ${note}`,
            },
          });
        } else {
          items.push({
            name,
            fix,
            evidence: {
              subject,
              file: c.file,
              line: c.line,
              observed: 'no probe',
              expected,
              status: 'fail',
              note,
            },
          });
        }
      }
    }
    if (items.length === 0) return noWorkloads('workloads');
    return k8sOutcome(items, {
      passed: 'every long-running container has readiness and liveness probes',
      failed: 'without probes',
      warned: 'with one probe of two',
      summary: 'Give the main container of every long-running workload a readiness and a liveness probe.',
    });
  },
});
