// Plugins end to end, through the built CLI (npm run build first): the example plugin beside the
// built-ins in every format, from --plugin, from the config and installed as a package; and every
// way a plugin can be bad.
import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../src/core/report.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/strisk.js');
const EXAMPLE = join(ROOT, 'examples/st-risk-platform');
const ACME = join(ROOT, 'examples/plugins/acme');
const ACME_IDS = ['acme/events-ttl', 'acme/owner-label', 'acme/work-mem'];

function strisk(args: string[], cwd = ROOT) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'strisk-plugins-'));

function jsonReport(args: string[], cwd = ROOT): { code: number | null; report: Report; stderr: string } {
  const r = strisk([...args, '--format', 'json'], cwd);
  expect(r.stderr, r.stderr).toBe('');
  return { code: r.code, report: JSON.parse(r.stdout) as Report, stderr: r.stderr };
}

/** The example plugin's results of a report, by id. */
const acmeResults = (report: Report) =>
  Object.fromEntries(report.results.filter((r) => r.id.startsWith('acme/')).map((r) => [r.id, r]));

describe('the example plugin beside the built-ins', () => {
  it('runs from --plugin: its checks judged, in their own section, the built-ins unchanged', () => {
    const without = jsonReport(['audit', EXAMPLE]);
    const { code, report } = jsonReport(['audit', EXAMPLE, '--plugin', './examples/plugins/acme']);
    expect(code).toBe(1);
    const acme = acmeResults(report);
    expect(Object.keys(acme).sort()).toEqual(ACME_IDS);
    expect(acme['acme/owner-label']).toMatchObject({
      status: 'fail',
      section: 'ACME platform rules',
      severity: 'low',
    });
    expect(acme['acme/owner-label']!.evidence.map((e) => e.subject)).toContain('service api');
    // No ClickHouse or PostgreSQL in the static example: skipped, as a built-in would be.
    expect(acme['acme/events-ttl']!.status).toBe('skip');
    expect(acme['acme/work-mem']!.status).toBe('skip');
    expect(report.sections.map((s) => s.section)).toContain('ACME platform rules');
    const builtins = report.results.filter((r) => !r.id.startsWith('acme/'));
    const strip = (rs: Report['results']) => rs.map(({ durationMs: _d, ...r }) => r);
    expect(strip(builtins)).toEqual(strip(without.report.results));
  });

  it('appears in every format', () => {
    const dir = tmp();
    const formats = ['terminal', 'json', 'junit', 'sarif', 'markdown', 'html', 'github'];
    const r = strisk([
      'audit',
      EXAMPLE,
      '--plugin',
      ACME,
      ...formats.map((f) => `--format=${f}=${join(dir, `report.${f}`)}`),
    ]);
    expect(r.code, r.stderr).toBe(1);
    for (const f of formats) {
      const text = readFileSync(join(dir, `report.${f}`), 'utf8');
      expect(text, f).toContain('acme/owner-label');
    }
    const sarif = JSON.parse(readFileSync(join(dir, 'report.sarif'), 'utf8'));
    const rules = sarif.runs[0].tool.driver.rules.map((x: { id: string }) => x.id);
    expect(rules).toEqual(expect.arrayContaining(ACME_IDS));
    const junit = readFileSync(join(dir, 'report.junit'), 'utf8');
    expect(junit).toMatch(/<testcase[^>]*name="acme\/owner-label/);
  });

  it('runs from plugins: in the config, the path relative to the config file', () => {
    const dir = tmp();
    const config = join(dir, 'strisk.config.yaml');
    writeFileSync(
      config,
      [
        'plugins:',
        `  - ${relative(dir, ACME)}`,
        'checks:',
        '  severity:',
        '    acme/owner-label: high',
        '    acme/events-ttl: critical',
        '  options:',
        '    acme/owner-label:',
        '      label: com.example.team',
        'waivers:',
        '  - check: acme/owner-label',
        '    reason: the archive cluster keeps events by design',
        '    owner: data-platform',
        '    expires: 2099-01-01',
        '',
      ].join('\n'),
    );
    const { report } = jsonReport(['audit', EXAMPLE, '--config', config]);
    const acme = acmeResults(report);
    expect(Object.keys(acme).sort()).toEqual(ACME_IDS);
    // Severity and options from the config, as for a built-in.
    expect(acme['acme/owner-label']).toMatchObject({ status: 'fail', severity: 'high' });
    expect(acme['acme/owner-label']!.message).toContain('com.example.team');
    expect(acme['acme/events-ttl']!.severity).toBe('critical');
    // The waiver names the plugin check like a built-in one: shown as waived, not hidden.
    expect(acme['acme/owner-label']!.waiver).toMatchObject({ owner: 'data-platform' });
    expect(report.gate.reasons.join(' ')).not.toContain('acme/owner-label');
  });

  it('refuses an option the plugin check does not have, at the config line (exit 2)', () => {
    const dir = tmp();
    const config = join(dir, 'strisk.config.yaml');
    writeFileSync(
      config,
      `plugins: [${ACME}]\nchecks:\n  options:\n    acme/work-mem:\n      minMegabytes: 64\n`,
    );
    const r = strisk(['audit', EXAMPLE, '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('checks.options.acme/work-mem: unknown option "minMegabytes"');
  });

  it('replays from recorded facts with the same results (--save-facts, then --facts)', () => {
    const dir = tmp();
    const facts = join(dir, 'facts.json');
    const live = jsonReport(['audit', EXAMPLE, '--plugin', ACME, '--save-facts', facts]);
    const replay = jsonReport(['audit', '--facts', facts, '--plugin', ACME]);
    const strip = (rs: Report['results']) => rs.map(({ durationMs: _d, ...r }) => r);
    expect(strip(replay.report.results)).toEqual(strip(live.report.results));
    expect(replay.code).toBe(live.code);
  });

  it('is compared with a baseline: a plugin check that got worse is a regression', () => {
    const dir = tmp();
    const fixtures = join(ACME, 'test/fixtures/owner-label');
    // The baseline: every service of the project has an owner; then one without is added.
    const only = ['--plugin', ACME, '--only', 'acme/owner-label'];
    const base = strisk([
      'audit',
      join(fixtures, 'success'),
      ...only,
      '--format',
      `json=${join(dir, 'base.json')}`,
    ]);
    expect(base.code, base.stderr).toBe(0);
    const baseOwner = acmeResults(JSON.parse(readFileSync(join(dir, 'base.json'), 'utf8')))[
      'acme/owner-label'
    ];
    expect(baseOwner!.status).toBe('pass');
    const r = strisk([
      'audit',
      join(fixtures, 'failure'),
      ...only,
      '--baseline',
      join(dir, 'base.json'),
      '--fail-on',
      'regression',
      '--format',
      'json',
    ]);
    expect(r.code, r.stderr).toBe(1);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.comparison!.regressions.map((x) => x.id)).toContain('acme/owner-label');
    // Compared per finding: the service without an owner is a new finding of the plugin check.
    expect(acmeResults(report)['acme/owner-label']!.regression!.join(' ')).toMatch(
      /acme\/owner-label service redis: new finding/,
    );
  });

  it('is listed by strisk checks and explained by strisk explain', () => {
    const list = strisk(['checks', '--format', 'json', '--plugin', ACME]);
    expect(list.code, list.stderr).toBe(0);
    const rows = JSON.parse(list.stdout) as { id: string; section: string; implemented: boolean }[];
    for (const id of ACME_IDS) expect(rows.find((r) => r.id === id)).toMatchObject({ implemented: true });
    expect(rows.at(-1)!.section).toBe('ACME platform rules');
    const table = strisk(['checks', '--plugin', ACME]);
    expect(table.stdout).toContain(`3 from plugin ${ACME}`);
    const explain = strisk(['explain', 'acme/work-mem', '--plugin', ACME]);
    expect(explain.code, explain.stderr).toBe(0);
    expect(explain.stdout).toContain('PostgreSQL work_mem is large enough');
    expect(explain.stdout).toContain('"minBytes"');
    expect(explain.stdout).toContain('section: ACME platform rules (plugin');
  });

  it('is listed from the plugins: of the config found in the working directory', () => {
    const dir = tmp();
    writeFileSync(join(dir, 'strisk.config.yaml'), `plugins: [${relative(dir, ACME)}]\n`);
    const list = strisk(['checks', '--format', 'json'], dir);
    expect(list.code, list.stderr).toBe(0);
    const ids = (JSON.parse(list.stdout) as { id: string }[]).map((r) => r.id);
    expect(ids).toEqual(expect.arrayContaining(ACME_IDS));
    // Without it, only the built-ins and the roadmap.
    expect(strisk(['checks', '--format', 'json'], tmp()).stdout).not.toContain('acme/');
  });

  it('is loaded from an installed package (npm pack, then npm i --offline into a project)', () => {
    const dir = tmp();
    const packed = spawnSync('npm', ['pack', '--silent', '--pack-destination', dir], {
      cwd: ACME,
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(packed.status, packed.stderr).toBe(0);
    const tarball = join(dir, packed.stdout.trim().split('\n').at(-1)!);
    const project = join(dir, 'project');
    cpSync(EXAMPLE, project, { recursive: true });
    writeFileSync(join(project, 'package.json'), '{ "name": "platform", "private": true }\n');
    const install = spawnSync(
      'npm',
      ['install', '--offline', '--no-audit', '--no-fund', '--loglevel=error', tarball],
      { cwd: project, encoding: 'utf8', timeout: 120_000 },
    );
    expect(install.status, install.stderr).toBe(0);
    expect(existsSync(join(project, 'node_modules/strisk-plugin-acme/checks/work-mem.js'))).toBe(true);
    // By name with --plugin, resolved from the audited project...
    const byFlag = jsonReport(['audit', project, '--plugin', 'strisk-plugin-acme'], dir);
    expect(Object.keys(acmeResults(byFlag.report)).sort()).toEqual(ACME_IDS);
    // ...and from the project's config.
    const config = join(project, 'strisk.config.yaml');
    writeFileSync(config, `plugins:\n  - strisk-plugin-acme\n${readFileSync(config, 'utf8')}`);
    const byConfig = jsonReport(['audit', project], dir);
    expect(acmeResults(byConfig.report)['acme/owner-label']!.status).toBe('fail');
  }, 240_000);

  it('passes its own tests (node --test with strisk/testing, strisk installed beside it)', () => {
    const dir = tmp();
    cpSync(ACME, join(dir, 'acme'), { recursive: true });
    mkdirSync(join(dir, 'acme/node_modules'));
    // What `npm i -D strisk` gives the plugin's project: node_modules/strisk with its exports.
    symlinkSync(ROOT, join(dir, 'acme/node_modules/strisk'));
    const r = spawnSync(process.execPath, ['--test', 'test/'], {
      cwd: join(dir, 'acme'),
      encoding: 'utf8',
      timeout: 120_000,
    });
    expect(r.stdout + r.stderr).toMatch(/# pass 14\b/);
    expect(r.stdout).toMatch(/# fail 0\b/);
    expect(r.status).toBe(0);
  }, 180_000);
});

/** A one-file plugin in a temp dir; `checks` is the source of its checks array. */
function pluginFile(dir: string, name: string, body: string): string {
  const file = join(dir, `${name}.mjs`);
  writeFileSync(file, body);
  return file;
}

const CHECK = (id: string, extra = '') => `defineCheck({
  id: '${id}',
  title: 'A title long enough',
  failureTitle: 'A failure title long enough',
  description: 'What it checks, and why, at length: see https://example.com/rules',
  seedRef: 'ORG-1',
  severity: 'low',
  kind: 'auto',
  requires: ['compose'],
  options: z.object({}),
  run: () => ({ status: 'pass', evidence: [] }),
  ${extra}
})`;

const PLUGIN = (checks: string, head = "apiVersion: 1, namespace: 'org'") =>
  `import { defineCheck, definePlugin, z } from 'strisk/api';\nexport default definePlugin({ ${head}, checks: [${checks}] });\n`;

describe('a bad plugin', () => {
  /** Exit 2, one line naming the plugin and the problem, and nothing collected or written. */
  function refused(plugin: string, problem: RegExp, before: string[] = []) {
    const dir = tmp();
    const facts = join(dir, 'facts.json');
    const r = strisk(['audit', EXAMPLE, ...before, '--plugin', plugin, '--save-facts', facts]);
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    const lines = r.stderr.trim().split('\n');
    expect(lines, r.stderr).toHaveLength(1);
    expect(lines[0]).toContain(`plugin ${plugin}`);
    expect(lines[0]).toMatch(problem);
    expect(existsSync(facts)).toBe(false);
  }

  it('a missing file', () => {
    refused('./no/such/plugin.js', /not found \(.*no\/such\/plugin\.js\)/);
  });

  it('from the config: the message points at its line there', () => {
    const dir = tmp();
    const config = join(dir, 'strisk.config.yaml');
    writeFileSync(config, 'project: x\nplugins:\n  - ./rules\n');
    const r = strisk(['audit', EXAMPLE, '--config', config]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe(`strisk: ${config}:3: plugin ./rules: not found (${join(dir, 'rules')})`);
  });

  it('a package that is not installed', () => {
    refused('strisk-plugin-nowhere', /is not installed .*npm i -D strisk-plugin-nowhere/);
  });

  it('a name that is neither a path nor a plugin package', () => {
    refused('lodash', /neither a path .* nor a package named strisk-plugin-\*/);
  });

  it('a syntax error, with its file and line', () => {
    const file = pluginFile(
      tmp(),
      'broken',
      "import { definePlugin } from 'strisk/api';\n\nexport default definePlugin({ apiVersion: 1,, });\n",
    );
    refused(file, /cannot load .*broken\.mjs:3: SyntaxError/);
  });

  it('a module that does not export a plugin', () => {
    refused(pluginFile(tmp(), 'none', 'export const checks = [];\n'), /does not export a plugin/);
  });

  it('a wrong API version', () => {
    const file = pluginFile(tmp(), 'future', PLUGIN(CHECK('org/rule'), "apiVersion: 2, namespace: 'org'"));
    refused(file, /needs strisk API version 2, this strisk provides version 1 \(upgrade strisk\)/);
  });

  it('no API version', () => {
    refused(
      pluginFile(tmp(), 'unversioned', PLUGIN(CHECK('org/rule'), "namespace: 'org'")),
      /states no apiVersion/,
    );
  });

  it('a check id outside its namespace', () => {
    refused(
      pluginFile(tmp(), 'badid', PLUGIN(CHECK('other/rule'))),
      /check id "other\/rule" is not org\/<noun>/,
    );
  });

  it('a check id that is not a kebab-case noun', () => {
    refused(
      pluginFile(tmp(), 'badnoun', PLUGIN(CHECK('org/No_Rule'))),
      /check id "org\/No_Rule" is not org\/<noun>/,
    );
  });

  it('a built-in namespace', () => {
    refused(
      pluginFile(tmp(), 'reserved', PLUGIN(CHECK('redis/aof'), "apiVersion: 1, namespace: 'redis'")),
      /namespace "redis" is reserved/,
    );
  });

  it('an id defined twice', () => {
    refused(
      pluginFile(tmp(), 'twice', PLUGIN(`${CHECK('org/rule')}, ${CHECK('org/rule')}`)),
      /check id org\/rule is also defined by this plugin/,
    );
  });

  it('a namespace another plugin already uses', () => {
    const dir = tmp();
    const first = pluginFile(dir, 'first', PLUGIN(CHECK('org/rule')));
    const second = pluginFile(dir, 'second', PLUGIN(CHECK('org/other')));
    refused(second, /namespace "org" is already used by plugin .*first\.mjs/, ['--plugin', first]);
  });

  it('an option schema that does not parse its own defaults', () => {
    // A required option with no default: the check could never run with the config silent.
    const check = CHECK('org/rule').replace(
      'options: z.object({}),',
      'options: z.object({ min: z.number().min(5) }),',
    );
    refused(
      pluginFile(tmp(), 'badschema', PLUGIN(check)),
      /check org\/rule: options schema does not parse its own defaults: min:/,
    );
  });

  it("in zod's words in the language the plugin sets (z.locales, a script apart in the bundle)", () => {
    // The bundle keeps zod's other locales out of its main script (scripts/bundle.mjs): z.locales
    // must still give a plugin all of them.
    const check = CHECK('org/rule').replace(
      'options: z.object({}),',
      'options: z.object({ min: z.number().min(5) }),',
    );
    const body = PLUGIN(check).replace('\nexport default', '\nz.config(z.locales.de());\nexport default');
    refused(
      pluginFile(tmp(), 'german', body),
      /check org\/rule: options schema does not parse its own defaults: min: Ungültige Eingabe: erwartet Zahl, erhalten undefined/,
    );
  });

  it('options that are not a schema', () => {
    const check = CHECK('org/rule').replace('options: z.object({}),', 'options: { min: 5 },');
    refused(pluginFile(tmp(), 'noschema', PLUGIN(check)), /check org\/rule: options must be a zod schema/);
  });

  it('an unknown source', () => {
    const check = CHECK('org/rule').replace("requires: ['compose'],", "requires: ['mysql'],");
    refused(pluginFile(tmp(), 'mysql', PLUGIN(check)), /requires names an unknown source "mysql"/);
  });
});

describe('a plugin check that misbehaves at run time', () => {
  it('is an error result for that check only: throws, writes to the facts, returns no result', () => {
    const dir = tmp();
    const file = pluginFile(
      dir,
      'unruly',
      PLUGIN(
        [
          CHECK('org/throws').replace(
            "run: () => ({ status: 'pass', evidence: [] }),",
            "run: () => { throw new Error('boom'); },",
          ),
          CHECK('org/writes').replace(
            "run: () => ({ status: 'pass', evidence: [] }),",
            "run: (input) => { input.source('compose')[0].data.services.length = 0; return { status: 'pass', evidence: [] }; },",
          ),
          CHECK('org/garbage').replace(
            "run: () => ({ status: 'pass', evidence: [] }),",
            "run: () => 'fine',",
          ),
          CHECK('org/fine'),
        ].join(', '),
      ),
    );
    const without = jsonReport(['audit', EXAMPLE]);
    const r = strisk(['audit', EXAMPLE, '--plugin', file, '--format', 'json']);
    // An error result makes the audit incomplete (exit 3), as for a built-in check.
    expect(r.code).toBe(3);
    const report = JSON.parse(r.stdout) as Report;
    const byId = Object.fromEntries(report.results.map((x) => [x.id, x]));
    expect(byId['org/throws']).toMatchObject({ status: 'error', message: 'check failed: boom' });
    expect(byId['org/writes']!.status).toBe('error');
    expect(byId['org/writes']!.message).toMatch(/read only|read-only|frozen|not extensible|Cannot assign/i);
    expect(byId['org/garbage']).toMatchObject({
      status: 'error',
      message: 'check failed: returned string, not a result',
    });
    expect(byId['org/fine']!.status).toBe('pass');
    // The facts the others read are intact: every built-in judged as without the plugin.
    const strip = (rs: Report['results']) =>
      rs.filter((x) => !x.id.startsWith('org/')).map(({ durationMs: _d, ...x }) => x);
    expect(strip(report.results)).toEqual(strip(without.report.results));
  });
});
