import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';
import { findingsOf } from '../../src/policy/findings.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/strisk.js');

// GitHub code scanning's limits on an uploaded SARIF file, from "SARIF results exceed limit"
// (docs.github.com/en/code-security/code-scanning/troubleshooting-sarif-uploads/results-exceed-limit)
// and "SARIF support for code scanning" (the 10 MB gzip-compressed upload size).
const GITHUB = {
  gzipBytes: 10 * 1024 * 1024,
  runs: 20,
  results: 25_000,
  rules: 25_000,
  locations: 1000,
  tags: 20,
};

const dir = mkdtempSync(join(tmpdir(), 'strisk-sarif-'));
const repo = join(dir, 'repo');
const project = join(repo, 'examples', 'st-risk-platform');
const out = (name: string) => join(dir, name);
const run = (...args: string[]) =>
  spawnSync(process.execPath, [BIN, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });

/* biome-ignore lint/suspicious/noExplicitAny: SARIF is read as untyped JSON */
type Json = any;
let sarif: Json;
let report: Report;

beforeAll(() => {
  // The example in a subdirectory of a git repository, as in a monorepo.
  mkdirSync(join(repo, 'examples'), { recursive: true });
  cpSync(join(ROOT, 'examples/st-risk-platform'), project, { recursive: true });
  execFileSync('git', ['init', '-q', repo]);
  const r = run(
    'audit',
    project,
    '--format',
    `sarif=${out('r.sarif')}`,
    '--format',
    `json=${out('r.json')}`,
    '--format',
    `github=${out('r.github')}`,
  );
  expect(r.status, r.stderr).toBe(1);
  sarif = JSON.parse(readFileSync(out('r.sarif'), 'utf8'));
  report = JSON.parse(readFileSync(out('r.json'), 'utf8'));
});

describe('SARIF of the example audited from a subdirectory of a repository', () => {
  it('passes the SARIF 2.1.0 schema', () => {
    // Vendored from @microsoft/jest-sarif 1.0.0-beta.0 (lib/schemas/sarif-2.1.0-rtm.5.json).
    const schema = JSON.parse(readFileSync(join(import.meta.dirname, 'sarif-2.1.0-rtm.5.json'), 'utf8'));
    const ajv = new Ajv.default({ allErrors: true, strict: false, unicodeRegExp: false });
    addFormats.default(ajv);
    const validate = ajv.compile(schema);
    expect(validate(sarif), JSON.stringify(validate.errors?.slice(0, 3))).toBe(true);
  });

  it("passes GitHub's upload rules: one physical location per result, relative paths, known rules, fingerprints, limits", () => {
    expect(gzipSync(readFileSync(out('r.sarif'))).length).toBeLessThan(GITHUB.gzipBytes);
    expect(sarif.runs.length).toBeLessThanOrEqual(GITHUB.runs);
    const runs: Json[] = sarif.runs;
    for (const run of runs) {
      const rules: Json[] = run.tool.driver.rules;
      expect(rules.length).toBeLessThanOrEqual(GITHUB.rules);
      expect(run.results.length).toBeLessThanOrEqual(GITHUB.results);
      expect(run.tool.driver.informationUri).toMatch(/^https:\/\//);
      expect(run.tool.driver.informationUri).not.toBe('https://github.com/strisk/strisk');
      const ids = new Set(rules.map((x) => x.id));
      expect(ids.size).toBe(rules.length);
      for (const rule of rules) {
        expect(rule.helpUri, rule.id).toMatch(/^https:\/\/\S+$/);
        expect(rule.help.text.length, rule.id).toBeGreaterThan(40);
        expect(rule.fullDescription.text.length, rule.id).toBeGreaterThan(20);
        expect(rule.properties.tags.length).toBeLessThanOrEqual(GITHUB.tags);
      }
      for (const x of run.results as Json[]) {
        expect(ids.has(x.ruleId), x.ruleId).toBe(true);
        expect(rules[x.ruleIndex].id).toBe(x.ruleId);
        expect(x.locations).toHaveLength(1);
        const physical = x.locations[0].physicalLocation;
        expect(physical, x.ruleId).toBeDefined();
        const uri: string = physical.artifactLocation.uri;
        expect(uri, x.ruleId).not.toMatch(/^([a-z]+:|\/|\.\.?\/)/i);
        expect(uri.startsWith('examples/st-risk-platform/'), uri).toBe(true);
        // The path is from the repository root: the file is there.
        expect(existsSync(join(repo, decodeURI(uri))), uri).toBe(true);
        expect(physical.region.startLine).toBeGreaterThanOrEqual(1);
        expect(x.partialFingerprints['strisk/v1'], x.ruleId).toMatch(/^[0-9a-f]{20}$/);
      }
    }
  });

  it('has one result per finding of the JSON report, each with its fingerprint, the attestations at the config', () => {
    const results: Json[] = sarif.runs[0].results;
    const findings = report.results.flatMap((r) => findingsOf(r).map((f) => `${r.id} ${f.fingerprint}`));
    expect(results.map((x) => `${x.ruleId} ${x.partialFingerprints['strisk/v1']}`).sort()).toEqual(
      findings.sort(),
    );
    const fromJson = report.results.flatMap((r) =>
      r.evidence.flatMap((e) => (e.fingerprint ? [e.fingerprint] : [])),
    );
    expect(fromJson.length).toBeGreaterThan(20);
    for (const id of ['attest/backup', 'attest/load-test', 'app/profiling', 'compose/central-logging']) {
      const x = results.find((y) => y.ruleId === id);
      expect(x.locations[0].physicalLocation.artifactLocation.uri, id).toBe(
        'examples/st-risk-platform/strisk.config.yaml',
      );
    }
    const hc = results.filter((y) => y.ruleId === 'compose/healthcheck');
    expect(hc.map((y) => y.locations[0].physicalLocation.artifactLocation.uri)).toEqual([
      'examples/st-risk-platform/compose.yaml',
      'examples/st-risk-platform/compose.yaml',
    ]);
  });

  it('gives GitHub annotations the same paths from the repository root', () => {
    const lines = readFileSync(out('r.github'), 'utf8').trimEnd().split('\n');
    const files = lines.flatMap((l) => /file=([^,:]+)/.exec(l)?.[1] ?? []);
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) expect(existsSync(join(repo, f)), f).toBe(true);
    expect(lines.some((l) => l.includes('file=examples/st-risk-platform/app/main.py,line=49'))).toBe(true);
    expect(
      lines.some((l) => /file=examples\/st-risk-platform\/strisk.config.yaml.*attest\/backup/.test(l)),
    ).toBe(true);
  });

  it('takes --repo-root over git, and refuses one that does not hold the audited directory', () => {
    const r = run('audit', project, '--repo-root', project, '--format', 'sarif');
    const log = JSON.parse(r.stdout);
    const uris = log.runs[0].results.map((x: Json) => x.locations[0].physicalLocation.artifactLocation.uri);
    expect(uris).toContain('app/main.py');
    expect(uris.some((u: string) => u.startsWith('examples/'))).toBe(false);
    const bad = run('audit', project, '--repo-root', join(dir, 'elsewhere-not-there'));
    expect(bad.status).toBe(2);
    mkdirSync(out('other'));
    const outside = run('audit', project, '--repo-root', out('other'));
    expect(outside.status).toBe(2);
    expect(outside.stderr).toContain('does not hold the audited directory');
  });
});
