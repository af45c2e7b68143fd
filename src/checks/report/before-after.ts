import { z } from 'zod';
import { defineCheck } from '../../core/check.js';
import { compareWithBaseline } from '../../policy/before-after.js';
import { ToleranceSchema } from '../../policy/compare.js';

export default defineCheck({
  id: 'report/before-after',
  title: 'Measured values held against the baseline',
  failureTitle: 'Measured values got worse than the baseline',
  description:
    'The checklist (6.3) asks to compare response times, query times and sizes before and after a deployment. ' +
    'With `--baseline REPORT.json` this check compares the values the checks of this run measured, with the ' +
    'options of the config (HTTP latency percentiles and error rate, ClickHouse and PostgreSQL mean query times, ' +
    'Redis hit ratio, image sizes, and database sizes: PostgreSQL database size, ClickHouse data size on disk, ' +
    'Redis used memory) with those of the baseline report, and fails when one moved the wrong way beyond its ' +
    'tolerance (`baseline.tolerance` in the config, 10% by default, per id of the check that measures the ' +
    'value; a size that grew is worse, one that shrank is not). Only the checks the run selected are compared. ' +
    'It skips without a baseline. ' +
    'See https://sre.google/workbook/canarying-releases/#before-and-after',
  seedRef: '6.3',
  severity: 'medium',
  kind: 'auto',
  requires: ['baseline'],
  readsResults: true,
  options: z.object({ tolerance: ToleranceSchema.default({ default: 0.1 }) }),
  run(input, o) {
    return compareWithBaseline(input.results, input.source('baseline')[0]!.data!, o.tolerance);
  },
});
