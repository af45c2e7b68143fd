import { z } from 'zod';
import type { ComposeFacts, ComposeService } from '../../collectors/compose/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  composeDockerfiles,
  composeServices,
  databaseDataDirs,
  type Judged,
  longRunningOutcome,
  oneShotItem,
  oneShotReason,
  type RoleInfo,
  redisPersistenceOff,
  roleNote,
  serviceRole,
} from '../../facts/compose.js';

const options = z.object({
  /** Data directories per database role, in the official and Bitnami images. */
  dataDirs: z.record(z.string(), z.array(z.string())).default(databaseDataDirs),
});

type Mount = ComposeService['volumes'][number];

const trim = (p: string) => p.replace(/\/+$/, '') || '/';
/** A mount at the data directory or above it holds the data. */
const holds = (target: string, dir: string) => {
  const [t, d] = [trim(target), trim(dir)];
  return t === d || d.startsWith(`${t}/`);
};
/** A mount inside the data directory holds part of it (judged only when nothing holds the whole). */
const inside = (target: string, dir: string) => trim(target).startsWith(`${trim(dir)}/`);

function dataDirsOf(svc: ComposeService, role: string, o: z.output<typeof options>): string[] {
  const pgdata = role === 'postgres' ? svc.environment.PGDATA?.value : undefined;
  return [...(o.dataDirs[role] ?? []), ...(pgdata ? [pgdata] : [])];
}

/** A volume source still holding a `${VAR}`: compose fills it from the environment, and only a host path can be one. */
const interpolated = (source: string | undefined) => source?.includes('$' + '{') === true;

function judge(svc: ComposeService, facts: ComposeFacts, role: RoleInfo, dirs: string[]): Judged {
  const name = svc.name;
  const why = roleNote(role);
  const volume = `${svc.name}-data`;
  const fix = ['volumes:', `  - ${volume}:${dirs[0]}`];
  const expected = 'a named volume declared at top level';
  const base: Evidence = { subject: `service ${name}`, file: svc.file, line: svc.line, expected };
  const cache = role.role === 'redis' ? redisPersistenceOff(svc) : undefined;
  if (cache) {
    const on = svc.volumes.find((m) => dirs.some((d) => holds(m.target, d)));
    const tmpfs = svc.tmpfs.find((t) => dirs.some((d) => holds(t.split(':')[0] ?? t, d)));
    const observed = on
      ? `${on.type} ${on.source ?? '(anonymous)'}:${on.target}`
      : tmpfs
        ? `tmpfs ${tmpfs}`
        : 'no mount';
    const note = `a cache: persistence is off (${cache}), so nothing on disk needs to survive; ${why}`;
    return {
      name,
      evidence: { ...base, expected: 'a named volume, or persistence off', observed, status: 'pass', note },
    };
  }
  const whole = svc.volumes.filter((m: Mount) => dirs.some((d) => holds(m.target, d)));
  const mounts =
    whole.length > 0 ? whole : svc.volumes.filter((m: Mount) => dirs.some((d) => inside(m.target, d)));
  const tmpfs = svc.tmpfs.filter((t) => dirs.some((d) => holds(t.split(':')[0] ?? t, d)));
  if (mounts.length === 0 && tmpfs.length > 0) {
    const note = `tmpfs at ${tmpfs.join(', ')}: data is lost on restart, and persistence is not turned off; ${why}`;
    return { name, fix, evidence: { ...base, observed: `tmpfs ${tmpfs.join(', ')}`, status: 'fail', note } };
  }
  if (mounts.length === 0) {
    const note = `nothing mounted at ${dirs.join(' or ')} (${why}): data lives in an anonymous volume or the container layer`;
    return { name, fix, evidence: { ...base, observed: 'no mount', status: 'fail', note } };
  }
  const problems: string[] = [];
  for (const m of mounts) {
    if (m.type === 'bind') problems.push(`bind mount ${m.source ?? '?'} at ${m.target}`);
    else if (interpolated(m.source) && !facts.volumes.includes(m.source ?? ''))
      problems.push(
        `host path from ${m.source} (unset here) at ${m.target}: a bind mount, not a named volume`,
      );
    else if (m.type === 'tmpfs') problems.push(`tmpfs at ${m.target}: data is lost on restart`);
    else if (m.type !== 'volume') problems.push(`${m.type} mount at ${m.target}`);
    else if (!m.source) problems.push(`anonymous volume at ${m.target}: a fresh one after down/up`);
    else if (!facts.volumes.includes(m.source))
      problems.push(`volume ${m.source} is not declared at top level`);
  }
  const first = mounts[0]!;
  const observed = mounts.map((m) => `${m.type} ${m.source ?? '(anonymous)'}:${m.target}`).join(', ');
  const at: Evidence = { ...base, file: first.file, line: first.line, observed };
  if (problems.length > 0)
    return { name, fix, evidence: { ...at, status: 'fail', note: problems.join('; ') } };
  return { name, evidence: { ...at, status: 'pass', note: why } };
}

export default defineCheck({
  id: 'compose/named-volumes',
  title: 'Database data lives in named volumes',
  failureTitle: 'Database data is not in named volumes',
  description:
    'Database files belong in a named volume declared at top level: it survives `docker compose down` and ' +
    're-creation, is managed by Docker, and avoids the slow file sharing of bind mounts on Docker Desktop and the ' +
    'ownership trouble of host paths. An anonymous volume is replaced by a fresh one after `down`/`up`, and a tmpfs ' +
    'loses everything on restart. The checklist asks for named volumes for persistence. Judged on the ClickHouse, ' +
    'PostgreSQL, Redis, MySQL and MongoDB data directories (/var/lib/clickhouse, /var/lib/postgresql/data or ' +
    '$PGDATA, /data, /var/lib/mysql, /data/db) of every service whose role is one of those, custom images included; a one-shot job run from such an image (an init or migration container) is listed, ' +
    'not judged. ' +
    'A source from a variable (`$' +
    '{DB_DATA_LOCATION}:/var/lib/postgresql/data`) is a host path, judged as a bind ' +
    'mount. A Redis used as a cache with persistence off (`--save "" --appendonly no`) keeps nothing to lose and ' +
    'needs no volume. ' +
    'See https://docs.docker.com/engine/storage/volumes/ and https://docs.docker.com/reference/compose-file/volumes/',
  seedRef: '3.3',
  severity: 'medium',
  kind: 'auto',
  requires: ['compose'],
  optional: ['dockerfile'],
  options,
  run(input, o) {
    const items: Judged[] = [];
    const dockerfiles = composeDockerfiles(input);
    for (const { service, facts } of composeServices(input)) {
      const role = serviceRole(service, input.roles, facts);
      if (!role.role || !o.dataDirs[role.role]) continue;
      // A job run from a database image (an init or migration container) keeps no database data.
      const oneShot = oneShotReason(service, input.roles, facts, dockerfiles);
      if (oneShot) {
        items.push(oneShotItem(service, oneShot));
        continue;
      }
      items.push(judge(service, facts, role, dataDirsOf(service, role.role, o)));
    }
    if (items.length === 0) {
      return {
        status: 'skip',
        message:
          'no database service (ClickHouse, PostgreSQL, Redis, MySQL, MongoDB) found from images, commands, ' +
          'healthchecks, environment or ports (name it under roles: in the config; see --explain-roles)',
        evidence: [],
      };
    }
    const outcome = longRunningOutcome(items, {
      passed: `all ${items.filter((i) => i.evidence.status !== 'info').length} database services keep their data in named volumes`,
      failed: 'without a named data volume',
      summary:
        'Mount each database data directory from a named volume declared under the top-level volumes key.',
    });
    const declare = items.filter((i) => i.fix).map((i) => `  ${i.name}-data: {}`);
    if (outcome.remediation) outcome.remediation.change += `\nvolumes:\n${declare.join('\n')}`;
    return outcome;
  },
});
