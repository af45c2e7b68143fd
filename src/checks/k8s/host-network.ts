import { z } from 'zod';
import { defineCheck } from '../../core/check.js';
import { k8sTargets, workloadLabel } from '../../facts/k8s.js';
import { type K8sJudged, k8sOutcome, noWorkloads } from '../../facts/k8s-judged.js';

export default defineCheck({
  id: 'k8s/host-network',
  title: 'No workload uses the host network',
  failureTitle: 'Workloads use the host network',
  description:
    "The compose network-mode item on Kubernetes: `hostNetwork: true` puts a pod straight on its node's network: " +
    'every port it opens is exposed on the node, pods clash on ports, and NetworkPolicies no longer isolate it. The ' +
    'checklist asks for bridge (pod) networking, not host. Node agents that must see the host network (a CNI, ' +
    'kube-proxy) are the exception: waive them by name. See ' +
    'https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline',
  seedRef: '3.3',
  section: 'Kubernetes',
  severity: 'medium',
  kind: 'auto',
  requires: ['k8s'],
  options: z.object({}),
  run(input) {
    const items: K8sJudged[] = k8sTargets(input).flatMap((facts) =>
      facts.workloads.map((w): K8sJudged => {
        const name = workloadLabel(w);
        const on = w.hostNetwork?.value === true;
        return {
          name,
          ...(on
            ? { fix: ['spec: {template: {spec: {hostNetwork: false}}}  # and a Service for its ports'] }
            : {}),
          evidence: {
            subject: name,
            file: w.hostNetwork?.file ?? w.file,
            line: w.hostNetwork?.line ?? w.line,
            observed: on
              ? 'hostNetwork: true'
              : w.hostNetwork
                ? 'hostNetwork: false'
                : 'pod network (default)',
            expected: 'the pod network',
            status: on ? 'fail' : 'pass',
          },
        };
      }),
    );
    if (items.length === 0) return noWorkloads('workloads');
    return k8sOutcome(items, {
      passed: `all ${items.length} workloads use the pod network`,
      failed: 'on the host network',
      summary: 'Run workloads on the pod network (hostNetwork: false) and expose ports through a Service.',
    });
  },
});
