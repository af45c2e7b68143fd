// Shared by the http/* checks: the readable http targets.

import type { HttpFacts } from '../collectors/http/schema.js';
import type { CheckInput } from '../core/check.js';

export function httpTargets(input: CheckInput): { target: string; data: HttpFacts }[] {
  return input.source('http').flatMap((t) => (t.data ? [{ target: t.target, data: t.data }] : []));
}
