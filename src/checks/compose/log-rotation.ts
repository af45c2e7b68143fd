import { z } from 'zod';
import type { ComposeFacts, ComposeService } from '../../collectors/compose/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import { worstStatus } from '../../core/status.js';
import { dockerSize, formatBytes, parseCount, parseDockerSize, sizeOption } from '../../facts/common.js';
import {
  composeServices,
  driverName,
  type Judged,
  noServices,
  outcomeOf,
  SHIPPING_DRIVERS,
  unjudgeable,
} from '../../facts/compose.js';

const options = z.object({
  /** The checklist's "max 10MB per file, 3 files kept". */
  maxSizeBytes: sizeOption(10 * 1024 * 1024),
  maxFile: z.number().int().positive().default(3),
  /** Drivers that bound local disk use on their own: `local` rotates by default, the rest ship logs away. */
  acceptedDrivers: z.array(z.string()).default(['local', 'journald', ...SHIPPING_DRIVERS]),
});
type Options = z.output<typeof options>;
type Verdict = { status: 'pass' | 'warn' | 'fail'; note?: string };

/** `max-size` and `max-file` of a json-file logging block. */
function jsonFileVerdicts(
  svc: ComposeService,
  unresolved: ComposeFacts['unresolved'],
  o: Options,
): Verdict[] {
  const opts = svc.logging?.options ?? {};
  const out: Verdict[] = [];
  const size = opts['max-size'];
  if (!size) out.push({ status: 'fail', note: 'no max-size: json-file never rotates' });
  else {
    const bytes = parseDockerSize(size.value);
    const bad = unjudgeable(unresolved, { ...size, raw: size.raw ?? size.value, value: bytes });
    if (bad) out.push({ status: bad.status === 'warn' ? 'warn' : 'fail', note: `max-size ${bad.note}` });
    else if (bytes !== null && bytes > o.maxSizeBytes) {
      out.push({ status: 'fail', note: `max-size ${formatBytes(bytes)} > ${formatBytes(o.maxSizeBytes)}` });
    }
  }
  const files = opts['max-file'];
  if (files) {
    const count = parseCount(files.value);
    const bad = unjudgeable(unresolved, { ...files, raw: files.raw ?? files.value, value: count });
    if (bad) out.push({ status: bad.status === 'warn' ? 'warn' : 'fail', note: `max-file ${bad.note}` });
    else if (count !== null && count > o.maxFile)
      out.push({ status: 'fail', note: `max-file ${count} > ${o.maxFile}` });
  }
  return out;
}

function judge(svc: ComposeService, unresolved: ComposeFacts['unresolved'], o: Options): Judged {
  const name = svc.name;
  const fix = [
    'logging:',
    '  driver: json-file',
    '  options:',
    `    max-size: ${dockerSize(o.maxSizeBytes).toLowerCase()}`,
    `    max-file: "${o.maxFile}"`,
  ];
  const expected = `json-file with max-size ≤ ${formatBytes(o.maxSizeBytes)} and max-file ≤ ${o.maxFile}, or local`;
  const lg = svc.logging;
  const base: Evidence = {
    subject: `service ${name}`,
    file: lg?.file ?? svc.file,
    line: lg?.line ?? svc.line,
    expected,
  };
  const driverLoc = lg?.driver;
  if (driverLoc) {
    const bad = unjudgeable(unresolved, driverLoc);
    if (bad) return { name, fix, evidence: { ...base, ...bad, note: `driver ${bad.note}` } };
  }
  const driver = driverLoc ? driverName(driverLoc.value) : 'json-file';
  const opts = Object.entries(lg?.options ?? {}).map(([k, v]) => `${k}=${v.value}`);
  const observed = [driverLoc ? driver : 'json-file (default)', ...opts].join(', ');
  if (driver === 'json-file') {
    const verdicts = jsonFileVerdicts(svc, unresolved, o);
    const status = worstStatus(verdicts);
    const notes = verdicts.map((v) => v.note);
    if (!driverLoc)
      notes.push("no logging driver set: Docker's default json-file assumed (daemon.json may set another)");
    const evidence: Evidence = { ...base, observed, status, note: notes.join('; ') || undefined };
    return { name, fix: status === 'pass' ? undefined : fix, evidence };
  }
  if (driver === 'none') {
    return {
      name,
      fix,
      evidence: { ...base, observed, status: 'warn', note: 'driver none keeps no logs at all' },
    };
  }
  if (o.acceptedDrivers.includes(driver)) {
    const note =
      driver === 'local'
        ? 'local rotates by default (20 MiB × 5 files, compressed)'
        : driver === 'journald'
          ? "journald's own limits bound disk use"
          : 'logs are shipped off the host; the local cache rotates by default';
    return { name, evidence: { ...base, observed, status: 'pass', note } };
  }
  const note = `cannot tell whether driver ${driver} rotates (add it to acceptedDrivers if it does)`;
  return { name, fix, evidence: { ...base, observed, status: 'warn', note } };
}

export default defineCheck({
  id: 'compose/log-rotation',
  title: 'Container logs rotate (10 MB × 3 files)',
  failureTitle: 'Container logs grow without bound',
  description:
    "Docker's default `json-file` driver never rotates: a chatty container fills the disk and takes the host's " +
    'databases down with it. The checklist asks for at most 10 MB per file and 3 files kept. `max-file` only ' +
    'takes effect with `max-size`; the `local` driver rotates by default. This is container stdout rotation; ' +
    "the application's own log files (checklist 5.2, 100 MB and 7 days) are `app/log-files`. A service without " +
    "a logging block is judged as json-file, though the daemon's daemon.json may set other defaults " +
    '(`docker/container-limits` sees what really runs). ' +
    'See https://docs.docker.com/engine/logging/drivers/json-file/ and https://docs.docker.com/engine/logging/drivers/local/',
  seedRef: '3.2',
  severity: 'high',
  kind: 'auto',
  requires: ['compose'],
  options,
  run(input, o) {
    const refs = composeServices(input);
    if (refs.length === 0) return noServices();
    const items = refs.map(({ service, facts }) => judge(service, facts.unresolved, o));
    return outcomeOf(items, {
      passed: `all ${items.length} services rotate their logs`,
      failed: 'with unbounded or oversized logs',
      warned: 'whose log rotation cannot be confirmed',
      summary: `Rotate container logs: json-file with max-size ${dockerSize(o.maxSizeBytes).toLowerCase()} and max-file ${o.maxFile} (an x-logging anchor keeps it in one place).`,
    });
  },
});
