import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { worstStatus } from '../../core/status.js';
import {
  absence,
  appTargets,
  at,
  callsMatching,
  effectiveServers,
  guarded,
  workersOf,
} from '../../facts/app.js';

const RATE_MIDDLEWARE = /rate.?limit|throttl|limiter/i;
const LOOKED_FOR =
  'looked for a slowapi Limiter, fastapi-limiter, and middleware named for rate limiting or throttling';

const PER_MINUTE: Record<string, number> = { second: 60, minute: 1, hour: 1 / 60, day: 1 / 1440 };

/** `"1000/minute"`, `"100 per 1 minute"`, `"10/second"` → requests per minute. */
export function perMinute(limit: string): number | undefined {
  const m = /(\d+)\s*(?:\/|per)\s*(\d+)?\s*(second|minute|hour|day)s?/i.exec(limit);
  if (!m) return undefined;
  return (Number(m[1]) / Number(m[2] ?? 1)) * PER_MINUTE[m[3]!.toLowerCase()]!;
}

export default defineCheck({
  id: 'app/rate-limit',
  title: 'A rate limiter with a default limit protects the API',
  failureTitle: 'No effective rate limit',
  description:
    'The checklist (1.4) installs a slowapi `Limiter` at 1000 requests/minute. slowapi keeps its counters in ' +
    'process memory unless `storage_uri` names a shared store (Redis, Memcached): with N workers each keeps ' +
    'its own, so the real limit is N × the configured one. Other limiters count too: fastapi-limiter (Redis), ' +
    'and any middleware named for rate limiting or throttling (asgi-ratelimit, a Redis-backed custom one). ' +
    'Fails with no limiter at all, with a Limiter that limits no route, or with an in-memory limiter shared by ' +
    'several workers; warns on a Limiter without default limits (only decorated routes are limited) and when ' +
    'the default limit is looser than `perMinute`. See https://slowapi.readthedocs.io/en/latest/ and ' +
    'https://limits.readthedocs.io/en/stable/storage.html',
  seedRef: '1.4',
  severity: 'medium',
  kind: 'auto',
  requires: ['app'],
  options: z.object({ perMinute: z.number().positive().default(1000) }),
  run(input, options) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    let limiters = 0;
    for (const { data } of apps) {
      const workers = Math.max(1, ...effectiveServers(data).map((s) => workersOf(s).workers ?? 1));
      const routeLimits = data.routes.filter((r) => r.decorators.some((d) => /\.limit\(/.test(d)));
      for (const c of callsMatching(data, ['slowapi.Limiter', 'slowapi.extension.Limiter'])) {
        limiters++;
        const limits =
          c.args.default_limits?.text.match(/["']([^"']+)["']/g)?.map((s) => s.slice(1, -1)) ?? [];
        const storage = c.args.storage_uri;
        const shared =
          storage && !(typeof storage.value === 'string' && storage.value.startsWith('memory://'));
        if (limits.length === 0) {
          // Without default_limits only the decorated routes are limited.
          evidence.push({
            ...at(c),
            observed: `no default_limits; ${routeLimits.length} of ${data.routes.length} route(s) with @limiter.limit`,
            expected: `default_limits=["${options.perMinute}/minute"]`,
            status: routeLimits.length === 0 ? 'fail' : 'warn',
            note: 'a Limiter without default limits leaves every undecorated route unlimited',
          });
        } else {
          const rate = limits.map(perMinute).find((r) => r !== undefined);
          evidence.push({
            ...at(c),
            observed: limits.join(', '),
            expected: `≤ ${options.perMinute}/minute`,
            status: rate !== undefined && rate > options.perMinute ? 'warn' : 'pass',
          });
        }
        evidence.push({
          ...at(c),
          observed: storage ? String(storage.value ?? storage.text) : 'in-memory (no storage_uri)',
          expected: workers > 1 ? `a shared store for ${workers} workers` : 'any store (1 worker)',
          status: shared || workers <= 1 ? 'pass' : 'fail',
          note:
            shared || workers <= 1
              ? undefined
              : `each of the ${workers} workers counts alone: the real limit is ${workers} × the configured one`,
        });
      }
      // fastapi-limiter keeps its counters in Redis (FastAPILimiter.init(redis)); limits are per route.
      for (const c of callsMatching(data, ['fastapi_limiter.FastAPILimiter.init'])) {
        limiters++;
        evidence.push({
          ...at(c),
          observed: c.qualified,
          status: 'pass',
          note: 'fastapi-limiter, Redis-backed',
        });
      }
      // Any middleware that limits rates: asgi-ratelimit, slowapi's, a project's own (Redis-backed or not).
      for (const m of data.middleware.filter((x) => RATE_MIDDLEWARE.test(x.qualified))) {
        limiters++;
        const backend = Object.entries(m.args).find(([k, v]) =>
          /redis|backend|storage/i.test(`${k} ${v.text}`),
        );
        evidence.push({
          ...at(m),
          observed: `${m.name} on ${m.app || 'the app'}`,
          expected: 'a rate-limiting middleware',
          status: 'pass',
          note: backend ? `store: ${backend[0]}=${backend[1].text}` : 'middleware',
        });
      }
    }
    if (limiters === 0)
      evidence.push(
        ...absence(apps, 'no rate limiter', `a limiter at ${options.perMinute}/minute`, 'fail', LOOKED_FOR),
      );
    const status = limiters === 0 ? 'fail' : worstStatus(evidence);
    return guarded(apps, {
      status,
      message:
        limiters === 0
          ? 'no rate limiter found'
          : status === 'pass'
            ? 'a shared rate limit is configured'
            : 'the rate limit is missing, loose or per worker',
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary: 'Install slowapi with a default limit and a shared store',
              change:
                'from slowapi import Limiter, _rate_limit_exceeded_handler\nfrom slowapi.util import get_remote_address\nfrom slowapi.middleware import SlowAPIMiddleware\n' +
                `limiter = Limiter(key_func=get_remote_address, default_limits=["${options.perMinute}/minute"], storage_uri="redis://redis:6379/1")\n` +
                'app.state.limiter = limiter\napp.add_middleware(SlowAPIMiddleware)',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
