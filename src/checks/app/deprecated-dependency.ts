import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { appTargets, at, guarded, importsOf } from '../../facts/app.js';

export default defineCheck({
  id: 'app/deprecated-dependency',
  title: 'No archived or superseded dependency',
  failureTitle: 'The app depends on an archived package',
  description:
    'The checklist (1.1) installs `aioredis`. aioredis is archived (its last release is 2.0.1, 2021) and lives ' +
    'on as `redis.asyncio` in redis-py 4.2 and later; it does not install cleanly on current Python. The check ' +
    'warns on each dependency or import of a package in `replacements` (default: aioredis). ' +
    'See https://github.com/aio-libs-abandoned/aioredis-py#-aioredis-is-now-in-redis-py-420rc1- and ' +
    'https://redis.readthedocs.io/en/stable/examples/asyncio_examples.html',
  seedRef: '1.1',
  severity: 'low',
  kind: 'auto',
  requires: ['app'],
  options: z.object({
    /** Package (normalised name) → what replaces it; the import name is the package name with `_`. */
    replacements: z.record(z.string(), z.string()).default({ aioredis: 'redis.asyncio (redis>=4.2)' }),
  }),
  run(input, options) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    for (const { data } of apps) {
      for (const [pkg, instead] of Object.entries(options.replacements)) {
        for (const d of data.dependencies.filter((x) => x.name === pkg)) {
          evidence.push({
            ...at(d),
            observed: `${d.name}${d.spec}`,
            expected: instead,
            status: 'warn',
            note: `${d.group} dependency`,
          });
        }
        for (const i of importsOf(data, pkg.replace(/-/g, '_'))) {
          evidence.push({
            ...at(i),
            observed: `import ${i.module}${i.name ? `.${i.name}` : ''}`,
            expected: instead,
            status: 'warn',
          });
        }
      }
    }
    const status = evidence.length > 0 ? 'warn' : 'pass';
    return guarded(apps, {
      status,
      message:
        status === 'pass'
          ? 'no archived dependency'
          : `archived packages: ${[...new Set(evidence.map((e) => String(e.observed)))].join(', ')}`,
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary: 'Replace archived packages',
              change:
                'requirements.txt: redis>=4.2   (drop aioredis)\nimport redis.asyncio as redis\ncache = redis.from_url(url, max_connections=10)',
              applies: 'rebuild' as const,
            },
          }
        : {}),
    });
  },
});
