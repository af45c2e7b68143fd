import { z } from 'zod';
import type { ComposeFacts, ComposeService } from '../../collectors/compose/schema.js';
import type { DockerfileFacts } from '../../collectors/dockerfile/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  composeDockerfiles,
  isLongRunning,
  type Judged,
  outcomeOf,
  roleNote,
  runsApiServer,
  serviceRole,
  servicesYaml,
} from '../../facts/compose.js';

const options = z.object({
  /** Roles the API must wait for, healthy. */
  apiWaitsFor: z.array(z.string()).default(['postgres', 'clickhouse']),
  /** The checklist's order PostgreSQL -> ClickHouse -> FastAPI. */
  clickhouseAfterPostgres: z.boolean().default(true),
});

type Edge = ComposeService['dependsOn'][number];

/**
 * The shortest chain of depends_on edges from `from` that follows only the edges `follow` accepts
 * and ends on the first edge `found` accepts (breadth first, each service visited once).
 */
function shortestPath(
  byName: Map<string, ComposeService>,
  from: string,
  follow: (e: Edge) => boolean,
  found: (e: Edge) => boolean,
): Edge[] | undefined {
  const seen = new Set([from]);
  let frontier: { name: string; path: Edge[] }[] = [{ name: from, path: [] }];
  while (frontier.length > 0) {
    const next: typeof frontier = [];
    for (const { name, path } of frontier) {
      for (const e of byName.get(name)?.dependsOn ?? []) {
        if (!follow(e)) continue;
        if (found(e)) return [...path, e];
        if (!seen.has(e.service)) {
          seen.add(e.service);
          next.push({ name: e.service, path: [...path, e] });
        }
      }
    }
    frontier = next;
  }
  return undefined;
}

/** The shortest chain of depends_on edges from one service to another, through healthy edges only if asked. */
const chain = (byName: Map<string, ComposeService>, from: string, to: string, healthyOnly: boolean) =>
  shortestPath(
    byName,
    from,
    (e) => !healthyOnly || e.condition === 'service_healthy',
    (e) => e.service === to,
  );

const via = (path: Edge[]) =>
  path.length > 1
    ? ` via ${path
        .slice(0, -1)
        .map((e) => e.service)
        .join(' → ')}`
    : '';

/**
 * An app that `from` waits for to be healthy (through healthy hops only), that itself depends on
 * `to` and has a healthcheck: once it is healthy it has started after `to` and come up with it, so
 * `to` answers by then (netbox's worker waits for a healthy netbox, which depends on postgres).
 */
function readyThrough(
  byName: Map<string, ComposeService>,
  from: ComposeService,
  to: ComposeService,
  isApp: (name: string) => boolean,
): { app: ComposeService; path: Edge[] } | undefined {
  const readyApp = (e: Edge) => {
    const hop = byName.get(e.service);
    const healthy = hop?.healthcheck && !hop.healthcheck.disabled;
    return Boolean(healthy && isApp(e.service) && hop.dependsOn.some((d) => d.service === to.name));
  };
  const path = shortestPath(
    byName,
    from.name,
    (e) => e.condition === 'service_healthy' && e.service !== to.name,
    readyApp,
  );
  return path && { app: byName.get(path.at(-1)!.service)!, path };
}

/** Whether `from` waits for `to` to be healthy; `weak` is what a start-order-only dependency gets. */
function judgePair(
  byName: Map<string, ComposeService>,
  from: ComposeService,
  to: ComposeService,
  weak: 'warn' | 'fail',
  isApp: (name: string) => boolean = () => false,
): Judged {
  const subject = `service ${from.name} → ${to.name}`;
  const expected = `depends_on ${to.name} with condition: service_healthy`;
  const direct = from.dependsOn.find((e) => e.service === to.name);
  const base: Evidence = {
    subject,
    file: direct?.file ?? from.file,
    line: direct?.line ?? from.line,
    expected,
  };
  const healthy = chain(byName, from.name, to.name, true);
  const target = `${to.name}:`;
  const fix = ['depends_on:', `  ${target}`, '    condition: service_healthy'];
  if (healthy) {
    const hc = to.healthcheck;
    if (!hc || hc.disabled) {
      const note = `${to.name} has no healthcheck, so service_healthy can never be met`;
      return { name: from.name, evidence: { ...base, observed: 'service_healthy', status: 'fail', note } };
    }
    return {
      name: from.name,
      evidence: { ...base, observed: `service_healthy${via(healthy)}`, status: 'pass' },
    };
  }
  const ready = readyThrough(byName, from, to, isApp);
  if (ready) {
    const hops = ready.path.map((e) => e.service).join(' → ');
    const note = `${ready.app.name} is healthy only once it is up, and it depends on ${to.name} and uses it: ${to.name} answers by then`;
    const last = ready.path.at(-1)!;
    return {
      name: from.name,
      evidence: {
        ...base,
        file: last.file,
        line: last.line,
        observed: `service_healthy on ${hops}`,
        status: 'pass',
        note,
      },
    };
  }
  const any = chain(byName, from.name, to.name, false);
  if (any) {
    const observed = `${any.map((e) => e.condition).join(', ')}${via(any)}`;
    const note = 'start order only: Compose does not wait for readiness without service_healthy';
    return { name: from.name, fix, evidence: { ...base, observed, status: weak, note } };
  }
  // ClickHouse does not need PostgreSQL to start: the checklist's order between them is advice, so its absence warns.
  const note = weak === 'warn' ? 'the checklist orders them; neither needs the other to start' : undefined;
  return { name: from.name, fix, evidence: { ...base, observed: 'no depends_on', status: weak, note } };
}

/**
 * The databases `app` shows it uses: those a depends_on chain reaches without passing through
 * another app (a frontend that depends on the backend does not use the backend's database), and
 * those whose name is an address in an environment value (`@db:5432/`, `=db`, `//db`). One walk
 * and one scan of the environment per app: a stack can hold thousands of apps and databases.
 */
function usedDatabases(
  byName: Map<string, ComposeService>,
  app: ComposeService,
  dbByName: Map<string, ComposeService>,
  isApp: (name: string) => boolean,
): Set<ComposeService> {
  const used = new Set<ComposeService>();
  const seen = new Set([app.name]);
  const queue = [app.name];
  while (queue.length > 0) {
    for (const e of byName.get(queue.shift()!)?.dependsOn ?? []) {
      if (seen.has(e.service)) continue;
      seen.add(e.service);
      const db = dbByName.get(e.service);
      if (db) used.add(db);
      if (!isApp(e.service)) queue.push(e.service);
    }
  }
  for (const v of Object.values(app.environment)) {
    if (v.value === null) continue;
    // Words between address delimiters; a database name among them is checked with the full rule.
    for (const word of v.value.split(/[@/=:,?\s]+/)) {
      const db = dbByName.get(word);
      if (db && !used.has(db) && addressPattern(db.name).test(v.value)) used.add(db);
    }
  }
  return used;
}

/** `name` as a host in a value: after a start or a delimiter, before an optional port and an end. */
function addressPattern(name: string): RegExp {
  return new RegExp(`(^|[@/=:,\\s])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(:\\d+)?([/:?,\\s]|$)`);
}

/** Names in a note: the first few, then how many more (a stack can hold thousands). */
const SHOWN = 5;

/**
 * One info item for the databases an app is not held to: one item per app, not one per pair, so
 * the report of a stack of many apps and databases grows with the services, not their product.
 */
function notJudgedItem(app: ComposeService, dbs: ComposeService[], role: string): Judged {
  const names = dbs.slice(0, SHOWN).map((d) => d.name);
  const more = dbs.length > SHOWN ? ` and ${dbs.length - SHOWN} more` : '';
  // An env_file that is not there may hold the address: say so, so the user can tell.
  const absent = (app.envFiles ?? []).filter((f) => f.missing).map((f) => f.path);
  const unread = absent.length > 0 ? ` (env_file ${absent.join(', ')} not found: not read)` : '';
  const list = `${names.join(', ')}${more}${unread}`;
  return {
    name: app.name,
    evidence: {
      subject: dbs.length === 1 ? `service ${app.name} → ${dbs[0]!.name}` : `service ${app.name}`,
      file: app.file,
      line: app.line,
      status: 'info',
      note: `${role}; no depends_on or address of ${list}: not judged`,
    },
  };
}

function judgeProject(
  facts: ComposeFacts,
  roles: Record<string, string>,
  o: z.output<typeof options>,
  dockerfiles: DockerfileFacts[] | undefined,
) {
  const byName = new Map(facts.services.map((s) => [s.name, s]));
  const running = facts.services.filter((s) => isLongRunning(s, roles, facts, dockerfiles));
  // Grouped once: the loops below ask per app, and a file can have thousands of services.
  const byRole = new Map<string, ComposeService[]>();
  for (const s of running) {
    const role = serviceRole(s, roles, facts).role ?? '';
    const group = byRole.get(role);
    if (group) group.push(s);
    else byRole.set(role, [s]);
  }
  const withRole = (r: string) => byRole.get(r) ?? [];
  const apps = [...withRole('app'), ...withRole('worker')];
  const appNames = new Set(apps.map((a) => a.name));
  const isApp = (name: string) => appNames.has(name);
  const databases = o.apiWaitsFor.flatMap(withRole);
  const dbByName = new Map(databases.map((d) => [d.name, d]));
  // Every app is held to wait for the databases it uses: the API server, and a worker next to it
  // that uses PostgreSQL too.
  const api = apps;
  const items: Judged[] = [];
  for (const a of api) {
    // The databases of each role this app shows it uses (a depends_on chain, an address).
    const used = usedDatabases(byName, a, dbByName, isApp);
    const roleOf = (db: ComposeService) => serviceRole(db, roles, facts).role ?? '';
    const usedRoles = new Set([...used].map(roleOf));
    const apiServer = runsApiServer(a);
    const notJudged: ComposeService[] = [];
    for (const db of databases) {
      if (used.has(db)) {
        items.push(judgePair(byName, a, db, 'fail', isApp));
        continue;
      }
      // With several apps, one that shows no sign of using a database (no dependency, no address
      // of it in its environment) is not held to wait for it: an ML worker has no use for
      // PostgreSQL. An API server is held to every database of a role unless it shows which one of
      // that role it uses: with one PostgreSQL per API (one stack of several services), api-a is
      // not held to api-b's database.
      if ((api.length > 1 && !apiServer) || (apiServer && usedRoles.has(roleOf(db)))) {
        notJudged.push(db);
        continue;
      }
      items.push(judgePair(byName, a, db, 'fail', isApp));
    }
    if (notJudged.length > 0) items.push(notJudgedItem(a, notJudged, roleNote(serviceRole(a, roles, facts))));
  }
  if (api.length > 0 && o.clickhouseAfterPostgres) {
    for (const ch of withRole('clickhouse')) {
      for (const pg of withRole('postgres')) items.push(judgePair(byName, ch, pg, 'warn'));
    }
  }
  return { api, items };
}

export default defineCheck({
  id: 'compose/startup-order',
  title: 'The API waits for healthy databases (PostgreSQL → ClickHouse → API)',
  failureTitle: 'The API can start before its databases are ready',
  description:
    'An API that starts before its databases accept connections fails its first requests or crash-loops. The ' +
    'checklist asks for the startup order PostgreSQL → ClickHouse → FastAPI. It says `depends_on` gives that ' +
    'order; in fact plain `depends_on` (condition `service_started`) only orders container starts, and only ' +
    '`condition: service_healthy` waits until the dependency passes its healthcheck. So the API must depend on ' +
    'ClickHouse and PostgreSQL with `service_healthy` (directly or through healthy hops such as PgBouncer; ' +
    'waiting for a healthy app that itself depends on the database and has a healthcheck also counts: once ' +
    'that app is healthy, the database answers), and ' +
    'ClickHouse should depend on PostgreSQL (missing, or start order only, is a warning: neither needs the other). ' +
    'Every long-running app or worker is held to the databases it uses; with several apps, one that shows no ' +
    'sign of using a database (no depends_on chain to it that avoids other apps, no address of it in its ' +
    'environment, `env_file` variables included: a frontend that talks to the backend) is listed as not judged, ' +
    'and an API server that shows which database of a role it uses is not held to the others of that role (one ' +
    'PostgreSQL per API). ' +
    'See https://docs.docker.com/compose/how-tos/startup-order/ and ' +
    'https://docs.docker.com/reference/compose-file/services/#depends_on',
  seedRef: '3.3',
  severity: 'medium',
  kind: 'auto',
  requires: ['compose'],
  optional: ['dockerfile'],
  options,
  run(input, o) {
    const dockerfiles = composeDockerfiles(input);
    const projects = input
      .source('compose')
      .flatMap((t) => (t.data ? [judgeProject(t.data, input.roles, o, dockerfiles)] : []));
    const items = projects.flatMap((p) => p.items);
    if (!projects.some((p) => p.api.length > 0)) {
      return {
        status: 'skip',
        message:
          'no long-running app service found from images, commands, dependencies or build ' +
          '(name it under roles: in the config; see --explain-roles)',
        evidence: [],
      };
    }
    if (!items.some((i) => i.evidence.status !== 'info')) {
      return {
        status: 'skip',
        message: `no ${o.apiWaitsFor.join(' or ')} service that an app uses in the compose model (external databases?)`,
        evidence: items.map((i) => i.evidence),
      };
    }
    const outcome = outcomeOf(items, {
      passed: 'the API waits for healthy databases, in the checklist order',
      failed: 'that may start before a database is ready',
      warned: 'ordered after PostgreSQL by start only',
      summary: 'Make dependants wait for healthy databases (merge into the existing depends_on).',
    });
    const fixes = new Map<string, string[]>();
    for (const i of items) {
      if (!i.fix || i.evidence.status === 'pass') continue;
      fixes.set(i.name, [...(fixes.get(i.name) ?? ['depends_on:']), ...i.fix.slice(1)]);
    }
    if (outcome.remediation) {
      outcome.remediation.change = servicesYaml([...fixes].map(([name, lines]) => ({ name, lines })));
    }
    return outcome;
  },
});
