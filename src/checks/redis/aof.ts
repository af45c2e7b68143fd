import { declareCheck } from '../../core/declare.js';

export default declareCheck({
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
  source: 'redis',
  setting: 'appendonly',
  compare: 'eq',
  expected: 'yes',
  // A server that does not report it (INFO without aof_enabled) cannot be judged: skip, as before.
  missing: 'skip',
  context: ['appendfsync'],
  fix: {
    summary:
      'Turn AOF on at runtime (Redis rewrites the AOF in the background) and in redis.conf so a restart keeps it',
    change: 'CONFIG SET appendonly yes\nCONFIG REWRITE\n# redis.conf:\nappendonly yes\nappendfsync everysec',
    applies: 'reload',
  },
});
