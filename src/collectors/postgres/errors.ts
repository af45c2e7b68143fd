import type { TargetStatus } from '../../core/facts.js';

export interface ClassifiedError {
  status: TargetStatus;
  message: string;
}

/** Maps a pg / socket error to a target status with a message a user can act on. */
export function classifyPgError(err: unknown, label: string): ClassifiedError {
  const e = err as { code?: string; message?: string };
  const msg = e?.message ?? String(err);
  switch (e?.code) {
    case '28P01':
    case '28000':
      return { status: 'auth-failed', message: `authentication failed for ${label}: ${msg}` };
    case '3D000':
      return { status: 'error', message: `${msg} (on ${label})` };
    case '42501':
      return { status: 'forbidden', message: `${msg} (on ${label}); GRANT pg_monitor TO the audit role` };
    case '57014':
      return { status: 'timeout', message: `statement timed out on ${label}: ${msg}` };
    case '57P03':
      return { status: 'unreachable', message: `${label} is not accepting connections: ${msg}` };
    case 'ECONNREFUSED':
    case 'ENOTFOUND':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
    case 'EAI_AGAIN':
    case 'ECONNRESET':
      return { status: 'unreachable', message: `cannot connect to ${label}: ${msg}` };
    case 'ETIMEDOUT':
      // An idle wait or the source deadline (a WaitError), or the socket's own connect timeout.
      return { status: 'timeout', message: `connection to ${label} timed out: ${msg}` };
  }
  if (/timeout|timed out/i.test(msg)) return { status: 'timeout', message: `${label}: ${msg}` };
  if (/terminated unexpectedly|ECONNRESET|socket hang up/i.test(msg)) {
    return { status: 'unreachable', message: `connection to ${label} was closed: ${msg}` };
  }
  return { status: 'error', message: `${label}: ${msg}` };
}
