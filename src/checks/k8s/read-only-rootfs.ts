import { z } from 'zod';
import { defineCheck } from '../../core/check.js';
import { roleNote } from '../../facts/compose-roles.js';
import { containerRefs, k8sTargets, workloadLabel } from '../../facts/k8s.js';
import { type K8sJudged, k8sOutcome } from '../../facts/k8s-judged.js';

const options = z.object({
  /** The roles judged, as compose/read-only-rootfs. */
  roles: z.array(z.string()).min(1).default(['app', 'worker']),
});

export default defineCheck({
  id: 'k8s/read-only-rootfs',
  title: 'App containers run with a read-only root filesystem',
  failureTitle: 'App containers have a writable root filesystem',
  description:
    'The compose read-only-rootfs item on Kubernetes: `securityContext.readOnlyRootFilesystem: true` keeps the ' +
    'app container from writing into its image layer (lost on restart, unbounded) and an intruder from changing ' +
    'the code it runs; an `emptyDir` mounted at /tmp gives it scratch space. The checklist asks for a read-only root ' +
    'filesystem where possible, and for the stateless API it always is. Judged on the main container of ' +
    'long-running app and worker workloads (option `roles`), roles as for compose services. See ' +
    'https://kubernetes.io/docs/tasks/configure-pod-container/security-context/',
  seedRef: '3.2',
  section: 'Kubernetes',
  severity: 'low',
  kind: 'auto',
  requires: ['k8s'],
  options,
  run(input, o) {
    const items: K8sJudged[] = [];
    for (const facts of k8sTargets(input)) {
      for (const ref of containerRefs(facts, input.roles)) {
        const { workload: w, container: c, role } = ref;
        const judgedRole = ref.worker ? 'worker' : role.role;
        if (!ref.main || ref.oneShot || !judgedRole || !o.roles.includes(judgedRole)) continue;
        const name = workloadLabel(w);
        const ro = c.readOnlyRootFilesystem;
        const base = {
          subject: `${name} container ${c.name}`,
          file: ro?.file ?? c.file,
          line: ro?.line ?? c.line,
          expected: 'true',
        };
        if (ro?.value === true) {
          const tmp = c.volumeMounts.find((m) => m.mountPath === '/tmp');
          items.push({
            name,
            evidence: {
              ...base,
              observed: true,
              status: 'pass',
              note: `${tmp ? 'a volume at /tmp' : 'nothing mounted at /tmp: writes there will fail'}; ${roleNote(role)}`,
            },
          });
        } else {
          items.push({
            name,
            fix: [
              `containers: - name: ${c.name}`,
              '  securityContext: {readOnlyRootFilesystem: true}',
              '  volumeMounts: [{name: tmp, mountPath: /tmp}]  # volumes: [{name: tmp, emptyDir: {}}]',
            ],
            evidence: { ...base, observed: ro ? false : 'not set', status: 'fail', note: roleNote(role) },
          });
        }
      }
    }
    if (items.length === 0)
      return {
        status: 'skip',
        message: `no long-running ${o.roles.join(' or ')} workload in the manifests (name one under roles: in the config)`,
        evidence: [],
      };
    return k8sOutcome(items, {
      passed: 'every app container runs with a read-only root filesystem',
      failed: 'with a writable root filesystem',
      summary:
        'Set securityContext.readOnlyRootFilesystem: true on app containers, with an emptyDir at /tmp.',
    });
  },
});
