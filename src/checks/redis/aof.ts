import { z } from 'zod';
import { configNote, evidenceStatus, redisNodes, worst } from '../../collectors/redis/view.js';
import { defineCheck, type Evidence } from '../../core/check.js';

export default defineCheck({
  id: 'redis/aof',
  title: 'Redis persists writes to an append-only file',
  failureTitle: 'Redis has no append-only file: a restart loses data written since the last snapshot',
  description:
    'The checklist asks for `appendonly yes`. With AOF on, Redis logs every write and replays the log ' +
    'on restart; with the default `appendfsync everysec` at most about one second of writes is lost, ' +
    'against everything since the last RDB snapshot without it. Read with `CONFIG GET appendonly`, or ' +
    "INFO's `aof_enabled` when CONFIG is refused. " +
    'See https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/',
  seedRef: '4.2',
  severity: 'medium',
  kind: 'auto',
  requires: ['redis'],
  options: z.object({}),
  run(input) {
    const evidence: Evidence[] = [];
    const statuses = redisNodes(input.source('redis')).map(({ subject, node }) => {
      const on = node.config.appendonly;
      const status = on === null ? 'skip' : on ? 'pass' : 'fail';
      const notes = [
        configNote(node),
        node.config.appendfsync ? `appendfsync ${node.config.appendfsync}` : '',
        on === null ? 'not reported by the server' : '',
      ].filter(Boolean);
      evidence.push({
        subject,
        observed: on === null ? null : on ? 'yes' : 'no',
        expected: 'appendonly yes',
        status: evidenceStatus(status),
        ...(notes.length ? { note: notes.join('; ') } : {}),
      });
      return status;
    });
    const status = worst(statuses);
    return {
      status,
      message:
        status === 'fail'
          ? 'appendonly is off'
          : status === 'skip'
            ? 'the server did not report appendonly'
            : 'appendonly is on',
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary:
                'Turn AOF on at runtime (Redis rewrites the AOF in the background) and in redis.conf so a restart keeps it',
              change:
                'CONFIG SET appendonly yes\nCONFIG REWRITE\n# redis.conf:\nappendonly yes\nappendfsync everysec',
              applies: 'reload' as const,
            },
          }
        : {}),
    };
  },
});
