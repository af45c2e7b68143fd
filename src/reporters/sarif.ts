import type { Evidence } from '../core/check.js';
import type { CheckResult, Report } from '../core/report.js';
import { checkPageUrl } from './check-page.js';
import { evidenceSummary, jsonText, terminalSafe, textSafe } from './escape.js';

const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFO_URI = 'https://github.com/strisk/strisk';

const flagged = (r: CheckResult): Evidence[] => {
  const bad = r.evidence.filter((e) => e.status === 'fail' || e.status === 'warn');
  return bad.length > 0 ? bad : r.evidence;
};

/** A relative path as a URI reference under %SRCROOT%; an absolute one as a file URI. */
function artifact(file: string): { uri: string; uriBaseId?: string } {
  const path = file.replace(/\\/g, '/');
  if (path.startsWith('/')) return { uri: `file://${encodeURI(path)}` };
  return { uri: encodeURI(path.replace(/^\.\//, '')), uriBaseId: '%SRCROOT%' };
}

function sarifResult(r: CheckResult, ruleIndex: number, evidence: Evidence[], file?: Evidence) {
  const text = textSafe([r.message ?? r.title, ...evidence.map(evidenceSummary)].filter(Boolean).join('\n'));
  const location = file
    ? {
        physicalLocation: {
          artifactLocation: artifact(file.file!),
          ...(file.line && file.line > 0 ? { region: { startLine: file.line } } : {}),
        },
      }
    : {
        logicalLocations: evidence.slice(0, 20).map((e) => ({
          name: terminalSafe(e.subject),
          fullyQualifiedName: terminalSafe(`${r.id}/${e.subject}`),
          kind: 'resource',
        })),
      };
  return {
    ruleId: r.id,
    ruleIndex,
    kind: 'fail',
    level: r.status === 'fail' ? 'error' : 'warning',
    message: { text },
    locations: [location],
    ...(r.waiver && r.waiver.state !== 'expired'
      ? {
          suppressions: [
            {
              kind: 'external',
              status: 'accepted',
              justification: terminalSafe(
                `${r.waiver.reason} (owner ${r.waiver.owner}, until ${r.waiver.expires})`,
              ),
            },
          ],
        }
      : {}),
    properties: {
      severity: r.severity,
      seedRef: r.seedRef,
      ...(r.regression ? { regression: r.regression.map(terminalSafe) } : {}),
    },
  };
}

/**
 * SARIF 2.1.0: every check is a rule; each failing or warning one gives results, one per file
 * location (physicalLocation with the line) and one for the live evidence (logicalLocations).
 */
export function sarifReport(report: Report): string {
  const rules = report.results.map((r) => ({
    id: r.id,
    name: r.id.replace(/[/-](\w)/g, (_m, c: string) => c.toUpperCase()),
    shortDescription: { text: terminalSafe(r.title) },
    helpUri: checkPageUrl(r.id),
    properties: { seedRef: r.seedRef, section: r.section, kind: r.kind },
    defaultConfiguration: { level: r.severity === 'info' || r.severity === 'low' ? 'note' : 'warning' },
  }));
  const results = report.results.flatMap((r, i) => {
    if (r.status !== 'fail' && r.status !== 'warn') return [];
    const ev = flagged(r);
    const located = ev.filter((e) => e.file);
    const live = ev.filter((e) => !e.file);
    return [
      ...located.map((e) => sarifResult(r, i, [e], e)),
      ...(live.length > 0 || located.length === 0
        ? [sarifResult(r, i, live.length > 0 ? live : [{ subject: r.id }])]
        : []),
    ];
  });
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'strisk', version: report.tool.version, informationUri: INFO_URI, rules } },
        invocations: [
          {
            executionSuccessful: report.gate.exitCode !== 3,
            startTimeUtc: report.startedAt,
            exitCode: report.gate.exitCode,
          },
        ],
        results,
        properties: { score: report.score, gate: report.gate },
      },
    ],
  };
  return `${jsonText(log)}\n`;
}
