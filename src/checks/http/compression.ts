import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { httpTargets } from '../../facts/http.js';

export default defineCheck({
  id: 'http/compression',
  title: 'Large responses are compressed',
  failureTitle: 'Large responses are sent uncompressed',
  description:
    'The checklist (1.2) compresses responses over 1 KB. The probe GETs each endpoint with ' +
    '`Accept-Encoding: gzip, br`; every 2xx response whose decoded body exceeds `minBytes` must come back ' +
    'with a Content-Encoding. With no response that large the check skips, saying so (give the target ' +
    '`paths` with a large endpoint). See https://www.starlette.io/middleware/#gzipmiddleware',
  seedRef: '1.2',
  severity: 'medium',
  kind: 'auto',
  requires: ['http'],
  options: z.object({ minBytes: z.number().int().positive().default(1024) }),
  run(input, options) {
    const evidence: Evidence[] = [];
    for (const { target, data } of httpTargets(input)) {
      for (const e of data.endpoints) {
        if (e.status === null || e.status >= 300 || e.bodyBytes <= options.minBytes) continue;
        evidence.push({
          subject: `${target}${e.path}`,
          observed: e.contentEncoding ?? 'identity',
          expected: 'gzip or br',
          status: e.contentEncoding ? 'pass' : 'fail',
          note: `${e.bodyBytes} bytes decoded, ${e.wireBytes} on the wire`,
        });
      }
    }
    if (evidence.length === 0)
      return {
        status: 'skip',
        message: `no probed response larger than ${options.minBytes} bytes`,
        evidence,
      };
    const status = evidence.some((e) => e.status === 'fail') ? 'fail' : 'pass';
    return {
      status,
      message: status === 'pass' ? 'large responses are compressed' : 'large responses are sent uncompressed',
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary: 'Add GZipMiddleware (or compress at the proxy)',
              change:
                'from fastapi.middleware.gzip import GZipMiddleware\napp.add_middleware(GZipMiddleware, minimum_size=1000)',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    };
  },
});
