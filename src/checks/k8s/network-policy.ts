import { z } from 'zod';
import type { K8sFacts, K8sNetworkPolicy } from '../../collectors/k8s/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import { k8sTargets, policiesSelecting, workloadLabel } from '../../facts/k8s.js';
import { type K8sJudged, k8sOutcome, noWorkloads } from '../../facts/k8s-judged.js';

const options = z.object({
  /** Whether a namespace without a default-deny ingress policy fails (else it is a warning). */
  requireDefaultDeny: z.boolean().default(true),
});

/** Ingress is always among a policy's types when it names none; Egress only when it has egress rules. */
function types(p: K8sNetworkPolicy): string[] {
  if (p.policyTypes.length > 0) return p.policyTypes;
  return p.egressRules > 0 ? ['Ingress', 'Egress'] : ['Ingress'];
}

/** A policy that selects every pod and allows no ingress: what is not allowed elsewhere is denied. */
export function isDefaultDeny(p: K8sNetworkPolicy): boolean {
  const all =
    Object.keys(p.podSelector.matchLabels).length === 0 && p.podSelector.matchExpressions.length === 0;
  return all && types(p).includes('Ingress') && p.ingressRules === 0;
}

const nsLabel = (ns: string | undefined) => (ns ? `namespace ${ns}` : 'the release namespace');

function judge(facts: K8sFacts, requireDeny: boolean): K8sJudged[] {
  const items: K8sJudged[] = [];
  const namespaces = [...new Set(facts.workloads.map((w) => w.namespace ?? ''))];
  const denyFix = [
    'apiVersion: networking.k8s.io/v1',
    'kind: NetworkPolicy',
    'metadata: {name: default-deny-ingress}',
    'spec: {podSelector: {}, policyTypes: [Ingress]}',
  ];
  for (const ns of namespaces) {
    const here = facts.networkPolicies.filter((p) => (p.namespace ?? '') === ns);
    const deny = here.find(isDefaultDeny);
    const subject = nsLabel(ns || undefined);
    const ev: Evidence = deny
      ? {
          subject,
          file: deny.file,
          line: deny.line,
          observed: `NetworkPolicy ${deny.name}`,
          expected: 'a default-deny ingress policy',
          status: 'pass',
        }
      : {
          subject,
          file: here[0]?.file ?? facts.workloads.find((w) => (w.namespace ?? '') === ns)?.file,
          line: here[0]?.line ?? facts.workloads.find((w) => (w.namespace ?? '') === ns)?.line,
          observed: here.length > 0 ? `${here.length} policies, none denies by default` : 'no NetworkPolicy',
          expected: 'a default-deny ingress policy',
          status: requireDeny ? 'fail' : 'warn',
          note: 'without one, every pod not selected by a policy accepts traffic from anywhere in the cluster',
        };
    items.push({ name: subject, evidence: ev, ...(deny ? {} : { fix: denyFix }) });
  }
  for (const w of facts.workloads) {
    const name = workloadLabel(w);
    const policies = policiesSelecting(facts, w);
    const own = policies.find((p) => !isDefaultDeny(p)) ?? policies[0];
    items.push({
      name,
      evidence: own
        ? {
            subject: name,
            file: own.file,
            line: own.line,
            observed: `selected by NetworkPolicy ${own.name}`,
            expected: 'selected by a NetworkPolicy',
            status: 'pass',
          }
        : {
            subject: name,
            file: w.file,
            line: w.line,
            observed: 'no NetworkPolicy selects its pods',
            expected: 'selected by a NetworkPolicy',
            status: 'fail',
          },
      ...(own
        ? {}
        : {
            fix: [
              'apiVersion: networking.k8s.io/v1',
              'kind: NetworkPolicy',
              `metadata: {name: ${w.name}}`,
              `spec: {podSelector: {matchLabels: ${JSON.stringify(w.podLabels)}}, policyTypes: [Ingress], ingress: [{from: [...]}]}`,
            ],
          }),
    });
  }
  return items;
}

export default defineCheck({
  id: 'k8s/network-policy',
  title: 'NetworkPolicies select every workload, with a default deny',
  failureTitle: 'Workloads are not covered by a NetworkPolicy',
  description:
    "The checklist's Phase 1 asks for network policies: without them every pod accepts connections from every other " +
    'pod of the cluster, so one compromised or misconfigured service reaches the databases directly. Each namespace ' +
    'with workloads needs a default-deny ingress policy (an empty `podSelector` with `policyTypes: [Ingress]` and no ' +
    'rule; option `requireDefaultDeny`), and every workload must be selected by a policy (matchLabels and ' +
    'matchExpressions are evaluated against its pod template labels). Whether the cluster enforces policies depends ' +
    'on its network plugin, which manifests do not show. See ' +
    'https://kubernetes.io/docs/concepts/services-networking/network-policies/#default-policies',
  seedRef: 'Phase 1',
  severity: 'high',
  kind: 'auto',
  requires: ['k8s'],
  options,
  run(input, o) {
    const facts = k8sTargets(input);
    if (!facts.some((f) => f.workloads.length > 0)) return noWorkloads('workloads');
    return k8sOutcome(
      facts.flatMap((f) => judge(f, o.requireDefaultDeny)),
      {
        passed: 'every workload is selected by a NetworkPolicy and every namespace denies by default',
        failed: 'not covered',
        warned: 'to review',
        summary:
          'Add a default-deny ingress NetworkPolicy per namespace and a policy allowing what each workload needs.',
      },
    );
  },
});
