import { z } from 'zod';
import { type CheckInput, defineCheck, type Evidence, type OutcomeStatus } from '../../core/check.js';
import {
  evidenceStatus,
  formatBytes,
  SETTINGS_NOTE,
  type Server,
  serverSubject,
  servers,
  setting,
  worst,
} from '../../facts/clickhouse.js';

/** The smallest memory limit of a running ClickHouse container, when the docker source is given. */
function containerLimit(input: CheckInput): { bytes: number; name: string } | null {
  if (!input.has('docker')) return null;
  const limits = input
    .source('docker')
    .flatMap((t) => t.data?.containers ?? [])
    .filter((c) => /clickhouse/i.test(`${c.image} ${c.name} ${c.service ?? ''}`) && c.memoryLimitBytes)
    .map((c) => ({ bytes: c.memoryLimitBytes!, name: c.name }));
  return limits.sort((a, b) => a.bytes - b.bytes)[0] ?? null;
}

function ramOf(input: CheckInput, s: Server): { bytes: number; from: string } | null {
  const known = [
    { bytes: s.data.host.memoryBytes, from: s.data.host.memoryFrom ?? 'server' },
    { bytes: input.machine.memoryBytes, from: 'machine.memoryBytes in the config' },
  ].filter((m): m is { bytes: number; from: string } => typeof m.bytes === 'number' && m.bytes > 0);
  return known.sort((a, b) => a.bytes - b.bytes)[0] ?? null;
}

export default defineCheck({
  id: 'clickhouse/max-memory-usage',
  title: 'max_memory_usage is set and fits the machine',
  failureTitle: 'max_memory_usage is unlimited or too large for the machine',
  description:
    'The checklist (2.4) asks for "max_memory_usage: 20GB (if 64GB RAM available)", about a third of RAM. It is a ' +
    'per-query limit (the server-wide one is `max_server_memory_usage`, reported beside it). The check fails when ' +
    'it is 0 (unlimited), above `maxFractionOfRam` of the RAM, or at or above the memory limit of the ClickHouse ' +
    'container (the checklist gives ClickHouse a 16 GB container and a 20 GB per-query limit, which the OOM killer ' +
    'reaches first). RAM is the smallest known of what the server reports (OSMemoryTotal, CGroupMemoryTotal), the ' +
    "target's `memory` and `machine.memoryBytes` in the config; without any the check skips. The value is that of " +
    "the audit user's profile. " +
    'See https://clickhouse.com/docs/operations/settings/settings#max_memory_usage',
  seedRef: '2.4',
  severity: 'high',
  kind: 'auto',
  requires: ['clickhouse'],
  optional: ['docker'],
  options: z.object({ maxFractionOfRam: z.number().gt(0).lte(1).default(0.34) }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const statuses: OutcomeStatus[] = [];
    const container = containerLimit(input);
    let suggest: number | null = null;
    for (const s of servers(input)) {
      const v = setting(s, 'max_memory_usage');
      const value = v ? Number(v.value) : Number.NaN;
      const ram = ramOf(input, s);
      const ceiling = ram ? Math.floor(ram.bytes * options.maxFractionOfRam) : null;
      const notes = [SETTINGS_NOTE];
      const serverLimit = s.data.serverSettings?.max_server_memory_usage?.value;
      if (serverLimit !== undefined)
        notes.push(
          `max_server_memory_usage ${serverLimit === '0' ? '0 (ratio of RAM)' : formatBytes(Number(serverLimit))}`,
        );
      if (ram) notes.push(`RAM ${formatBytes(ram.bytes)} from ${ram.from}`);
      if (container) notes.push(`container ${container.name} limit ${formatBytes(container.bytes)}`);
      let status: OutcomeStatus;
      if (Number.isNaN(value)) status = 'skip';
      else if (value === 0) status = 'fail';
      else if (container && value >= container.bytes) status = 'fail';
      else if (ceiling === null) {
        status = container ? 'pass' : 'skip';
        if (!container) notes.push('RAM unknown: set `memory` on the target or machine.memoryBytes');
      } else status = value > ceiling ? 'fail' : 'pass';
      statuses.push(status);
      const limits = [ceiling, container ? container.bytes - 1 : null].filter((n): n is number => n !== null);
      if (limits.length > 0) suggest = Math.min(suggest ?? Number.POSITIVE_INFINITY, ...limits);
      evidence.push({
        subject: serverSubject(s),
        observed: Number.isNaN(value) ? null : value,
        expected:
          ceiling !== null
            ? `set, ≤ ${formatBytes(ceiling)} (${Math.round(options.maxFractionOfRam * 100)}% of RAM)`
            : 'set, below the RAM',
        unit: 'bytes',
        status: evidenceStatus(status),
        note: `${value === 0 ? '0 means unlimited; ' : ''}${notes.join('; ')}`,
      });
    }
    const status = worst(statuses);
    const size = suggest ? Math.floor(suggest / 1024 ** 3) * 1024 ** 3 || suggest : 20 * 1024 ** 3;
    return {
      status,
      message: {
        pass: 'max_memory_usage is set and fits the machine',
        fail: 'max_memory_usage is unlimited or larger than the machine allows',
        warn: '',
        skip: 'max_memory_usage cannot be judged: the setting or the RAM is unknown',
      }[status],
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary: 'Set a per-query memory limit of about a third of the RAM, below the container limit',
              change: `<!-- users.xml, the application's profile -->\n<max_memory_usage>${size}</max_memory_usage>`,
              applies: 'reload' as const,
            },
          }
        : {}),
    };
  },
});
