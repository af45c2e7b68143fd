import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHECKS } from '../../src/checks/index.js';
import { customChecks } from '../../src/config/custom.js';
import { loadConfig } from '../../src/config/load.js';
import { runCheck } from '../../src/core/engine.js';
import { InputError } from '../../src/core/errors.js';
import { type Facts, FactsSchema } from '../../src/core/facts.js';
import type { Report } from '../../src/core/report.js';
import { FIXTURES } from '../support/fixtures.js';
import { requireService } from '../support/services.js';

// Issue 13, item 3: `checks.custom:` in the config, one setting against one expected value,
// without JavaScript; run by the same engine as the built-ins, refused with file:line when wrong.
const ROOT = resolve(import.meta.dirname, '../..');
const tmp = () => mkdtempSync(join(tmpdir(), 'strisk-custom-'));

function configFile(yaml: string): string {
  const file = join(tmp(), 'strisk.config.yaml');
  writeFileSync(file, yaml);
  return file;
}

/** The declared checks of a config, as the CLI builds them. */
const declared = (yaml: string) => {
  const file = configFile(yaml);
  return customChecks(loadConfig(file, {}), CHECKS);
};

function entry(fields: Record<string, string>): string {
  const lines = Object.entries({
    ...fields,
    title: fields.title ?? 'a rule',
    fix: fields.fix ?? 'change it',
  }).map(([k, v]) => `      ${k}: ${v}`);
  lines[0] = `    - ${lines[0]!.trimStart()}`;
  return `checks:\n  custom:\n${lines.join('\n')}\n`;
}

const recorded = (path: string): Facts =>
  FactsSchema.parse(JSON.parse(readFileSync(join(FIXTURES, path), 'utf8')));

describe('a declared check judges recorded facts in the source’s own units', () => {
  // The recorded server has wal_buffers = 16MB (pg_settings: 2048 × 8kB).
  const pg = recorded('postgres/wal-buffers/success.facts.json');
  const judge = (compare: string, expected: string, setting = 'wal_buffers') =>
    runCheck(declared(entry({ id: 'acme/wal', source: 'postgres', setting, compare, expected }))[0]!, pg);

  it.each([
    ['gte', '16MB', 'pass'],
    ['gte', '16384kB', 'pass'],
    ['gt', '16MB', 'fail'],
    ['lt', '1GB', 'pass'],
    ['eq', '16MB', 'pass'],
    ['ne', '16MB', 'fail'],
    ['eq', '16777216', 'pass'], // a bare number is in the unit strisk records: bytes
    ['in', '[8MB, 16MB]', 'pass'],
    ['in', '[8MB, 32MB]', 'fail'],
  ])('wal_buffers %s %s: %s', (compare, expected, status) => {
    const r = judge(compare, expected);
    expect(r.status, r.message).toBe(status);
    expect(r.evidence[0]).toMatchObject({ observed: '16MB', status });
  });

  it('a size against a time setting is an error, never a verdict', () => {
    const r = judge('gte', '30s');
    expect(r.status).toBe('error');
    expect(r.message).toMatch(/wal_buffers is bytes \(16MB\), which cannot be held against 30s/);
  });

  it('an ordinary definition: severity, title, fix with the threshold filled in, options override it', () => {
    const [def] = declared(
      entry({
        id: 'acme/wal',
        source: 'postgres',
        setting: 'wal_buffers',
        compare: 'gte',
        expected: '64MB',
        severity: 'high',
        title: 'wal_buffers is at least 64MB',
        fix: `"ALTER SYSTEM SET wal_buffers = '{expected}'"`,
      }),
    );
    expect(def).toMatchObject({ id: 'acme/wal', severity: 'high', requires: ['postgres'], kind: 'auto' });
    const r = runCheck(def!, pg);
    expect(r).toMatchObject({
      status: 'fail',
      severity: 'high',
      title: 'Not met: wal_buffers is at least 64MB',
    });
    expect(r.evidence[0]).toMatchObject({ expected: '>= 64MB', note: expect.stringMatching(/^source: /) });
    expect(r.remediation?.summary).toBe("ALTER SYSTEM SET wal_buffers = '64MB'");
    const looser = runCheck(def!, pg, { options: { 'acme/wal': { expected: '8MB' } } });
    expect(looser.status).toBe('pass');
  });

  it('a dotted fact path, with * over lists, reads any source', () => {
    const redis = recorded('redis/maxmemory/success.facts.json');
    const [def] = declared(
      entry({ id: 'acme/role', source: 'redis', fact: 'nodes.*.role', compare: 'eq', expected: 'master' }),
    );
    const r = runCheck(def!, redis);
    expect(r.status).toBe('pass');
    expect(r.evidence.map((e) => e.subject)).toEqual([expect.stringMatching(/ nodes\.0\.role$/)]);
  });

  it('without the source configured it skips, with a structured reason', () => {
    const [def] = declared(
      entry({ id: 'acme/aof', source: 'redis', setting: 'appendonly', compare: 'eq', expected: 'yes' }),
    );
    const r = runCheck(def!, pg);
    expect(r).toMatchObject({
      status: 'skip',
      skipReason: { kind: 'source-not-configured', source: 'redis' },
    });
  });

  it('a value no target reports skips with reason no-data when declared so, else errors', () => {
    const redis = recorded('redis/maxmemory/success.facts.json');
    for (const n of (redis.sources.redis ?? []).flatMap(
      (t) => (t.data as { nodes: { config: { appendonly: unknown } }[] }).nodes,
    ))
      n.config.appendonly = null;
    const fields = { id: 'acme/aof', source: 'redis', setting: 'appendonly', compare: 'eq', expected: 'yes' };
    const [skips] = declared(entry({ ...fields, missing: 'skip' }));
    expect(runCheck(skips!, redis)).toMatchObject({
      status: 'skip',
      skipReason: { kind: 'no-data', source: 'redis' },
    });
    const [errs] = declared(entry(fields));
    const r = runCheck(errs!, redis);
    expect(r.status).toBe('error');
    expect(r.skipReason).toBeUndefined();
  });
});

describe('bad entries: file:line and what was expected', () => {
  const cases: [string, Record<string, string>, RegExp][] = [
    [
      'a bad id',
      { id: 'WorkMem', source: 'postgres', setting: 'work_mem', compare: 'eq', expected: '4MB' },
      /:3: checks, custom, item 1, id: expected <namespace>\/<noun>/,
    ],
    [
      'an unknown source',
      { id: 'acme/x', source: 'mysql', setting: 'x', compare: 'eq', expected: '1' },
      /:4: checks, custom, item 1, source: /,
    ],
    [
      'an unknown comparison',
      { id: 'acme/x', source: 'postgres', setting: 'work_mem', compare: 'atleast', expected: '1' },
      /:6: checks, custom, item 1, compare: /,
    ],
    [
      'a unit the source does not use',
      { id: 'acme/x', source: 'postgres', setting: 'work_mem', compare: 'gte', expected: '64 furlongs' },
      /:7: checks, custom, item 1, expected: "64 furlongs" has a unit postgres does not use/,
    ],
    [
      'an ordered comparison with text',
      { id: 'acme/x', source: 'redis', setting: 'maxmemory', compare: 'gte', expected: 'lots' },
      /:7: checks, custom, item 1, expected: "lots" is not a number/,
    ],
    [
      'a setting strisk does not read',
      { id: 'acme/x', source: 'redis', setting: 'hz', compare: 'lte', expected: '10' },
      /:5: checks, custom, item 1, setting: strisk does not read redis setting "hz"; it reads: maxmemory, /,
    ],
    [
      'a PostgreSQL setting name of the wrong shape',
      { id: 'acme/x', source: 'postgres', setting: 'Work-Mem', compare: 'present' },
      /:5: checks, custom, item 1, setting: "Work-Mem" is not a postgres setting name/,
    ],
    [
      'settings of a source that has none',
      { id: 'acme/x', source: 'docker', setting: 'x', compare: 'eq', expected: '1' },
      /:5: checks, custom, item 1, setting: docker has no settings/,
    ],
    [
      'both setting and fact',
      { id: 'acme/x', source: 'postgres', setting: 'work_mem', fact: 'server.version', compare: 'present' },
      /:5: checks, custom, item 1, setting: give either setting: or fact:/,
    ],
    [
      'no expected value',
      { id: 'acme/x', source: 'postgres', setting: 'work_mem', compare: 'gte' },
      /:3: checks, custom, item 1, expected: compare: gte needs expected:/,
    ],
    [
      'a broken regular expression',
      {
        id: 'acme/x',
        source: 'redis',
        setting: 'maxmemory-policy',
        compare: 'matches',
        expected: '"(allkeys"',
      },
      /:7: checks, custom, item 1, expected: not a regular expression/,
    ],
    [
      'no fix',
      { id: 'acme/x', source: 'redis', setting: 'appendonly', compare: 'eq', expected: 'yes', fix: '""' },
      /:8: checks, custom, item 1, fix/,
    ],
  ];
  it.each(cases)('%s', (_what, fields, message) => {
    const file = configFile(entry(fields));
    let error: unknown;
    try {
      customChecks(loadConfig(file, {}), CHECKS);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).format()).toMatch(message);
  });

  it('an id taken by a built-in, a checklist item or another entry', () => {
    const failure = (yaml: string) => {
      try {
        declared(yaml);
      } catch (err) {
        return (err as InputError).format();
      }
      return 'accepted';
    };
    const clash = (id: string) =>
      failure(entry({ id, source: 'postgres', setting: 'work_mem', compare: 'present' }));
    expect(clash('postgres/wal-buffers')).toMatch(
      /:3: checks, custom, item 1, id: "postgres\/wal-buffers" is already the id of a built-in or plugin check/,
    );
    // Every checklist item is implemented now: a Kubernetes item's id is a built-in's too.
    expect(clash('k8s/hpa-cpu-target')).toMatch(/is already the id of a built-in or plugin check/);
    const twice = `${entry({ id: 'acme/x', source: 'postgres', setting: 'work_mem', compare: 'present' })}${entry({ id: 'acme/x', source: 'postgres', setting: 'work_mem', compare: 'absent' }).replace('checks:\n  custom:\n', '')}`;
    let error: InputError | undefined;
    try {
      declared(twice);
    } catch (err) {
      error = err as InputError;
    }
    expect(error?.format()).toMatch(/:9: checks, custom, item 2, id: "acme\/x" is already another entry/);
  });

  it('exits 2 from the CLI, before anything is collected', () => {
    const dir = tmp();
    writeFileSync(
      join(dir, 'strisk.config.yaml'),
      entry({ id: 'acme/x', source: 'postgres', setting: 'work_mem', compare: 'gte', expected: 'lots' }),
    );
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/strisk.js'), 'audit', dir, '--postgres', 'postgres://u@127.0.0.1:1/db'],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
        timeout: 30_000,
      },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /strisk\.config\.yaml:7: checks, custom, item 1, expected: "lots" is not a number/,
    );
    expect(r.stdout).toBe('');
  });
});

describe('declared checks against the live test servers', () => {
  // The good cluster keeps PostgreSQL's defaults for work_mem (4MB), autovacuum (on) and its naptime (1min);
  // the good Redis runs allkeys-lru with AOF on.
  const CONFIG = `checks:
  custom:
    - id: acme/work-mem
      source: postgres
      setting: work_mem
      compare: gte
      expected: 64MB
      severity: high
      title: work_mem is at least 64MB on the analytics cluster
      fix: "ALTER SYSTEM SET work_mem = '{expected}'; SELECT pg_reload_conf();"
    - id: acme/naptime
      source: postgres
      setting: autovacuum_naptime
      compare: lte
      expected: 5min
      title: autovacuum wakes up at least every 5 minutes
      fix: ALTER SYSTEM SET autovacuum_naptime = '1min'
    - id: acme/autovacuum
      source: postgres
      setting: autovacuum
      compare: eq
      expected: on
      title: autovacuum is on
      fix: ALTER SYSTEM SET autovacuum = on
    - id: acme/eviction
      source: redis
      setting: maxmemory-policy
      compare: in
      expected: [allkeys-lru, allkeys-lfu]
      title: Redis evicts by recency or frequency
      fix: CONFIG SET maxmemory-policy allkeys-lru
    - id: acme/random-page-cost
      source: postgres
      setting: random_page_cost
      compare: lte
      expected: 1.1
      title: the planner knows the disks are SSDs
      fix: ALTER SYSTEM SET random_page_cost = 1.1
    - id: acme/pg15
      source: postgres
      fact: server.versionNum
      compare: gte
      expected: 150000
      title: PostgreSQL 15 or later
      fix: Upgrade PostgreSQL
waivers:
  - check: acme/work-mem
    reason: the analytics cluster moves next quarter
    owner: data-platform
    expires: 2099-01-01
`;

  function audit(format: string) {
    const dir = tmp();
    writeFileSync(join(dir, 'strisk.config.yaml'), CONFIG);
    const r = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin/strisk.js'),
        'audit',
        dir,
        '--postgres',
        requireService('STRISK_TEST_PG_GOOD'),
        '--redis',
        requireService('STRISK_TEST_REDIS_GOOD'),
        '--only',
        'acme/*',
        '--timeout',
        '20000',
        '--format',
        format,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' }, timeout: 90_000 },
    );
    expect(r.stderr).toBe('');
    return { code: r.status, stdout: r.stdout };
  }

  it('judges PostgreSQL and Redis as configured, waivable like any check', () => {
    const { code, stdout } = audit('json');
    const report = JSON.parse(stdout) as Report;
    const byId = Object.fromEntries(report.results.map((r) => [r.id, r]));
    expect(Object.keys(byId).sort()).toEqual([
      'acme/autovacuum',
      'acme/eviction',
      'acme/naptime',
      'acme/pg15',
      'acme/random-page-cost',
      'acme/work-mem',
    ]);
    expect(byId['acme/work-mem']).toMatchObject({
      status: 'fail',
      severity: 'high',
      waiver: expect.anything(),
    });
    expect(byId['acme/work-mem']!.evidence[0]).toMatchObject({
      observed: '4MB',
      expected: '>= 64MB',
      status: 'fail',
    });
    expect(byId['acme/work-mem']!.remediation?.summary).toMatch(/work_mem = '64MB'/);
    expect(byId['acme/naptime']!.evidence[0]).toMatchObject({
      observed: '1min',
      expected: '<= 5min',
      status: 'pass',
    });
    expect(byId['acme/eviction']!.evidence[0]).toMatchObject({ observed: 'allkeys-lru', status: 'pass' });
    expect(byId['acme/pg15']!.status).toBe('pass');
    // Not one of the settings the built-ins read: collected because the config names it (default 4).
    expect(byId['acme/random-page-cost']!.evidence[0]).toMatchObject({
      observed: 4,
      expected: '<= 1.1',
      status: 'fail',
    });
    expect(byId['acme/autovacuum']!.evidence[0]).toMatchObject({
      observed: 'on',
      expected: '= on',
      status: 'pass',
    });
    expect(code).toBe(1); // acme/random-page-cost fails; acme/work-mem is waived
    expect(report.gate.reasons.join('\n')).toMatch(/acme\/random-page-cost/);
    expect(report.gate.reasons.join('\n')).not.toMatch(/acme\/work-mem/);
    expect(report.sections.map((s) => s.section)).toContain('Declared in the config');
  });

  it('appears in the other formats and in `strisk checks -c`', () => {
    for (const format of ['terminal', 'junit', 'sarif', 'markdown']) {
      expect(audit(format).stdout, format).toContain('acme/work-mem');
    }
    const dir = tmp();
    const file = join(dir, 'strisk.config.yaml');
    writeFileSync(file, CONFIG);
    const list = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/strisk.js'), 'checks', '-c', file, '--format', 'json'],
      {
        encoding: 'utf8',
      },
    );
    const rows = JSON.parse(list.stdout) as { id: string; source: string; implemented: boolean }[];
    expect(rows.find((r) => r.id === 'acme/eviction')).toMatchObject({ source: 'redis', implemented: true });
  });
});

describe('a declared check on located facts (compose values, manifests)', () => {
  it('judges the value, not its { value, file, line } wrapper, and the evidence keeps the file:line', () => {
    const project = join(tmp(), 'p');
    cpSync(join(ROOT, 'examples/st-risk-platform'), project, { recursive: true });
    appendFileSync(
      join(project, 'strisk.config.yaml'),
      [
        '  custom:',
        '    - id: org/k8s-replicas',
        '      source: k8s',
        '      fact: workloads.*.replicas',
        '      compare: gte',
        '      expected: 2',
        '      missing: skip',
        '      title: every workload runs at least two replicas',
        '      fix: raise spec.replicas',
        '',
      ].join('\n'),
    );
    const r = spawnSync(
      process.execPath,
      [join(ROOT, 'bin/strisk.js'), 'audit', project, '--only', 'org/k8s-replicas', '--format', 'json'],
      { encoding: 'utf8' },
    );
    expect(r.status, r.stderr).toBe(1);
    const result = (JSON.parse(r.stdout) as Report).results[0]!;
    expect(result.status).toBe('fail');
    expect(result.evidence.filter((e) => e.status === 'fail')).toEqual([
      expect.objectContaining({ file: 'k8s/data.yaml', line: 8, observed: 1 }),
      expect.objectContaining({ file: 'k8s/data.yaml', line: 40, observed: 1 }),
      expect.objectContaining({ file: 'k8s/worker.yaml', line: 7, observed: 1 }),
    ]);
    expect(result.evidence.find((e) => e.file === 'k8s/api.yaml')).toMatchObject({
      observed: 3,
      status: 'pass',
    });
  });
});
