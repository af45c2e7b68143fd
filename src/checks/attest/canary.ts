import { defineCheck } from '../../core/check.js';
import { attestCheck } from './attestation.js';

export default defineCheck(
  attestCheck({
    id: 'attest/canary',
    title: 'The canary rollout is signed off',
    failureTitle: 'The canary rollout is not signed off',
    description:
      'The checklist (6.2) advises a canary at 5% of traffic for 24 hours and a staged rollout. It is advisory, so a missing sign-off warns (set `missing: fail` to require it). See https://sre.google/workbook/canarying-releases/',
    seedRef: '6.2',
    severity: 'medium',
    missing: 'warn',
    maxAgeDays: 30,
  }),
);
