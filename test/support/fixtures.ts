import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { collect as collectApp } from '../../src/collectors/app/index.js';
import { collectCompose } from '../../src/collectors/compose/index.js';
import type { ComposeFacts, ComposeService } from '../../src/collectors/compose/schema.js';
import { collectDockerfiles } from '../../src/collectors/dockerfile/index.js';
import { collectK8s } from '../../src/collectors/k8s/index.js';
import type { ResultStatus } from '../../src/core/check.js';
import { FACTS_SCHEMA_VERSION, type Facts, FactsSchema, type TargetFacts } from '../../src/core/facts.js';
import { FIXTURE_STATUS } from '../../src/testing/index.js';

export const FIXTURES = resolve(import.meta.dirname, '../../fixtures/checks');

export interface CheckFixture {
  id: string;
  name: string;
  path: string;
  expected: ResultStatus;
}

/**
 * Fixtures of one check: `fixtures/checks/<id>/<success|failure|warning|skip|error>[-what]` as a
 * project directory, a `.facts.json` snapshot, or a `.project` file naming a shared project directory.
 */
export function fixturesOf(id: string): CheckFixture[] {
  const dir = join(FIXTURES, id);
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const expected = FIXTURE_STATUS[name.split(/[-.]/)[0]!];
    const path = join(dir, name);
    if (!expected) return [];
    if (name.endsWith('.facts.json')) return [{ id, name, path, expected }];
    // `success.project` names a shared project directory instead of holding a copy of it.
    if (name.endsWith('.project')) return [{ id, name, path: projectOf(path), expected }];
    return statSync(path).isDirectory() ? [{ id, name, path, expected }] : [];
  });
}

/** The project directory a `.project` pointer file names, relative to the file. */
export function projectOf(pointer: string): string {
  return resolve(dirname(pointer), readFileSync(pointer, 'utf8').trim());
}

export function emptyFacts(projectDir = '.'): Facts {
  return {
    schemaVersion: FACTS_SCHEMA_VERSION,
    tool: { name: 'strisk', version: '0.0.0' },
    collectedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 0,
    projectDir,
    machine: {},
    roles: {},
    sources: {},
  };
}

/** Facts around targets a test collected from live servers, as a run records them now. */
export function liveFacts(sources: Facts['sources'], machine: Facts['machine'] = {}): Facts {
  return {
    schemaVersion: 1,
    tool: { name: 'strisk', version: '0.1.0' },
    collectedAt: new Date().toISOString(),
    durationMs: 0,
    projectDir: '.',
    machine,
    roles: {},
    sources,
  };
}

/**
 * Facts for a fixture: a recorded snapshot, or a project directory read by the file collectors
 * (plus `roles.json` / `machine.json` in it, standing for the config's `roles:` / `machine:`).
 */
export async function factsOf(fixture: CheckFixture): Promise<Facts> {
  if (fixture.path.endsWith('.facts.json'))
    return FactsSchema.parse(JSON.parse(readFileSync(fixture.path, 'utf8')));
  const facts = emptyFacts(fixture.path);
  const rolesFile = join(fixture.path, 'roles.json');
  if (existsSync(rolesFile)) facts.roles = JSON.parse(readFileSync(rolesFile, 'utf8'));
  // The machine's size, as a config's `machine:` would give it (`{"cpus": 2}`).
  const machineFile = join(fixture.path, 'machine.json');
  if (existsSync(machineFile)) facts.machine = JSON.parse(readFileSync(machineFile, 'utf8'));
  const compose = await collectCompose({ projectDir: fixture.path, env: {} });
  const dockerfile = await collectDockerfiles({ projectDir: fixture.path });
  if (compose.length > 0) facts.sources.compose = compose as TargetFacts[];
  if (dockerfile.length > 0) facts.sources.dockerfile = dockerfile as TargetFacts[];
  const k8s = await collectK8s({ projectDir: fixture.path, env: {} });
  if (k8s.length > 0) facts.sources.k8s = k8s as TargetFacts[];
  if (fixture.id.startsWith('app/')) {
    facts.sources.app = [
      (await collectApp({ url: '.' }, { timeoutMs: 30_000, projectDir: fixture.path })) as TargetFacts,
    ];
  }
  return facts;
}

/** Every `.yaml`/`.yml` file under `dir` with a top-level `services:` key (the compose files). */
export function composeFilesUnder(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) composeFilesUnder(p, out);
    else if (/\.ya?ml$/.test(name) && /^services:/m.test(readFileSync(p, 'utf8'))) out.push(p);
  }
  return out;
}

/** A compose service as the collector gives it, with nothing set but `over`. */
export function composeService(name: string, over: Partial<ComposeService> = {}): ComposeService {
  return {
    name,
    file: 'compose.yaml',
    line: 1,
    tmpfs: [],
    dependsOn: [],
    volumes: [],
    ports: [],
    environment: {},
    labels: {},
    profiles: [],
    ...over,
  };
}

/** A compose project of `services` in `compose.yaml`, nothing else set but `extra`. */
export function composeProject(services: ComposeService[], extra: Partial<ComposeFacts> = {}): ComposeFacts {
  return {
    projectName: 'p',
    files: ['compose.yaml'],
    activeProfiles: [],
    services,
    inactiveServices: [],
    volumes: [],
    unresolved: [],
    ...extra,
  };
}
