// The outcome over judged Kubernetes workloads: worst status, the names that fall short, one YAML
// patch listing each fix under its workload. Shared by the k8s/* checks.
import type { CheckOutcome, Evidence } from '../core/check.js';
import { worstStatus } from '../core/status.js';
import { type OutcomeWords, shortfallText } from './common.js';

export interface K8sJudged {
  /** `Deployment api`. */
  name: string;
  evidence: Evidence;
  /** The manifest lines that fix it, shown under `# <name>`. */
  fix?: string[];
}

/** A judged workload whose evidence sits at `at` (a manifest line); `fields` are the rest in order. */
export function judgedAt(
  name: string,
  at: { file?: string; line?: number },
  fields: Omit<Evidence, 'subject' | 'file' | 'line'>,
  fix?: string[],
): K8sJudged {
  return {
    name,
    ...(fix ? { fix } : {}),
    evidence: { subject: name, file: at.file, line: at.line, ...fields },
  };
}

export function k8sOutcome(items: readonly K8sJudged[], words: OutcomeWords): CheckOutcome {
  const evidence = items.map((i) => i.evidence);
  if (!evidence.some((e) => e.status !== 'info'))
    return {
      status: 'skip',
      message: 'nothing to judge: every workload here is a one-shot Job or not the app',
      evidence,
    };
  const status = worstStatus(evidence);
  const fixes = items.filter(
    (i) => i.fix && i.fix.length > 0 && i.evidence.status !== 'pass' && i.evidence.status !== 'info',
  );
  const seen = new Set<string>();
  const change = fixes
    .filter((i) => {
      const key = `${i.name}\0${i.fix?.join('\n')}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((i) => [`# ${i.name}`, ...(i.fix ?? [])].join('\n'))
    .join('\n---\n');
  return {
    status,
    message: status === 'pass' ? words.passed : shortfallText(items, 'workload', words),
    evidence,
    remediation:
      status === 'pass'
        ? undefined
        : { summary: words.summary, ...(change ? { change } : {}), applies: words.applies ?? 'redeploy' },
  };
}

export const noWorkloads = (what: string): CheckOutcome => ({
  status: 'skip',
  message: `the manifests have no ${what}`,
  evidence: [],
});
