import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { httpTargets } from '../../facts/http.js';

export default defineCheck({
  id: 'http/cache-headers',
  title: 'GET endpoints send cache headers',
  failureTitle: 'GET endpoints send no cache headers',
  description:
    'The checklist (1.2) asks for HTTP cache headers on cacheable responses, so clients and proxies can reuse ' +
    'or revalidate them. Every probed GET endpoint that answered 2xx (the health endpoint aside) must send ' +
    '`Cache-Control` or an `ETag` (an explicit `no-store` counts: it is a decision). ' +
    'See https://developer.mozilla.org/en-US/docs/Web/HTTP/Caching and https://fastapi.tiangolo.com/advanced/response-headers/',
  seedRef: '1.2',
  severity: 'low',
  kind: 'auto',
  requires: ['http'],
  options: z.object({}),
  run(input) {
    const evidence: Evidence[] = [];
    for (const { target, data } of httpTargets(input)) {
      for (const e of data.endpoints.filter((x) => x.status !== null && x.status < 300)) {
        const has = e.cacheControl ?? (e.etag ? `ETag ${e.etag}` : null);
        evidence.push({
          subject: `${target}${e.path}`,
          observed: has ?? 'none',
          expected: 'Cache-Control or ETag',
          status: has ? 'pass' : 'fail',
        });
      }
    }
    if (evidence.length === 0) return { status: 'skip', message: 'no GET endpoint answered 2xx', evidence };
    const status = evidence.some((e) => e.status === 'fail') ? 'fail' : 'pass';
    return {
      status,
      message:
        status === 'pass'
          ? 'every probed GET sends cache headers'
          : `${evidence.filter((e) => e.status === 'fail').length} endpoint(s) without cache headers`,
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary: 'Send Cache-Control (and an ETag) on cacheable GETs',
              change:
                '@app.get("/risks/{risk_id}")\nasync def get_risk(risk_id: str, response: Response):\n    response.headers["Cache-Control"] = "public, max-age=60"',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    };
  },
});
