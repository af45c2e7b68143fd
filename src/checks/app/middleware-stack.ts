import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { appTargets, at, guarded } from '../../facts/app.js';

export default defineCheck({
  id: 'app/middleware-stack',
  title: 'The middleware stack',
  failureTitle: 'The middleware stack has per-request overhead to review',
  description:
    'The checklist (1.4) builds a middleware stack (compression, rate limiting, CORS...). Informational: the ' +
    'middleware of each FastAPI instance (each has its own stack) in the order a request meets them (Starlette: `add_middleware` puts each new one outermost; a ' +
    '`middleware=[...]` list runs in list order, inside those). It warns on `@app.middleware("http")` and ' +
    '`BaseHTTPMiddleware` subclasses, which add a task and memory streams per request and break streaming and ' +
    'background tasks in some versions; a pure ASGI middleware avoids that. ' +
    'See https://www.starlette.io/middleware/#limitations and https://fastapi.tiangolo.com/advanced/middleware/',
  seedRef: '1.4',
  severity: 'info',
  kind: 'info',
  requires: ['app'],
  options: z.object({}),
  run(input) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    for (const { data } of apps) {
      const baseHttp = new Set(
        data.classes
          .filter((c) => c.bases.some((b) => b.endsWith('BaseHTTPMiddleware')))
          .map((c) => c.name.split('.').at(-1)!),
      );
      // One stack per FastAPI instance (the object the middleware is added to, by file and name).
      // Outermost first: add_middleware and decorators in reverse order of appearance, then the list.
      const stacks = new Map<string, typeof data.middleware>();
      for (const m of data.middleware) {
        const key = m.app || '(app)';
        stacks.set(key, [...(stacks.get(key) ?? []), m]);
      }
      const many = stacks.size > 1;
      for (const [app, stack] of stacks) {
        const added = stack.filter((m) => m.how !== 'middleware-list').reverse();
        const listed = stack.filter((m) => m.how === 'middleware-list');
        [...added, ...listed].forEach((m, i) => {
          const slow = m.how === 'decorator' || baseHttp.has(m.name.split('.').at(-1)!);
          evidence.push({
            ...at(m),
            observed: `${many ? `${app}: ` : ''}${i + 1}. ${m.name}`,
            status: slow ? 'warn' : 'info',
            note: slow
              ? 'BaseHTTPMiddleware-style: extra per-request overhead'
              : Object.entries(m.args)
                  .map(([k, v]) => `${k}=${v.text}`)
                  .join(', ') || undefined,
          });
        });
      }
    }
    const slow = evidence.filter((e) => e.status === 'warn').length;
    return guarded(apps, {
      status: slow > 0 ? 'warn' : 'pass',
      message:
        evidence.length === 0
          ? 'no middleware'
          : `${evidence.length} middleware, outermost first${slow > 0 ? `; ${slow} BaseHTTPMiddleware-style` : ''}`,
      evidence,
      ...(slow > 0
        ? {
            remediation: {
              summary: 'Write hot-path middleware as pure ASGI middleware',
              change:
                'class TimingMiddleware:\n    def __init__(self, app): self.app = app\n    async def __call__(self, scope, receive, send):\n        await self.app(scope, receive, send)',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
