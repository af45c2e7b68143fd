import { defineCheck } from '../../core/check.js';
import { attestCheck } from './attestation.js';

export default defineCheck(
  attestCheck({
    id: 'attest/load-test',
    title: 'The load test is signed off',
    failureTitle: 'The load test is not signed off',
    description:
      'The checklist (6.1) asks for a load test of 1000 concurrent users for 5 minutes before a deployment. The short probe of `http/latency` is a smoke test, not this: a person attests the real run with a link to its results. See https://locust.io/ and https://k6.io/docs/',
    seedRef: '6.1',
    severity: 'medium',
    missing: 'fail',
    maxAgeDays: 30,
  }),
);
