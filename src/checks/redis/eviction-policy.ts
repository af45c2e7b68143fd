import { z } from 'zod';
import { defineCheck, type Evidence, type OutcomeStatus } from '../../core/check.js';
import { configNote, evidenceStatus, redisNodes, worst } from '../../facts/redis.js';

export default defineCheck({
  id: 'redis/eviction-policy',
  title: 'Redis evicts keys with the expected policy when memory is full',
  failureTitle: 'Redis eviction policy can refuse writes or evict keys it should keep',
  description:
    'The checklist asks for `maxmemory-policy allkeys-lru`, so a full cache drops its least recently ' +
    'used keys instead of refusing writes (`noeviction`, the default, makes every write fail with OOM). ' +
    'The checklist is incomplete here: allkeys-lru may evict any key, live sessions included. When the ' +
    'sample finds keys under a session pattern on the same instance, the check warns: keep sessions on ' +
    'their own instance (noeviction, sized for them) or accept that a full cache logs users out. ' +
    '`noeviction` fails; other policies warn. The policy only applies once `maxmemory` is set (see ' +
    'redis/maxmemory). See https://redis.io/docs/latest/develop/reference/eviction/',
  seedRef: '4.2',
  severity: 'high',
  kind: 'auto',
  requires: ['redis'],
  options: z.object({
    expected: z.string().default('allkeys-lru'),
    /** Warn when session keys share an instance with an allkeys-* policy. */
    warnWithSessions: z.boolean().default(true),
  }),
  run(input, options) {
    const evidence: Evidence[] = [];
    let wrongPolicy = false;
    const statuses = redisNodes(input.source('redis')).map(({ subject, node }): OutcomeStatus => {
      const policy = node.config.maxmemoryPolicy;
      const sessions = node.sampling.patterns.filter((p) => p.kind === 'session' && p.sampled > 0);
      const notes = [configNote(node)];
      let status: OutcomeStatus;
      if (policy === null) {
        status = 'skip';
        notes.push('not reported by the server');
      } else if (policy === 'noeviction') {
        status = 'fail';
        wrongPolicy = true;
        notes.push('writes fail with OOM once maxmemory is reached');
      } else if (policy !== options.expected) {
        status = 'warn';
        wrongPolicy = true;
      } else if (options.warnWithSessions && policy.startsWith('allkeys-') && sessions.length > 0) {
        status = 'warn';
        const found = sessions
          .map((p) => `${p.pattern} (${p.sampled}${p.complete ? '' : '+'} keys)`)
          .join(', ');
        notes.push(`session keys on this instance may be evicted: ${found}`);
      } else {
        status = 'pass';
      }
      if (node.config.maxmemoryBytes === 0) notes.push('maxmemory is not set, so no policy applies yet');
      const note = notes.filter(Boolean).join('; ');
      evidence.push({
        subject,
        observed: policy,
        expected: options.expected,
        status: evidenceStatus(status),
        ...(note ? { note } : {}),
      });
      return status;
    });
    const status = worst(statuses);
    const remediation = wrongPolicy
      ? {
          summary: `Set the eviction policy to ${options.expected}`,
          change: `CONFIG SET maxmemory-policy ${options.expected}\nCONFIG REWRITE\n# redis.conf:\nmaxmemory-policy ${options.expected}`,
          applies: 'reload' as const,
        }
      : status === 'warn'
        ? {
            summary:
              'Keep session keys on a Redis instance of their own (noeviction, maxmemory sized for them), ' +
              'or accept that a full cache logs users out',
            change:
              '# sessions instance, redis.conf:\nmaxmemory-policy noeviction\n# app: SESSION_REDIS_URL=redis://sessions:6379/0',
            applies: 'redeploy' as const,
          }
        : undefined;
    return {
      status,
      message: {
        pass: `maxmemory-policy is ${options.expected}`,
        warn: 'the eviction policy may drop keys it should not, or is not the expected one',
        fail: 'noeviction: writes fail once memory is full',
        skip: 'the server did not report maxmemory-policy',
      }[status],
      evidence,
      ...(remediation ? { remediation } : {}),
    };
  },
});
