import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { worstStatus } from '../../core/status.js';
import { appTargets, at, callsMatching, guarded, isDevFile, valueNote } from '../../facts/app.js';

export default defineCheck({
  id: 'app/sql-echo',
  title: 'SQL echo is off',
  failureTitle: 'SQLAlchemy engines echo every statement',
  description:
    'The checklist (5.3) logs slow queries, not all of them: `create_engine(..., echo=True)` logs every ' +
    'statement and its parameters at INFO, which costs time and floods the logs (and may leak data). Fails ' +
    'on an engine whose `echo` is true or "debug" (resolving settings and env-var defaults) outside dev/test ' +
    'files. See https://docs.sqlalchemy.org/en/20/core/engines.html#sqlalchemy.create_engine.params.echo',
  seedRef: '5.3',
  severity: 'low',
  kind: 'auto',
  requires: ['app'],
  options: z.object({}),
  run(input) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    for (const { data } of apps) {
      for (const c of callsMatching(data, [
        'sqlalchemy.create_engine',
        'sqlalchemy.ext.asyncio.create_async_engine',
        'sqlmodel.create_engine',
      ])) {
        const echo = c.args.echo;
        const on =
          echo !== undefined &&
          (echo.value === true ||
            echo.value === 'debug' ||
            (typeof echo.value === 'string' && ['1', 'true', 'yes'].includes(echo.value.toLowerCase())));
        const dev = isDevFile(c.file);
        evidence.push({
          ...at(c),
          observed: echo ? echo.text : 'echo not set (False)',
          expected: 'echo=False',
          status: on && !dev ? 'fail' : echo && echo.value === undefined ? 'warn' : 'pass',
          note:
            [
              echo ? valueNote(echo) : undefined,
              dev ? 'dev/test file' : undefined,
              echo && echo.value === undefined ? 'value not known statically' : undefined,
            ]
              .filter(Boolean)
              .join('; ') || undefined,
        });
      }
    }
    const status = worstStatus(evidence);
    return guarded(apps, {
      status,
      message:
        evidence.length === 0
          ? 'no SQLAlchemy engine in the source'
          : status === 'pass'
            ? 'no engine echoes SQL'
            : 'engines echo SQL',
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary: 'Turn echo off in production',
              change: 'create_async_engine(url, echo=False)   # or echo=settings.sql_echo, default False',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
