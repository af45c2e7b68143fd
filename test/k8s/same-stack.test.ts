// One stack described as compose and as Kubernetes manifests (fixtures/k8s/same-stack): the
// checklist items both can judge get the same verdict, overall and per service, whichever way the
// stack is deployed (issue 17).
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import { collectCompose } from '../../src/collectors/compose/index.js';
import { collectK8s } from '../../src/collectors/k8s/index.js';
import { containerRefs } from '../../src/facts/k8s.js';
import { explainRoles } from '../../src/facts/compose-roles.js';
import type { ComposeFacts } from '../../src/collectors/compose/schema.js';
import type { K8sFacts } from '../../src/collectors/k8s/schema.js';
import { runCheck } from '../../src/core/engine.js';
import type { TargetFacts } from '../../src/core/facts.js';
import type { CheckResult } from '../../src/core/report.js';
import { emptyFacts } from '../support/fixtures.js';

const DIR = resolve(import.meta.dirname, '../../fixtures/k8s/same-stack');
const SERVICES = ['api', 'worker', 'postgres', 'redis'];

/** compose check → its Kubernetes counterpart. */
const PAIRS: [string, string][] = [
  ['compose/healthcheck', 'k8s/probes'],
  ['compose/read-only-rootfs', 'k8s/read-only-rootfs'],
  ['compose/named-volumes', 'k8s/data-volumes'],
  ['compose/network-mode', 'k8s/host-network'],
  ['compose/memory-limit', 'k8s/resource-limits'],
];

const RANK: Record<string, number> = { fail: 3, warn: 2, pass: 1 };
function verdicts(result: CheckResult, subjectOf: (name: string) => RegExp): Record<string, string> {
  return Object.fromEntries(
    SERVICES.map((name) => {
      const judged = result.evidence
        .filter((e) => subjectOf(name).test(e.subject))
        .flatMap((e) =>
          e.status === 'pass' || e.status === 'warn' || e.status === 'fail' ? [e.status] : [],
        );
      const worst = judged.reduce<string>((w, s) => (RANK[s]! > (RANK[w] ?? 0) ? s : w), 'n/a');
      return [name, worst];
    }),
  );
}

describe('the same stack as compose and as manifests', async () => {
  const facts = emptyFacts(DIR);
  const compose = await collectCompose({ projectDir: DIR, env: {} });
  const k8s = await collectK8s({ projectDir: DIR, env: {} });
  facts.sources.compose = compose as TargetFacts[];
  facts.sources.k8s = k8s as TargetFacts[];
  const run = (id: string) => runCheck(CHECKS.find((c) => c.id === id)!, facts);

  it('gives every service the same role', () => {
    const fromCompose = explainRoles(compose[0]!.data as ComposeFacts, {}).map((r) => [r.service, r.role]);
    const fromK8s = containerRefs(k8s[0]!.data as K8sFacts, {}).map((r) => [r.name, r.role.role]);
    expect(fromK8s).toEqual(fromCompose);
  });

  it.each(PAIRS)('%s and %s agree', (composeId, k8sId) => {
    const c = run(composeId);
    const k = run(k8sId);
    const fromCompose = verdicts(c, (n) => new RegExp(`^service ${n}$`));
    const fromK8s = verdicts(k, (n) => new RegExp(`^\\w+ ${n}( container .*)?$`));
    expect({ status: k.status, services: fromK8s }).toEqual({ status: c.status, services: fromCompose });
    // A stack with findings: the agreement is not "everything passes".
    expect(c.status).toBe('fail');
  });
});
