import type { Report } from '../core/report.js';

/** Exactly the Report model. */
export function jsonReport(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
}
