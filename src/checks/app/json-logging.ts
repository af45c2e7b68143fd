import { z } from 'zod';
import { defineCheck, type Evidence } from '../../core/check.js';
import { absence, appTargets, at, callsMatching, depOf, effectiveServers, guarded } from '../../facts/app.js';

const FORMATTERS = [
  'pythonjsonlogger.*',
  'structlog.processors.JSONRenderer',
  'structlog.*JSONRenderer',
  'json_log_formatter.*',
  'ecs_logging.*',
];
const IN_DICT = /pythonjsonlogger|JsonFormatter|JSONRenderer|json_log_formatter|ecs_logging/;

export default defineCheck({
  id: 'app/json-logging',
  title: 'Logs are structured JSON',
  failureTitle: 'Logs are not structured JSON',
  description:
    'The checklist (5.2) asks for structured JSON logs so the log pipeline can index fields instead of ' +
    "parsing text. Passes when a JSON formatter is configured in the source: python-json-logger's " +
    "`JsonFormatter` (in code or in a `dictConfig`), structlog's `JSONRenderer`, or an ECS formatter. " +
    'A JSON logging package in the dependencies that the code never configures does not count (the evidence ' +
    'says so); a `--log-config` file is not read and warns. See ' +
    'https://docs.python.org/3/howto/logging-cookbook.html#implementing-structured-logging and ' +
    'https://github.com/nhairs/python-json-logger',
  seedRef: '5.2',
  severity: 'low',
  kind: 'auto',
  requires: ['app'],
  options: z.object({}),
  run(input) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    let logConfig = false;
    for (const { data } of apps) {
      for (const c of callsMatching(data, FORMATTERS))
        evidence.push({ ...at(c), observed: c.qualified, status: 'pass' });
      for (const d of data.loggingDicts) {
        for (const [k, v] of Object.entries(d.entries)) {
          if (typeof v.value === 'string' && IN_DICT.test(v.value))
            evidence.push({ ...at(d), observed: `${k}: ${v.value}`, status: 'pass', note: 'dictConfig' });
        }
      }
      for (const s of effectiveServers(data).filter((x) => typeof x.options['--log-config'] === 'string')) {
        logConfig = true;
        evidence.push({
          ...at(s),
          observed: `--log-config ${s.options['--log-config']}`,
          status: 'info',
          note: 'the log config file is not read',
        });
      }
      if (!evidence.some((e) => e.status === 'pass')) {
        for (const c of callsMatching(data, [
          'logging.basicConfig',
          'logging.config.dictConfig',
          'structlog.configure',
        ])) {
          evidence.push({
            ...at(c),
            observed: c.qualified,
            expected: 'a JSON formatter',
            status: 'fail',
            note: 'plain-text logging',
          });
        }
        for (const name of ['python-json-logger', 'structlog', 'json-log-formatter', 'ecs-logging']) {
          const dep = depOf(data, name);
          if (dep)
            evidence.push({
              ...at(dep),
              observed: dep.name,
              status: 'info',
              note: 'installed but not configured as a formatter',
            });
        }
      }
    }
    const ok = evidence.some((e) => e.status === 'pass');
    if (!ok && !evidence.some((e) => e.status === 'fail' || e.status === 'warn'))
      evidence.push(
        ...absence(apps, 'no logging configuration', 'a JSON formatter', logConfig ? 'warn' : 'fail'),
      );
    const status = ok ? 'pass' : logConfig ? 'warn' : 'fail';
    return guarded(apps, {
      status,
      message: ok
        ? 'a JSON log formatter is configured'
        : logConfig
          ? 'logging comes from a --log-config file that is not read'
          : 'no JSON log formatter is configured',
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary: 'Configure a JSON formatter for the root logger',
              change:
                'from pythonjsonlogger import jsonlogger\nhandler = logging.StreamHandler()\nhandler.setFormatter(jsonlogger.JsonFormatter("%(asctime)s %(levelname)s %(name)s %(message)s"))\nlogging.basicConfig(level=settings.log_level, handlers=[handler])',
              applies: 'redeploy' as const,
            },
          }
        : {}),
    });
  },
});
