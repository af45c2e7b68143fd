import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { worstStatus } from '../../core/status.js';
import { absence, appTargets, at, guarded } from '../../facts/app.js';

const COMPRESSORS = /(^|\.)(GZipMiddleware|BrotliMiddleware|CompressMiddleware)$/;

export default defineCheck({
  id: 'app/gzip-middleware',
  title: 'Responses are compressed by GZipMiddleware',
  failureTitle: 'No compression middleware',
  description:
    'The checklist (1.2) adds gzip with `minimum_size=1000`. It imports `GZIPMiddleware` from ' +
    "`fastapi.middleware.gzip`: that name does not exist (the class is Starlette's `GZipMiddleware`), so the " +
    'import fails at startup; the check flags the misspelling. Passes when GZipMiddleware (or a Brotli ' +
    "middleware) is added with `minimum_size` ≤ `maxMinimumSize` (Starlette's default is 500). " +
    'See https://fastapi.tiangolo.com/advanced/middleware/#gzipmiddleware',
  seedRef: '1.2',
  severity: 'medium',
  kind: 'auto',
  requires: ['app'],
  options: z.object({ maxMinimumSize: z.number().int().positive().default(1024) }),
  run(input, options) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    for (const { data } of apps) {
      for (const i of data.imports.filter(
        (x) => x.name === 'GZIPMiddleware' || x.module.endsWith('GZIPMiddleware'),
      )) {
        evidence.push({
          ...at(i),
          observed: `from ${i.module} import GZIPMiddleware`,
          expected: 'GZipMiddleware',
          status: 'fail',
          note: 'no such class: this import raises ImportError at startup',
        });
      }
      for (const m of data.middleware.filter((x) => COMPRESSORS.test(x.qualified))) {
        const size = m.args.minimum_size;
        const value = size === undefined ? 500 : size.value;
        const ok = typeof value === 'number' && value <= options.maxMinimumSize;
        evidence.push({
          ...at(m),
          observed: `${m.name}(minimum_size=${size?.text ?? '500 (default)'})`,
          expected: `minimum_size ≤ ${options.maxMinimumSize}`,
          unit: 'bytes',
          status: ok ? 'pass' : 'warn',
        });
      }
    }
    const added = evidence.some((e) => e.status === 'pass' || e.status === 'warn');
    if (!added && !evidence.some((e) => e.status === 'fail'))
      evidence.push(
        ...absence(
          apps,
          'no GZipMiddleware',
          `GZipMiddleware(minimum_size ≤ ${options.maxMinimumSize})`,
          'fail',
        ),
      );
    const status = added ? worstStatus(evidence) : 'fail';
    return guarded(apps, {
      status,
      message:
        status === 'pass'
          ? 'GZipMiddleware is added'
          : !added
            ? 'no compression middleware is added'
            : status === 'fail'
              ? 'GZIPMiddleware is misspelled'
              : 'minimum_size is above the threshold',
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary: "Add Starlette's GZipMiddleware",
              change:
                'from fastapi.middleware.gzip import GZipMiddleware\napp.add_middleware(GZipMiddleware, minimum_size=1000)',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
