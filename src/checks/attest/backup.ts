import { defineCheck } from '../../core/check.js';
import { attestCheck } from './attestation.js';

export default defineCheck(
  attestCheck({
    id: 'attest/backup',
    title: 'Backups and a tested restore are signed off',
    failureTitle: 'Backups and a tested restore are not signed off',
    description:
      'The checklist (6.1) asks for a full backup plus 7 days of WAL and a restore that was really tested before a deployment. No program can prove a restore works: a person attests it with a link to the restore log. A sign-off older than `maxAgeDays` (30) no longer counts. See https://www.postgresql.org/docs/current/continuous-archiving.html',
    seedRef: '6.1',
    severity: 'high',
    missing: 'fail',
    maxAgeDays: 30,
  }),
);
