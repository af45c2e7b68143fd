import { z } from 'zod';
import type { AppFacts, ServerCommand } from '../../collectors/app/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import { worstStatus } from '../../core/status.js';
import { absence, appTargets, at, depOf, effectiveServers, guarded } from '../../facts/app.js';

function judge(s: ServerCommand, data: AppFacts): Pick<Evidence, 'observed' | 'status' | 'note'> {
  const uvloopDep = depOf(data, 'uvloop');
  // `uvicorn[standard]` brings uvloop (not on Windows), and so does `fastapi[standard]` through it.
  const standard = data.dependencies.find(
    (d) => (d.name === 'uvicorn' || d.name === 'fastapi') && d.extras.includes('standard'),
  );
  const installed = uvloopDep ?? standard;
  const why = installed
    ? `uvloop installed (${installed.file}:${installed.line} ${installed.name}${installed.extras.length ? `[${installed.extras.join(',')}]` : ''})`
    : data.manifests.length === 0
      ? 'no dependency manifest found'
      : 'uvloop not in the dependencies';
  if (s.server === 'hypercorn') {
    const wc = String(s.options['--worker-class'] ?? 'asyncio');
    return {
      observed: `--worker-class ${wc}`,
      status: wc === 'uvloop' ? 'pass' : 'fail',
      note: 'hypercorn uses asyncio unless --worker-class uvloop',
    };
  }
  const loop = String(s.options['--loop'] ?? s.env.UVICORN_LOOP ?? 'auto');
  if (loop === 'uvloop')
    return {
      observed: '--loop uvloop',
      status: installed || data.manifests.length === 0 ? 'pass' : 'warn',
      note: why,
    };
  if (loop === 'asyncio')
    return { observed: '--loop asyncio', status: 'fail', note: 'the stdlib loop is forced' };
  return {
    observed: `--loop ${loop}`,
    status: installed ? 'pass' : data.manifests.length === 0 ? 'warn' : 'fail',
    note: `auto picks uvloop only when it is installed: ${why}`,
  };
}

const SEARCHED =
  'looked for Dockerfile CMD (every stage), compose command, Procfile, gunicorn config, uvicorn.run()';

export default defineCheck({
  id: 'app/event-loop',
  title: 'The server runs on uvloop',
  failureTitle: 'The server runs on the stdlib asyncio loop',
  description:
    "The checklist (1.1) asks for `--loop uvloop`. uvicorn's default `--loop auto` picks uvloop only when it is " +
    "installed (`uvicorn[standard]` brings it), else the slower stdlib loop; gunicorn's UvicornWorker behaves " +
    'the same; hypercorn needs `--worker-class uvloop`. The check reads the server command and the ' +
    'dependencies. See https://www.uvicorn.org/settings/#implementation',
  seedRef: '1.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['app'],
  options: z.object({}),
  run(input) {
    const apps = appTargets(input);
    const evidence: Evidence[] = [];
    for (const { data } of apps) {
      for (const s of effectiveServers(data))
        evidence.push({ ...at(s), expected: 'uvloop', ...judge(s, data) });
    }
    if (evidence.length === 0)
      evidence.push(...absence(apps, 'no server command found', 'uvloop', 'warn', SEARCHED));
    const status = worstStatus(evidence, 'warn');
    return guarded(apps, {
      status,
      message:
        evidence.length === 0
          ? 'no server command found'
          : status === 'pass'
            ? 'uvloop is used'
            : 'the event loop is not (certainly) uvloop',
      evidence,
      ...(status !== 'pass'
        ? {
            remediation: {
              summary: 'Install uvloop and select it',
              change:
                'requirements.txt: uvicorn[standard]\nCMD ["uvicorn", "app.main:app", "--loop", "uvloop", "--http", "httptools"]\n# hypercorn: --worker-class uvloop',
              applies: 'rebuild' as const,
            },
          }
        : {}),
    });
  },
});
