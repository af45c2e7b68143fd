// Shared by the http/* checks: the readable http targets.

import type { CheckInput } from '../../core/check.js';
import type { HttpFacts } from './schema.js';

export function httpTargets(input: CheckInput): { target: string; data: HttpFacts }[] {
  return input.source('http').flatMap((t) => (t.data ? [{ target: t.target, data: t.data }] : []));
}
