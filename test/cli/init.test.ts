import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';

const ROOT = resolve(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/strisk.js');

function strisk(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('strisk init', () => {
  it('writes a commented config from the project that loads, and never overwrites without --force', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-init-'));
    cpSync(join(ROOT, 'examples/st-risk-platform'), dir, { recursive: true });
    rmSync(join(dir, 'strisk.config.yaml'));
    const r = strisk(['init', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/compose \(5 services\), 1 Dockerfile\(s\), FastAPI app in app/);
    const file = join(dir, 'strisk.config.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(/^# strisk configuration/);
    expect(text).toMatch(/#\s+api: app \(command uvicorn\)/);
    const { config } = loadConfig(file, {});
    expect(config.targets?.app).toBe('app');
    expect(config.dockerfiles).toEqual(['Dockerfile']);

    const again = strisk(['init', dir]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/strisk\.config\.yaml: already exists \(use --force to overwrite\)/);
    expect(strisk(['init', dir, '--force']).code).toBe(0);
    // the written config drives an audit (a verdict, not a usage error)
    expect([0, 1, 3]).toContain(strisk(['audit', dir, '--format', 'json']).code);
  });

  it('names a compose file one directory down (a monorepo), which compose would not find from the root', () => {
    // polar's server/ holds its compose file and Dockerfile; the repository root holds neither.
    const dir = mkdtempSync(join(tmpdir(), 'strisk-init-mono-'));
    cpSync(join(ROOT, 'fixtures/real-world/fastapi/polar/server'), join(dir, 'server'), { recursive: true });
    writeFileSync(join(dir, 'server', '.env'), 'POLAR_POSTGRES_USER=polar\n');
    const r = strisk(['init', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/compose \(5 services\), 1 Dockerfile\(s\)/);
    const { config } = loadConfig(join(dir, 'strisk.config.yaml'), {});
    expect(config.compose).toEqual({ files: ['server/docker-compose.yml'], envFile: 'server/.env' });
    // The audit reads that compose model: its checks give verdicts instead of skipping.
    const audit = strisk(['audit', dir, '--only', 'compose/*', '--format', 'json']);
    const report = JSON.parse(audit.stdout) as { results: { id: string; status: string }[] };
    expect(report.results.find((c) => c.id === 'compose/healthcheck')?.status).not.toBe('skip');
  });

  it('configures the k8s source when manifests are found, and says how to render a Helm chart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-init-k8s-'));
    cpSync(join(ROOT, 'examples/st-risk-platform/k8s'), join(dir, 'deploy'), { recursive: true });
    const r = strisk(['init', dir]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/k8s \(5 workloads in 4 files\)/);
    const file = join(dir, 'strisk.config.yaml');
    const text = readFileSync(file, 'utf8');
    expect(text).toMatch(
      /# Kubernetes manifests read from deploy\/: 5 workload\(s\), 2 autoscaler\(s\), 3 NetworkPolicy/,
    );
    // Each container with its role, as --explain-roles lists them.
    expect(text).toMatch(/#\s+api: app \(command uvicorn\)/);
    expect(loadConfig(file, {}).config.k8s).toEqual(['deploy']);
    // The written config drives an audit that reads the manifests (k8s/* checks judged, not skipped).
    const audit = strisk(['audit', dir, '--only', 'k8s/*', '--format', 'json']);
    const report = JSON.parse(audit.stdout) as { results: { id: string; status: string }[] };
    expect(report.results.find((c) => c.id === 'k8s/replicas')?.status).not.toBe('skip');

    // A chart alone is not manifests: the config says how to render it, and names no k8s path.
    const chartDir = mkdtempSync(join(tmpdir(), 'strisk-init-helm-'));
    mkdirSync(join(chartDir, 'charts', 'api', 'templates'), { recursive: true });
    writeFileSync(
      join(chartDir, 'charts', 'api', 'Chart.yaml'),
      'apiVersion: v2\nname: api\nversion: 0.1.0\n',
    );
    const h = strisk(['init', chartDir]);
    expect(h.code).toBe(0);
    expect(h.stdout).toMatch(/Helm chart in charts\/api \(render it for --k8s\)/);
    const helm = readFileSync(join(chartDir, 'strisk.config.yaml'), 'utf8');
    expect(helm).toMatch(/helm template charts\/api > rendered\.yaml/);
    expect(loadConfig(join(chartDir, 'strisk.config.yaml'), {}).config.k8s).toBeUndefined();
  });

  it('writes a config for an empty directory too', () => {
    const dir = mkdtempSync(join(tmpdir(), 'strisk-init-empty-'));
    expect(strisk(['init', dir]).code).toBe(0);
    expect(() => loadConfig(join(dir, 'strisk.config.yaml'), {})).not.toThrow();
    expect(strisk(['init', join(dir, 'missing')]).code).toBe(2);
  });
});
