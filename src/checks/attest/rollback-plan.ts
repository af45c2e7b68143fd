import { defineCheck } from '../../core/check.js';
import { attestCheck } from './attestation.js';

export default defineCheck(
  attestCheck({
    id: 'attest/rollback-plan',
    title: 'A tested rollback plan is signed off',
    failureTitle: 'No tested rollback plan is signed off',
    description:
      'The checklist (6.1) asks for a documented and tested rollback plan before a deployment: the previous image tags, the down-migrations and who decides. A person attests it with a link to the plan and the test. See https://docs.docker.com/reference/cli/docker/service/rollback/',
    seedRef: '6.1',
    severity: 'high',
    missing: 'fail',
    maxAgeDays: 90,
  }),
);
