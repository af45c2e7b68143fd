import { z } from 'zod';
import type { ServerCommand } from '../../collectors/app/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import { absence, appTargets, at, effectiveServers, guarded } from '../../facts/app.js';

const UVICORN_HTTP = new Set(['auto', 'h11', 'httptools']);

function judge(s: ServerCommand): Pick<Evidence, 'observed' | 'status' | 'note'> {
  const http = s.options['--http'];
  if (s.server === 'uvicorn' && typeof http === 'string' && !UVICORN_HTTP.has(http)) {
    return {
      observed: `--http ${http}`,
      status: 'fail',
      note: 'invalid: uvicorn --http takes auto, h11 or httptools; uvicorn refuses to start',
    };
  }
  if (s.server === 'hypercorn') {
    const tls = s.options['--certfile'] && s.options['--keyfile'];
    return tls
      ? { observed: 'hypercorn with TLS', status: 'pass', note: 'hypercorn offers h2 through ALPN' }
      : {
          observed: 'hypercorn without TLS',
          status: 'warn',
          note: 'h2c only (prior knowledge or upgrade); browsers need TLS for HTTP/2',
        };
  }
  return {
    observed: `${s.server}${typeof http === 'string' ? ` --http ${http}` : ''}`,
    status: 'warn',
    note: `${s.server} serves HTTP/1.1 only; HTTP/2 can only come from a proxy in front, which the source does not show`,
  };
}

export default defineCheck({
  id: 'app/http2',
  title: 'HTTP/2 is served',
  failureTitle: 'HTTP/2 is not served',
  description:
    "The checklist (1.1) says `uvicorn ... --http h2` enables HTTP/2. It does not: uvicorn's `--http` takes " +
    '`auto`, `h11` or `httptools`, and uvicorn has no HTTP/2 at all; `--http h2` is an invalid flag and fails ' +
    'here. HTTP/2 comes from Hypercorn (h2 over TLS through ALPN) or from a proxy in front (nginx, Traefik, a ' +
    'load balancer). With the live `http` source the check trusts what the server really negotiated (ALPN h2, ' +
    'or h2c with prior knowledge); without it, a uvicorn-only deployment is a warning, since a proxy may exist. ' +
    'See https://www.uvicorn.org/settings/#implementation and https://hypercorn.readthedocs.io/en/latest/discussion/http2.html',
  seedRef: '1.1',
  severity: 'low',
  kind: 'auto',
  requires: ['app'],
  optional: ['http'],
  options: z.object({}),
  run(input) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    for (const { data } of apps)
      for (const s of effectiveServers(data)) evidence.push({ ...at(s), expected: 'HTTP/2', ...judge(s) });
    const live = input.has('http')
      ? input.source('http').flatMap((t) => (t.data ? [{ target: t.target, h2: t.data.http2 }] : []))
      : [];
    for (const l of live) {
      evidence.push({
        subject: l.target,
        observed: l.h2.protocol ?? 'none',
        expected: 'h2',
        status: l.h2.supported ? 'pass' : 'fail',
        note: l.h2.note,
      });
    }
    if (evidence.length === 0)
      evidence.push(
        ...absence(
          apps,
          'no server command found',
          'HTTP/2',
          'warn',
          'give --http to check the running server',
        ),
      );
    const invalid = evidence.some((e) => e.status === 'fail' && e.file);
    let status: 'pass' | 'warn' | 'fail';
    if (invalid) status = 'fail';
    else if (live.length > 0) status = live.every((l) => l.h2.supported) ? 'pass' : 'fail';
    else status = evidence.length > 0 && evidence.every((e) => e.status === 'pass') ? 'pass' : 'warn';
    return guarded(apps, {
      status,
      message:
        status === 'pass'
          ? 'HTTP/2 is served'
          : invalid
            ? 'invalid --http flag: uvicorn has no HTTP/2'
            : live.length > 0
              ? 'the live server did not negotiate HTTP/2'
              : 'HTTP/2 is not served by the app server; give --http to check a proxy in front',
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary: 'Serve HTTP/2 from Hypercorn with TLS, or from a proxy in front of uvicorn',
              change:
                'hypercorn app.main:app --bind 0.0.0.0:8443 --certfile cert.pem --keyfile key.pem --workers 4\n# or keep uvicorn (drop --http h2) behind nginx: listen 443 ssl http2;',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
