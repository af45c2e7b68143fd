import { declareCheck } from '../../core/declare.js';

export default declareCheck({
  id: 'postgres/wal-buffers',
  title: 'wal_buffers is 16MB',
  failureTitle: 'wal_buffers is below 16MB',
  description:
    'WAL records are buffered in shared memory before they are written; a small buffer makes busy ' +
    'commits wait on WAL writes. The checklist sets `wal_buffers = 16MB`. The default (-1) resolves ' +
    'to 1/32 of shared_buffers capped at one WAL segment (16MB), so the default reaches 16MB only ' +
    'with shared_buffers of 512MB or more; strisk judges the resolved value the server reports. ' +
    'https://www.postgresql.org/docs/current/runtime-config-wal.html#GUC-WAL-BUFFERS',
  seedRef: '4.1',
  severity: 'medium',
  source: 'postgres',
  setting: 'wal_buffers',
  compare: 'gte',
  // In bytes, as the option always was; `16MB` is read the same.
  option: 'minBytes',
  expected: 16 * 1024 * 1024,
  fix: {
    summary: 'Set wal_buffers to {expected}',
    change: "ALTER SYSTEM SET wal_buffers = '{expected}';  -- or wal_buffers = {expected} in postgresql.conf",
    applies: 'restart',
  },
});
