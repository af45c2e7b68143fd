import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { legacyTargetName, targetRenamer } from '../../src/policy/legacy-targets.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/strisk.js');

// PostgreSQL and PgBouncer targets were named without their user; now by their redacted URL.
const OLD_PG = 'postgres://127.0.0.1:15433/app';
const NEW_PG = 'postgres://auditor:***@127.0.0.1:15433/app';
const OLD_PGB = 'pgbouncer://127.0.0.1:16432/pgbouncer';
const NEW_PGB = 'postgres://postgres@127.0.0.1:16432/pgbouncer';

function strisk(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Recorded facts (the repo's fixtures keep the old names) with PostgreSQL and PgBouncer failing. */
function recordings(dir: string): { old: string; renamed: string } {
  const read = (f: string) => JSON.parse(readFileSync(join(ROOT, 'fixtures/checks', f), 'utf8'));
  const facts = read('pgbouncer/pool-size/failure.facts.json');
  facts.sources.postgres = read('postgres/missing-index/failure.facts.json').sources.postgres;
  const old = join(dir, 'old.facts.json');
  const text = JSON.stringify(facts, null, 2);
  writeFileSync(old, text);
  expect(text).toContain(`"${OLD_PG}"`);
  expect(text).toContain(`"${OLD_PGB}"`);
  // The same run as this version records it.
  const renamed = join(dir, 'new.facts.json');
  writeFileSync(
    renamed,
    text.replaceAll(`"${OLD_PG}"`, `"${NEW_PG}"`).replaceAll(`"${OLD_PGB}"`, `"${NEW_PGB}"`),
  );
  return { old, renamed };
}

function report(facts: string, out: string, extra: string[] = []): Report {
  const r = strisk(['audit', '--facts', facts, '--format', `json=${out}`, '--format', 'terminal', ...extra]);
  expect(r.code, r.stderr).toBe(1);
  return JSON.parse(readFileSync(out, 'utf8')) as Report;
}

const flaggedSubjects = (r: Report) =>
  r.results.flatMap((x) => x.evidence.filter((e) => e.fingerprint).map((e) => e.subject));

describe('a baseline that names PostgreSQL / PgBouncer targets the old way', () => {
  it('compares as no change with a run that names them the new way, both ways round', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-legacy-'));
    const facts = recordings(dir);
    const before = report(facts.old, join(dir, 'old.json'));
    const subjects = flaggedSubjects(before);
    expect(subjects).toContain(`${OLD_PG} public.events`);
    expect(subjects).toContain(`${OLD_PGB} default_pool_size`);

    const after = report(facts.renamed, join(dir, 'new.json'), ['--baseline', join(dir, 'old.json')]);
    expect(flaggedSubjects(after)).toContain(`${NEW_PG} public.events`);
    expect(flaggedSubjects(after)).toContain(`${NEW_PGB} default_pool_size`);
    expect(after.comparison?.regressions).toEqual([]);
    expect(after.comparison?.improvements).toEqual([]);
    expect(after.comparison?.findings).toMatchObject({ new: 0, fixed: 0 });
    expect(after.comparison?.findings?.unchanged).toBeGreaterThanOrEqual(subjects.length);

    // An old recording replayed against a new baseline.
    const replay = report(facts.old, join(dir, 'replay.json'), ['--baseline', join(dir, 'new.json')]);
    expect(replay.comparison?.findings).toMatchObject({ new: 0, fixed: 0 });
    expect(replay.comparison?.regressions).toEqual([]);

    // `strisk compare OLD NEW` between the two saved reports.
    const compared = strisk(['compare', join(dir, 'old.json'), join(dir, 'new.json'), '--format', 'json']);
    expect(compared.code, compared.stderr).toBe(0);
    const c = JSON.parse(compared.stdout);
    expect(c.regressions).toEqual([]);
    expect(c.findings).toMatchObject({ new: 0, fixed: 0 });
  }, 30_000);

  it('keeps a waiver written for the old name covering the target', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-legacy-'));
    const facts = recordings(dir);
    writeFileSync(
      join(dir, 'strisk.config.yaml'),
      `project: p\nwaivers:\n  - check: postgres/missing-index\n    target: ${OLD_PG} public.events\n    reason: r\n    owner: o\n    expires: 2999-01-01\n`,
    );
    const r = report(facts.renamed, join(dir, 'r.json'), ['--config', join(dir, 'strisk.config.yaml')]);
    expect(r.results.find((x) => x.id === 'postgres/missing-index')?.waiver?.target).toBe(
      `${NEW_PG} public.events`,
    );
  }, 30_000);
});

describe('legacyTargetName', () => {
  it('gives the old name from either form', () => {
    expect(legacyTargetName('postgres', NEW_PG)).toBe(OLD_PG);
    expect(legacyTargetName('postgres', OLD_PG)).toBe(OLD_PG);
    expect(legacyTargetName('postgres', 'postgresql://u:***@[::1]/app?sslmode=require')).toBe(
      'postgres://[::1]:5432/app',
    );
    expect(legacyTargetName('pgbouncer', NEW_PGB)).toBe(OLD_PGB);
    expect(legacyTargetName('pgbouncer', 'postgres://postgres@127.0.0.1:16432')).toBe(OLD_PGB);
    expect(legacyTargetName('postgres', OLD_PGB)).toBeUndefined();
    expect(legacyTargetName('postgres', 'staging db')).toBeUndefined();
  });

  it('renames only a word that matches exactly one target', () => {
    const rename = targetRenamer([
      { source: 'postgres', target: NEW_PG },
      { source: 'pgbouncer', target: NEW_PGB },
      { source: 'redis', target: 'redis://127.0.0.1:6379' },
    ]);
    expect(rename(`${OLD_PGB} → ${OLD_PG}`)).toBe(`${NEW_PGB} → ${NEW_PG}`);
    expect(rename(`${NEW_PG} wal_buffers`)).toBe(`${NEW_PG} wal_buffers`);
    expect(rename('postgres://127.0.0.1:15999/app x')).toBe('postgres://127.0.0.1:15999/app x');
    const twice = targetRenamer([
      { source: 'postgres', target: NEW_PG },
      { source: 'postgres', target: 'postgres://reader:***@127.0.0.1:15433/app' },
    ]);
    expect(twice(OLD_PG)).toBe(OLD_PG);
  });
});
