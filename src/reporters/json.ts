import type { Report } from '../core/report.js';
import { jsonText } from './escape.js';

/** Exactly the Report model (controls in its strings as `\u` escapes). */
export function jsonReport(report: Report): string {
  return `${jsonText(report)}\n`;
}
