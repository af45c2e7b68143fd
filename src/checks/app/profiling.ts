import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { appTargets, at, depOf, guarded, importsOf } from '../../facts/app.js';

export default defineCheck({
  id: 'app/profiling',
  title: 'A profiler is available',
  failureTitle: 'No profiler among the dependencies',
  description:
    'The checklist (5.3) keeps pyinstrument, cProfile and memory_profiler at hand to find slow code. ' +
    'Informational: lists the profilers in the dependencies (dev groups included) and profiler imports. ' +
    'cProfile ships with Python, so only its use in the code is listed. ' +
    'See https://pyinstrument.readthedocs.io/en/latest/guide.html#profile-a-web-request-in-fastapi and ' +
    'https://docs.python.org/3/library/profile.html',
  seedRef: '5.3',
  severity: 'info',
  kind: 'info',
  requires: ['app'],
  options: z.object({
    profilers: z
      .array(z.string())
      .default(['pyinstrument', 'memory-profiler', 'py-spy', 'scalene', 'yappi', 'line-profiler']),
  }),
  run(input, options) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    for (const { data } of apps) {
      for (const name of options.profilers) {
        const dep = depOf(data, name);
        if (dep)
          evidence.push({
            ...at(dep),
            observed: `${dep.name}${dep.spec}`,
            status: 'pass',
            note: `${dep.group} dependency`,
          });
      }
      for (const mod of ['cProfile', 'pyinstrument', 'memory_profiler', 'yappi']) {
        for (const i of importsOf(data, mod))
          evidence.push({ ...at(i), observed: `import ${i.module}`, status: 'pass' });
      }
    }
    const status = evidence.length > 0 ? 'pass' : 'warn';
    if (status === 'warn') {
      for (const { target, data } of apps) {
        const where = data.manifests.length > 0 ? data.manifests : [target];
        for (const m of where)
          evidence.push({
            subject: m,
            observed: 'no profiler',
            expected: options.profilers.join(' / '),
            status: 'warn',
          });
      }
    }
    return guarded(apps, {
      status,
      message:
        status === 'pass'
          ? `profilers: ${[...new Set(evidence.map((e) => String(e.observed)))].join(', ')}`
          : 'no profiler in the dependencies or the code',
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary: 'Add a profiler to the dev dependencies',
              change: 'requirements-dev.txt:\npyinstrument\nmemory-profiler',
              applies: 'none' as const,
            },
          }
        : {}),
    });
  },
});
