import { existsSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, join, relative, resolve, sep } from 'node:path';
import type { ComposeFacts } from '../collectors/compose/schema.js';
import type { K8sFacts } from '../collectors/k8s/schema.js';
import { loadConfig } from '../config/load.js';
import { InputError } from '../core/errors.js';
import { readLocalFileSync } from '../core/local-file.js';
import { byText } from '../core/order.js';
import { explainRoles, ROLES } from '../facts/compose-roles.js';
import { explainK8sRoles } from '../facts/k8s.js';
import { writeAtomic } from './output.js';

const PROBE_TIMEOUT_MS = 300;
const SKIP_DIRS = new Set(['node_modules', '.git', '.venv', 'venv', '__pycache__', 'dist', '.tmp']);

/** Live sources on their default local ports, and the address each would be audited at. */
const LOCAL = [
  { source: 'clickhouse', port: 8123, url: '${CLICKHOUSE_URL:-http://127.0.0.1:8123}' },
  { source: 'postgres', port: 5432, url: '${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}' },
  { source: 'pgbouncer', port: 6432, url: '${PGBOUNCER_URL:-postgres://pgbouncer@127.0.0.1:6432/pgbouncer}' },
  { source: 'redis', port: 6379, url: '${REDIS_URL:-redis://127.0.0.1:6379/0}' },
] as const;
const DOCKER_SOCKET = '/var/run/docker.sock';

/** A TCP connect (or a Unix socket connect), nothing sent; false on refusal or timeout. */
function reachable(target: { port: number } | { path: string }): Promise<boolean> {
  return new Promise((done) => {
    const socket = 'port' in target ? connect(target.port, '127.0.0.1') : connect(target.path);
    const end = (ok: boolean) => {
      socket.destroy();
      done(ok);
    };
    socket.setTimeout(PROBE_TIMEOUT_MS, () => end(false));
    socket.once('connect', () => end(true));
    socket.once('error', () => end(false));
  });
}

function walk(dir: string, depth: number, out: string[] = []): string[] {
  if (depth < 0) return out;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (SKIP_DIRS.has(entry.name)) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) walk(path, depth - 1, out);
    else out.push(path);
  }
  return out;
}

const readFound = (f: string) => {
  try {
    return readLocalFileSync(f, { what: 'file', maxBytes: 1_000_000 });
  } catch {
    return '';
  }
};

/**
 * The compose files docker compose would read in the shallowest directory under DIR that has one
 * (nearest first, then by name), relative to DIR, with that directory's `.env` if there is one.
 */
async function composeBelow(
  dir: string,
  files: string[],
): Promise<{ dir: string; files: string[]; envFile?: string } | undefined> {
  const dirs = [...new Set(files.map((f) => relative(dir, dirname(f))))]
    .filter((d) => d !== '')
    .sort((a, b) => a.split(sep).length - b.split(sep).length || byText(a, b));
  const { findComposeFiles } = await import('../collectors/compose/index.js');
  for (const d of dirs) {
    const found = await findComposeFiles(join(dir, d));
    if (found.length === 0) continue;
    const env = join(dir, d, '.env');
    return {
      dir: d.split(sep).join('/'),
      files: found.map((f) => relative(dir, f).split(sep).join('/')),
      ...(existsSync(env) ? { envFile: relative(dir, env).split(sep).join('/') } : {}),
    };
  }
  return undefined;
}

/** The top directory under DIR holding a `FastAPI(` app, as a path relative to DIR. */
function fastapiDir(dir: string, files: string[]): string | undefined {
  const app = files.find(
    (f) =>
      // A FIFO or a device named *.py is passed over, not waited on.
      f.endsWith('.py') && /\bFastAPI\s*\(/.test(readFound(f)),
  );
  if (!app) return undefined;
  const rel = relative(dir, app).split(/[\\/]/);
  return rel.length > 1 ? rel[0] : '.';
}

export async function initCommand(dirArg: string, flags: { force?: boolean }): Promise<string> {
  const dir = resolve(dirArg);
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new InputError(`not a directory: ${dirArg}`);
  const file = join(dir, 'strisk.config.yaml');
  if (existsSync(file) && !flags.force)
    throw new InputError('already exists (use --force to overwrite)', file);

  const files = walk(dir, 3);
  const dockerfiles = files.filter((f) => /(^|[\\/])Dockerfile[^\\/]*$/.test(f)).map((f) => relative(dir, f));
  const app = fastapiDir(dir, files);
  const { collectCompose, findComposeFiles } = await import('../collectors/compose/index.js');
  // Compose's own lookup in DIR, else the shallowest directory below it that has a compose file
  // (a monorepo's `server/docker-compose.yml`), named in the config since compose would not find it.
  const below = (await findComposeFiles(dir)).length > 0 ? undefined : await composeBelow(dir, files);
  const composeOpts = below ? { files: below.files, envFile: below.envFile } : {};
  const compose = (await collectCompose({ projectDir: dir, env: {}, ...composeOpts })).find(
    (t) => t.status === 'ok',
  );
  const services = (compose?.data as ComposeFacts | undefined)?.services ?? [];
  const { collectK8s, MANIFEST_DIRS } = await import('../collectors/k8s/index.js');
  const k8s = (await collectK8s({ projectDir: dir, env: {} })).find((t) => t.status === 'ok')?.data as
    | K8sFacts
    | undefined;
  // The manifest directories holding something read, in the order strisk looks into them.
  const k8sDirs = k8s
    ? MANIFEST_DIRS.filter((d) => k8s.files.some((f) => f === d || f.startsWith(`${d}/`)))
    : [];
  // A Helm chart is not manifests until rendered: say how.
  const charts = files
    .filter((f) => /(^|[\\/])Chart\.ya?ml$/.test(f))
    .map((f) => relative(dir, f).replace(/[\\/]?Chart\.ya?ml$/, '') || '.');
  const [live, docker] = await Promise.all([
    Promise.all(LOCAL.map(async (l) => ({ ...l, up: await reachable({ port: l.port }) }))),
    existsSync(DOCKER_SOCKET) ? reachable({ path: DOCKER_SOCKET }) : Promise.resolve(false),
  ]);

  const lines = [
    '# strisk configuration, written by `strisk init`. `strisk schema` prints the JSON Schema of this file.',
    '# Secrets come from the environment: ${VAR} or ${VAR:-default}.',
    '',
    '# The machine where no live source reports its size (RAM and cores of the production hosts).',
    '# machine:',
    '#   memory: 64GB',
    '#   cpus: 16',
    '',
  ];
  if (compose) lines.push(`# Compose model read from ${compose.target}: ${services.length} service(s).`);
  else lines.push('# No compose file found; name them with `compose: {files: [...]}`.');
  const model = compose?.data as ComposeFacts | undefined;
  const explained = model ? explainRoles(model, {}) : [];
  const unknown = explained.filter((e) => !e.role);
  for (const e of explained)
    lines.push(`#   ${e.service}: ${e.role ? `${e.role} (${e.reason})` : 'role unknown'}`);
  const k8sExplained = k8s ? explainK8sRoles(k8s, {}) : [];
  if (k8s) {
    lines.push(
      `# Kubernetes manifests read from ${k8sDirs.length > 0 ? k8sDirs.map((d) => `${d}/`).join(', ') : `${k8s.files.length} file(s)`}: ${k8s.workloads.length} workload(s), ${k8s.hpas.length + k8s.scaledObjects.length} autoscaler(s), ${k8s.networkPolicies.length} NetworkPolicy(ies). Containers (the main one under its workload's name):`,
    );
    for (const e of k8sExplained)
      lines.push(
        `#   ${e.service}: ${e.role ? `${e.role} (${e.reason})` : 'role unknown'}${e.oneShot ? ` — one-shot: ${e.oneShot}` : ''}`,
      );
  }
  const unknownNames = [
    ...new Set([...unknown, ...k8sExplained.filter((e) => !e.role && !e.oneShot)].map((e) => e.service)),
  ];
  if (unknownNames.length > 0) {
    lines.push(
      `# Roles strisk cannot tell from the image, command, healthcheck, environment, ports or dependencies (${ROLES.join(', ')}):`,
      'roles:',
    );
    for (const name of unknownNames) lines.push(`  ${JSON.stringify(name)}: other`);
  }
  lines.push('');
  if (k8s && k8sDirs.length > 0)
    lines.push(
      '# Kubernetes manifests (the k8s/* checks and the Docker items on manifests). Helm or Kustomize output:',
      '# `helm template . | strisk audit --k8s -`, or render it into a file and name the file here.',
      'k8s:',
      ...k8sDirs.map((d) => `  - ${JSON.stringify(d)}`),
      '',
    );
  else
    lines.push(
      `# Kubernetes manifests: none found in ${MANIFEST_DIRS.map((d) => `${d}/`).join(', ')}.${charts.length > 0 ? ` Helm chart(s) in ${charts.join(', ')}: render one (\`helm template ${charts[0]} > rendered.yaml\`) and name the file, or pipe it (\`--k8s -\`).` : ''}`,
      `# k8s: [${JSON.stringify(charts.length > 0 ? 'rendered.yaml' : 'k8s')}]`,
      '',
    );
  if (below && compose)
    lines.push(
      `# Compose files in ${below.dir}/ (compose reads them there; strisk audits ${dirArg} as a whole):`,
      'compose:',
      `  files: [${below.files.map((f) => JSON.stringify(f)).join(', ')}]`,
      ...(below.envFile ? [`  envFile: ${JSON.stringify(below.envFile)}`] : []),
      '',
    );
  if (dockerfiles.length > 0)
    lines.push(
      '# Dockerfiles found:',
      'dockerfiles:',
      ...dockerfiles.map((d) => `  - ${JSON.stringify(d)}`),
      '',
    );

  const anyTarget = Boolean(app) || docker || live.some((l) => l.up);
  lines.push(anyTarget ? 'targets:' : 'targets: {} # nothing found; uncomment what applies');
  lines.push(
    app
      ? `  # The FastAPI source (parsed, never run).\n  app: ${JSON.stringify(app)}`
      : '  # app: app   # the FastAPI source directory (none found)',
  );
  for (const l of live)
    lines.push(
      `  ${l.up ? '' : '# '}${l.source}: "${l.url}"${l.up ? `   # found listening on 127.0.0.1:${l.port}` : ''}`,
    );
  lines.push(
    `  ${docker ? '' : '# '}docker: "unix://${DOCKER_SOCKET}"${docker ? '   # the local engine answered' : ''}`,
  );
  lines.push('  # http: http://127.0.0.1:8000   # live probes of the running API (opt-in)', '');
  lines.push(
    '# The gate: fail | warn | never | regression (with --baseline REPORT.json).',
    'failOn: fail',
    '',
    '# baseline:',
    '#   tolerance: { default: 0.1, http/latency: 0.2 }',
    '',
    '# Accepted failures; all fields required, an expired waiver fails the gate.',
    '# waivers:',
    '#   - check: compose/read-only-rootfs',
    '#     target: api',
    '#     reason: the app writes to /tmp; tracked in OPS-123',
    '#     owner: jane@example.com',
    '#     expires: 2026-12-31',
    '',
    '# Sign-offs of the manual items (strisk checks lists kind attest).',
    '# attestations:',
    '#   - check: attest/backup',
    '#     by: jane@example.com',
    '#     date: 2026-01-31',
    '#     evidence: https://wiki.example.com/restore-test',
  );
  const text = `${lines.join('\n')}\n`;
  // The file handed over must load: check a temporary copy, then rename it into place.
  const tmp = `${file}.init.tmp`;
  writeAtomic(tmp, text);
  try {
    loadConfig(tmp, {});
  } catch (err) {
    rmSync(tmp, { force: true });
    throw err;
  }
  renameSync(tmp, file);
  const found = [
    compose ? `compose (${services.length} services)` : '',
    dockerfiles.length ? `${dockerfiles.length} Dockerfile(s)` : '',
    app ? `FastAPI app in ${app}` : '',
    k8s ? `k8s (${k8s.workloads.length} workloads in ${k8s.files.length} files)` : '',
    !k8s && charts.length > 0 ? `Helm chart in ${charts[0]} (render it for --k8s)` : '',
    ...live.filter((l) => l.up).map((l) => `${l.source} on :${l.port}`),
    docker ? 'docker socket' : '',
  ].filter(Boolean);
  return `wrote ${relative(process.cwd(), file) || file}: ${found.join(', ') || 'nothing detected; edit the targets'}\n`;
}
