import { ROADMAP } from '../core/catalogue.js';
import type { Evidence } from '../core/check.js';
import type { CheckResult, Report, ReportEvidence } from '../core/report.js';
import { FINGERPRINT_KEY, findingsOf } from '../policy/findings.js';
import { HOMEPAGE } from '../version.js';
import { existsSync } from 'node:fs';
import { checkPageUrl, installedCheckPage } from './check-page.js';
import { evidenceSummary, jsonText, terminalSafe, textSafe } from './escape.js';
import { locationOf } from './locations.js';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** GitHub code scanning rejects a run with more results than this (docs: "SARIF results exceed limit"). */
export const MAX_RESULTS = 25_000;

/** What a rule's help is made of: the check's description (with its link to the authoritative docs). */
export interface RuleHelp {
  id: string;
  description: string;
}

const catalogueRule = new Map(ROADMAP.map((e) => [e.id, e.rule]));

const hasPage = (id: string): boolean => existsSync(installedCheckPage(id));

function rule(r: CheckResult, help: ReadonlyMap<string, string>) {
  const description = help.get(r.id) ?? catalogueRule.get(r.id) ?? r.title;
  // Every check's description ends with the authoritative page it follows; that is its help.
  const docs = /https?:\/\/[^\s)`'"<>]+[^\s)`'".,;:<>]/.exec(description)?.[0];
  const explain = `Run \`strisk explain ${r.id}\` for its options and thresholds.`;
  return {
    id: r.id,
    name: r.id.replace(/[/-](\w)/g, (_m, c: string) => c.toUpperCase()),
    shortDescription: { text: terminalSafe(r.title) },
    fullDescription: { text: textSafe(description) },
    // The check's page (docs/checks, shipped with strisk) for built-ins; a plugin's own docs link.
    helpUri: hasPage(r.id) ? checkPageUrl(r.id) : (docs ?? HOMEPAGE),
    help: {
      text: textSafe(`${description}\n\n${explain}`),
      markdown: textSafe(`${description}\n\n${explain}`),
    },
    properties: { seedRef: r.seedRef, section: r.section, kind: r.kind, tags: ['strisk', r.section] },
    defaultConfiguration: { level: r.severity === 'info' || r.severity === 'low' ? 'note' : 'warning' },
  };
}

function suppressionsOf(r: CheckResult, e?: ReportEvidence) {
  const out: { kind: string; status: string; justification: string }[] = [];
  if (r.waiver && r.waiver.state !== 'expired')
    out.push({
      kind: 'external',
      status: 'accepted',
      justification: terminalSafe(`${r.waiver.reason} (owner ${r.waiver.owner}, until ${r.waiver.expires})`),
    });
  if (e?.suppressed)
    out.push({
      kind: 'inSource',
      status: 'accepted',
      justification: terminalSafe(
        `${e.suppressed.reason} (# strisk-ignore at ${e.suppressed.file}:${e.suppressed.line})`,
      ),
    });
  return out;
}

function sarifResult(
  report: Report,
  r: CheckResult,
  ruleIndex: number,
  fingerprint: string,
  e: ReportEvidence | undefined,
) {
  const where = locationOf(report, r, e);
  const evidence: Evidence[] = e ? [e] : [];
  const text = textSafe(
    [
      r.message ?? r.title,
      ...evidence.map(evidenceSummary),
      where.anchored ? `(no file of its own: shown at ${where.file}, where strisk is configured)` : '',
    ]
      .filter(Boolean)
      .join('\n'),
  );
  const suppressions = suppressionsOf(r, e);
  return {
    ruleId: r.id,
    ruleIndex,
    kind: 'fail',
    level: (e?.status ?? r.status) === 'fail' ? 'error' : 'warning',
    message: { text },
    locations: [
      {
        physicalLocation: {
          artifactLocation: where.file.startsWith('/')
            ? { uri: `file://${encodeURI(where.file)}` }
            : { uri: encodeURI(where.file), uriBaseId: '%SRCROOT%' },
          region: { startLine: where.line && where.line > 0 ? where.line : 1 },
        },
        ...(e && !e.file
          ? {
              logicalLocations: [
                {
                  name: terminalSafe(e.subject),
                  fullyQualifiedName: terminalSafe(`${r.id}/${e.subject}`),
                  kind: 'resource',
                },
              ],
            }
          : {}),
      },
    ],
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint },
    ...(suppressions.length > 0 ? { suppressions } : {}),
    properties: {
      severity: r.severity,
      seedRef: r.seedRef,
      ...(r.regression ? { regression: r.regression.map(terminalSafe) } : {}),
    },
  };
}

/**
 * SARIF 2.1.0 as GitHub code scanning accepts it: every check is a rule with its help; every
 * finding of a failing or warning check is a result with exactly one physical location (its own
 * file and line, or the anchor: the config file where an attestation or a live target belongs),
 * a path from the repository root, and its fingerprint as a partial fingerprint. Findings
 * suppressed inline or waived carry a `suppressions` entry.
 */
export function sarifReport(report: Report, defs: readonly RuleHelp[] = []): string {
  const help = new Map(defs.map((d) => [d.id, d.description]));
  const rules = report.results.map((r) => rule(r, help));
  const all = report.results.flatMap((r, i) =>
    findingsOf(r).map((f) =>
      sarifResult(
        report,
        r,
        i,
        f.fingerprint,
        f.evidence === undefined ? undefined : (r.evidence[f.evidence] as ReportEvidence),
      ),
    ),
  );
  const results = all.slice(0, MAX_RESULTS);
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: { name: 'strisk', version: report.tool.version, informationUri: HOMEPAGE, rules },
        },
        invocations: [
          {
            executionSuccessful: report.gate.exitCode !== 3,
            startTimeUtc: report.startedAt,
            exitCode: report.gate.exitCode,
          },
        ],
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'the repository root' } } },
        results,
        properties: {
          score: report.score,
          gate: report.gate,
          ...(all.length > results.length ? { truncated: { results: all.length, kept: MAX_RESULTS } } : {}),
        },
      },
    ],
  };
  return `${jsonText(log)}\n`;
}
