import { z } from 'zod';
import { defineCheck, type Evidence, type OutcomeStatus } from '../../core/check.js';
import { evidenceStatus, serverSubject, servers, worst } from '../../facts/clickhouse.js';

export default defineCheck({
  id: 'clickhouse/max-concurrent-queries',
  title: 'max_concurrent_queries is within 100–200',
  failureTitle: 'max_concurrent_queries is unlimited or out of range',
  description:
    'The checklist (2.4) asks for "max_concurrent_queries: 100-200". It is a server setting (config.xml), not a ' +
    'session one: current servers show it in `system.server_settings` (23.3+), where 0 means unlimited and is the ' +
    'built-in default (older packages shipped a config.xml with 100). The check fails on 0, warns outside ' +
    '`min`–`max`, and passes inside. Older servers do not expose it to SQL: the check skips unless the option ' +
    '`declared` gives the value from config.xml. ' +
    'See https://clickhouse.com/docs/operations/server-configuration-parameters/settings#max_concurrent_queries',
  seedRef: '2.4',
  severity: 'medium',
  kind: 'auto',
  requires: ['clickhouse'],
  options: z.object({
    min: z.number().int().positive().default(100),
    max: z.number().int().positive().default(200),
    /** The value in config.xml, for servers that cannot report it. */
    declared: z.number().int().min(0).optional(),
  }),
  run(input, options) {
    const evidence: Evidence[] = [];
    const statuses: OutcomeStatus[] = [];
    for (const s of servers(input)) {
      const server = s.data.serverSettings?.max_concurrent_queries;
      const value = server ? Number(server.value) : options.declared;
      const from = server
        ? 'system.server_settings'
        : options.declared !== undefined
          ? 'the option `declared` (config.xml)'
          : null;
      const status: OutcomeStatus =
        value === undefined || Number.isNaN(value)
          ? 'skip'
          : value === 0
            ? 'fail'
            : value < options.min || value > options.max
              ? 'warn'
              : 'pass';
      statuses.push(status);
      evidence.push({
        subject: serverSubject(s),
        observed: value ?? null,
        expected: `${options.min}–${options.max}`,
        unit: 'queries',
        status: evidenceStatus(status),
        note: from
          ? `from ${from}${value === 0 ? '; 0 means unlimited' : ''}`
          : `ClickHouse ${s.data.version} has no system.server_settings (23.3+): set the option \`declared\` to the config.xml value`,
      });
    }
    const status = worst(statuses);
    return {
      status,
      message: {
        pass: 'max_concurrent_queries is within range',
        fail: 'max_concurrent_queries is 0 (unlimited)',
        warn: 'max_concurrent_queries is outside the checklist range',
        skip: 'max_concurrent_queries is not readable on this server',
      }[status],
      evidence,
      ...(status === 'fail' || status === 'warn'
        ? {
            remediation: {
              summary: 'Limit concurrent queries in the server config',
              change:
                '<!-- config.xml (or config.d/limits.xml) -->\n<max_concurrent_queries>150</max_concurrent_queries>',
              applies: 'restart' as const,
            },
          }
        : {}),
    };
  },
});
