import { defineCheck } from '../../core/check.js';
import { attestCheck } from './attestation.js';

export default defineCheck(
  attestCheck({
    id: 'attest/post-deploy',
    title: 'Post-deployment checks are signed off',
    failureTitle: 'Post-deployment checks are not signed off',
    description:
      'The checklist (6.3) asks to check metrics and error logs after the rollout. It happens after the deployment, so a pre-deployment sign-off report shows it as a warning until a person attests it with a link to the dashboards. See https://sre.google/sre-book/monitoring-distributed-systems/',
    seedRef: '6.3',
    severity: 'medium',
    missing: 'warn',
    maxAgeDays: 14,
  }),
);
