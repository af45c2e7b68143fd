import { z } from 'zod';
import type { Value } from '../../collectors/app/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import { appTargets, at, effectiveServers, guarded, isDevFile, shown, valueNote } from '../../facts/app.js';

const isDebug = (v: Value['value'] | string): boolean =>
  v === 10 || (typeof v === 'string' && /^debug$|^trace$/i.test(v.trim()));

export default defineCheck({
  id: 'app/log-level',
  title: 'No DEBUG logging in production settings',
  failureTitle: 'DEBUG logging in production settings',
  description:
    'The checklist (5.2) keeps DEBUG out of production: debug logs cost CPU and I/O on every request. The ' +
    "check reads `logging.basicConfig(level=...)`, `setLevel(...)`, `dictConfig` levels, the server's " +
    "`--log-level`, the `LOG_LEVEL` setting's default and the compose `LOG_LEVEL` environment (resolved, " +
    'with its file:line), and `FastAPI(debug=True)`. Files named for dev/test/local are ignored. ' +
    'See https://docs.python.org/3/library/logging.html#logging-levels and https://www.uvicorn.org/settings/#logging',
  seedRef: '5.2',
  severity: 'medium',
  kind: 'auto',
  requires: ['app'],
  optional: ['compose'],
  options: z.object({}),
  run(input) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    const add = (
      loc: { file: string; line: number },
      observed: string | number | boolean | null,
      debug: boolean,
      note?: string,
    ) => {
      if (isDevFile(loc.file)) return;
      evidence.push({
        ...at(loc),
        observed,
        expected: 'INFO or higher',
        status: debug ? 'fail' : 'pass',
        ...(note ? { note } : {}),
      });
    };
    for (const { data } of apps) {
      for (const c of data.calls) {
        const level =
          c.qualified === 'logging.basicConfig'
            ? c.args.level
            : c.qualified.endsWith('.setLevel')
              ? c.positional[0]
              : undefined;
        if (level)
          add(
            c,
            shown(level),
            isDebug(level.value),
            [c.qualified, valueNote(level)].filter(Boolean).join('; '),
          );
      }
      for (const d of data.loggingDicts) {
        for (const [k, v] of Object.entries(d.entries))
          if (/(^|\.)level$/.test(k)) add(d, `${k}: ${shown(v)}`, isDebug(v.value), 'dictConfig');
      }
      // A settings field named log_level is read from LOG_LEVEL after the class's env_prefix (POLAR_LOG_LEVEL).
      const logLevel = (x: { env: string; attribute?: string }) =>
        x.env === 'LOG_LEVEL' || x.attribute?.toUpperCase() === 'LOG_LEVEL';
      for (const s of data.settings.filter((x) => logLevel(x) && x.default !== undefined)) {
        add(s, String(s.default), isDebug(s.default ?? ''), `default of ${s.env}`);
      }
      for (const a of data.apps.filter((x) => x.args.debug))
        add(a, `debug=${a.args.debug!.text}`, a.args.debug!.value === true, 'FastAPI(debug=...)');
      for (const s of effectiveServers(data)) {
        const lvl = s.options['--log-level'];
        if (typeof lvl === 'string') add(s, `--log-level ${lvl}`, isDebug(lvl), s.server);
        const env = s.env.LOG_LEVEL ?? s.env.UVICORN_LOG_LEVEL;
        if (env && s.source !== 'compose') add(s, `LOG_LEVEL=${env}`, isDebug(env));
      }
    }
    if (input.has('compose')) {
      for (const svc of input.source('compose').flatMap((t) => t.data?.services ?? [])) {
        for (const key of ['LOG_LEVEL', 'UVICORN_LOG_LEVEL']) {
          const v = svc.environment[key];
          if (v?.value)
            add(
              v,
              `${key}=${v.value}`,
              isDebug(v.value),
              `compose service ${svc.name}${v.raw && v.raw !== v.value ? ` (${v.raw})` : ''}`,
            );
        }
      }
    }
    const status = evidence.some((e) => e.status === 'fail') ? 'fail' : 'pass';
    return guarded(apps, {
      status,
      message:
        status === 'fail'
          ? 'DEBUG is set in production settings'
          : evidence.length === 0
            ? 'no log level set (Python defaults to WARNING)'
            : 'no DEBUG level in production settings',
      evidence,
      ...(status === 'fail'
        ? {
            remediation: {
              summary: 'Use INFO (or WARNING) in production',
              change:
                'environment:\n  LOG_LEVEL: info\n# logging.basicConfig(level=os.environ.get("LOG_LEVEL", "INFO"))',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
