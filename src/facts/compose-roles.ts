// What a compose service is, read from every signal the compose model has: its role (the app, a
// database, a pooler, a piece of infrastructure) with the signal that told, and whether it runs for
// good or once. A fact helper: pure functions of the compose facts, shared by the compose checks,
// `strisk init` and `--explain-roles`. Not a check.
import type { ComposeFacts, ComposeService } from '../collectors/compose/schema.js';
import type { DockerfileFacts } from '../collectors/dockerfile/schema.js';
import { buildOnlyReason } from './build-only.js';

/** Roles strisk infers and a config may give (`roles:`). */
export const ROLES = [
  'app',
  'worker',
  'clickhouse',
  'postgres',
  'pgbouncer',
  'redis',
  'mysql',
  'mongodb',
  'proxy',
  'admin-ui',
  'mail',
  'monitoring',
  'object-storage',
  'queue',
  'search',
  'model-server',
  'job',
  'other',
] as const;
export type Role = (typeof ROLES)[number];

export const DATABASE_ROLES = ['clickhouse', 'postgres', 'redis', 'mysql', 'mongodb'] as const;

/** The signals a role can come from, strongest first. */
export type RoleSignal =
  | 'config'
  | 'image'
  | 'command'
  | 'healthcheck'
  | 'environment'
  | 'ports'
  | 'depends_on'
  | 'labels'
  | 'build'
  | 'none';

export interface RoleInfo {
  /** A role strisk knows, a role the config names, or undefined when nothing says. */
  role?: string;
  /** Which signal told. */
  from: RoleSignal;
  /** What the signal said, for the evidence: `image postgres:16`, `healthcheck pg_isready`, … */
  value?: string;
  /** Where the signal is written. */
  file?: string;
  line?: number;
}

type Located = { file: string; line: number };
const none = (): RoleInfo => ({ from: 'none' });
const said = (role: string, from: RoleSignal, value: string, at?: Located): RoleInfo => ({
  role,
  from,
  value,
  ...(at ? { file: at.file, line: at.line } : {}),
});

// ---- images ----

/** `docker.io/library/postgres:16-alpine@sha256:…` -> `postgres`; `ghcr.io/org/api:1` -> `org/api`. */
export function imageRepository(image: string): string {
  let ref = image.trim().toLowerCase().split('@')[0] ?? '';
  const parts = ref.split('/');
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0] ?? '')) parts.shift();
  ref = parts.join('/').replace(/^library\//, '');
  const colon = ref.lastIndexOf(':');
  return colon > ref.lastIndexOf('/') ? ref.slice(0, colon) : ref;
}

/**
 * Infrastructure images, tested in order on the repository (`org/name`) and its last segment. A
 * database's name ends the segment (`app-postgres`, not `postgres-meta`, a client of it); the
 * order matters: exporters and admin UIs name the database they serve (`postgres-exporter`,
 * `pgadmin4`).
 */
const IMAGE_ROLES: { role: Role; last?: RegExp; repo?: RegExp }[] = [
  {
    role: 'monitoring',
    // `postgres-exporter`, `redis_exporter`; a bare `exporter` (penpotapp/exporter) is an app's own.
    last: /.[-_]exporter([-_]|$)|^(prometheus|grafana|cadvisor|loki|promtail|alertmanager|pushgateway|tempo|mimir|alloy|netdata|jaeger|all-in-one|zipkin|vector|fluent-?bit|fluentd|filebeat|logstash|kibana|dozzle|otel-collector|opentelemetry-collector(-contrib)?|signoz[-\w]*|uptrace|telegraf|statsd)$/,
    repo: /^(jaegertracing|grafana|prom|otel|datadog|newrelic)\//,
  },
  {
    role: 'admin-ui',
    last: /^(pgadmin4?|adminer|redis-commander|redisinsight|tabix|phpmyadmin|mongo-express|kafka-ui|kafdrop|portainer(-ce|-ee)?|pgweb|cloudbeaver|dbgate|sqlpad|redis-insight|flower|rabbitmq-management|akhq|redpanda-console)$/,
    repo: /^(dpage|redislabs\/redisinsight|spoonest\/clickhouse-tabix-web-client)/,
  },
  {
    role: 'mail',
    last: /^(mailhog|mailpit|maildev|mailcatcher|smtp4dev|postfix|docker-mailserver|mailserver|smtp|exim4?)$|(^|[-_])smtp([-_]|$)/,
  },
  {
    role: 'pgbouncer',
    last: /^(pgbouncer|pgcat|odyssey|pgpool(-ii)?|pgpool2|supavisor|pgdog)$|(^|[-_])pgbouncer$/,
  },
  {
    role: 'clickhouse',
    last: /(^|[-_])clickhouse(-server)?$/,
  },
  {
    role: 'postgres',
    // `getlago/postgres-partman`: PostgreSQL built with an extension is named after it; a client
    // of it (`postgres-meta`, `postgres-exporter`) is not.
    last: /^(timescaledb(-ha|-postgis)?|paradedb|crunchy-postgres(-gis)?|spilo(-\d+)?|patroni)$|(^|[-_])(postgres|postgresql|postgis|pgvector|pgvecto-rs)([-_](partman|pgvector|vector|postgis|cron|pgcron|timescaledb|pgaudit|contrib|extensions?))?$/,
    // A vendor's namespace alone is weak: timescale/ also publishes clients (pgai-vectorizer-worker),
    // so its databases are told by their names (timescaledb, timescaledb-ha) above.
    repo: /^(postgis|pgvector|tensorchord)\/(?!.*(worker|exporter|client|cli|backup|operator|agent))|^(supabase\/postgres|bitnami\/postgresql(-repmgr)?)$/,
  },
  {
    role: 'redis',
    last: /^(redis-stack(-server)?|dragonfly|garnet|redict)$|(^|[-_])(redis|valkey|keydb)$/,
    repo: /^(eqalpha\/keydb|dragonflydb\/|valkey\/|redis\/)/,
  },
  { role: 'mysql', last: /^(mysql(-server)?|mariadb|percona(-server)?)$/ },
  { role: 'mongodb', last: /^(mongo|mongodb(-community-server)?|percona-server-mongodb)$/ },
  {
    role: 'proxy',
    last: /^(nginx|traefik|caddy|haproxy|envoy|openresty|varnish|nginx-proxy(-manager)?|swag|cloudflared|oauth2-proxy|acme-companion|nginx-unprivileged|apisix|kong)$|(^|[-_])(nginx|traefik|caddy|haproxy|envoy)([-_]|$)/,
  },
  {
    role: 'object-storage',
    last: /^(minio|seaweedfs|garage|localstack|s3proxy|azurite|fake-gcs-server|pictrs|pict-rs)$/,
  },
  // Image-processing proxies in front of storage.
  { role: 'proxy', last: /^(imgproxy|thumbor|imaginary)$/ },
  // Third-party model servers: infrastructure the app calls, not the app.
  {
    role: 'model-server',
    last: /^(ollama|vllm-openai|vllm|text-generation-inference|text-embeddings-inference|localai|tritonserver|infinity)$/,
    repo: /^(ollama|vllm|localai)\//,
  },
  // Third-party document and browser servers the app calls (PDF rendering, text extraction,
  // office documents, headless browsers), also when a vendor republishes them (`getlago/lago-gotenberg`).
  {
    role: 'other',
    last: /(^|[-_])(gotenberg|tika|tika-server|unoserver|documentserver)$/,
    repo: /^(browserless|selenium|collabora|onlyoffice|apache\/tika)\//,
  },
  {
    role: 'queue',
    last: /^(rabbitmq|kafka|cp-kafka|cp-zookeeper|zookeeper|nats|nats-streaming|redpanda|activemq|artemis|pulsar|emqx|mosquitto|eclipse-mosquitto|kraft)$/,
  },
  {
    role: 'search',
    last: /^(elasticsearch|opensearch|meilisearch|typesense|solr|zincsearch|manticoresearch|quickwit|qdrant|weaviate|milvus)$/,
  },
];

/**
 * The role an image's repository tells (`postgres:16` -> postgres, `ghcr.io/acme/app-postgres` ->
 * postgres, `valkey/valkey` -> redis, `nginx` -> proxy), if it is a known piece of infrastructure.
 * An application image tells nothing here: see `serviceRole`.
 */
export function imageRole(image: string): Role | undefined {
  const repo = imageRepository(image);
  const last = repo.split('/').at(-1) ?? repo;
  return IMAGE_ROLES.find((r) => r.last?.test(last) || r.repo?.test(repo))?.role;
}

/** An image reference for the evidence: a digest cut to its first 12 hex digits. */
const shortImage = (image: string) => image.replace(/@sha256:([0-9a-f]{12})[0-9a-f]+/i, '@sha256:$1…');

/** Official images of a language runtime or a plain OS: they run whatever the command says. */
const BASE_IMAGE =
  /^(ubuntu|debian|alpine|busybox|centos|fedora|rockylinux|almalinux|amazonlinux|archlinux|python|node|ruby|golang|openjdk|eclipse-temurin|amazoncorretto|php|elixir|erlang|rust|denoland\/deno|oven\/bun|bash|curlimages\/curl|docker|hello-world|scratch|mcr\.microsoft\.com\/.*|minio\/mc|bitnami\/minideb)$/;

// ---- commands ----

export function commandText(service: ComposeService): string {
  const text = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(' ') : (v ?? ''));
  return `${text(service.entrypoint?.value)} ${text(service.command?.value)}`.trim();
}

const ASGI_SERVER = /(^|[\s/"'])(uvicorn|gunicorn|hypercorn|granian|daphne|fastapi\s+run)\b/;

/** The command starts an ASGI/WSGI server: the service serves a Python API. */
export function runsApiServer(service: ComposeService): boolean {
  return ASGI_SERVER.test(commandText(service));
}

/** Commands that start a database server. */
const SERVER_COMMANDS: [RegExp, Role][] = [
  [/(^|[\s/"'])(redis-server|valkey-server|keydb-server|dragonfly)\b/, 'redis'],
  [/(^|[\s/"'])clickhouse(-server|\s+server)\b/, 'clickhouse'],
  [/^\s*(docker-entrypoint\.sh\s+)?(postgres|postmaster)(\s|$)/, 'postgres'],
  [/(^|[\s/"'])pgbouncer\b/, 'pgbouncer'],
];

/** Commands that start a server or a worker of application code, in any language. */
const SERVING_COMMAND = new RegExp(
  [
    String.raw`(^|[\s/"'])(uvicorn|gunicorn|hypercorn|granian|daphne|waitress-serve|fastapi\s+run|flask\s+run)\b|manage\.py\s+runserver`,
    String.raw`(^|[\s/"'])(node|nodejs|bun|deno|tsx|ts-node|nodemon|pm2-runtime)\s`,
    String.raw`(^|[\s"'])(npm|yarn|pnpm)\s+(run\s+)?(start|serve|prod|dev|worker|start:prod|worker:prod)\b`,
    String.raw`\bjava\s.*-jar\b|\bspring-boot:run\b|\bcatalina\.sh\s+run\b`,
    String.raw`\bbundle\s+exec\s+(puma|rails|sidekiq|unicorn|thin|rackup|good_job|solid_queue)|\brails\s+s(erver)?\b|(^|[\s/])puma\b`,
    String.raw`\bmix\s+phx\.server\b|\bbin/\w+\s+start\b|/entrypoint\.sh\s+run\b`,
    String.raw`\bphp-fpm\b|\bphp\s+artisan\s+(serve|octane:start|queue:work|horizon)\b|\bfrankenphp\s+run\b`,
    String.raw`\bcelery\b.*\s(worker|beat)\b|\bdramatiq\b|\barq\s|\brq\s+worker\b|\bhuey_consumer\b`,
  ].join('|'),
);

/** Commands that run application code but may as well exit: a Python script, a binary of the image. */
const SCRIPT_COMMAND = new RegExp(
  [
    String.raw`\bpython[\d.]*\s+(-u\s+)?(-m\s+[\w.]+|[\w./-]+\.py)\b`,
    String.raw`\bdotnet\s+[\w.]+\.dll\b|(^|\s)(\.|/app|/usr/local/bin|/go/bin)/[\w-]+(\s+(serve|server|start|run|api|web|worker))?\s*$`,
  ].join('|'),
);

/** A command that starts application code; the matched text, for the evidence. */
export function appCommand(service: ComposeService): string | undefined {
  const command = commandText(service);
  const m = SERVING_COMMAND.exec(command) ?? SCRIPT_COMMAND.exec(command);
  return m ? m[0].trim() : undefined;
}

/**
 * The last step of a shell chain (`a && b; c`) decides what keeps running: a migration, a chown, a
 * bucket creation or an `exit` there means the container exits when it is done.
 */
const EXITS = new RegExp(
  [
    String.raw`\balembic\s+(-\S+\s+)*upgrade\b|\bmanage\.py\s+(migrate|collectstatic|createsuperuser|loaddata)\b`,
    String.raw`\bprisma\s+(migrate\s+deploy|db\s+push|db\s+seed)\b|\b(rails|rake)\s+db:(migrate|setup|prepare|seed|create)\b`,
    String.raw`\bmix\s+ecto\.(migrate|setup|create)\b|\b(knex|sequelize(-cli)?|typeorm|mikro-orm|drizzle-kit)\s+\S*migrat`,
    String.raw`\b(flyway|liquibase)\s+(migrate|update)\b|\bgoose\s.*\bup\b|\bdbmate\s.*\bup\b|\bdiesel\s+migration\s+run\b`,
    String.raw`\batlas\s+(migrate|schema)\s+apply\b|\b(npm|yarn|pnpm)\s+(run\s+)?(migrate|migration:run|db:migrate|seed|db:seed|setup|init)\b`,
    String.raw`(^|\s)-path\s+\S+\s+-database\s+\S+\s+up\b`,
    String.raw`(^|[\s/])(chown|chmod|mkdir|cp|echo|true|exit|sleep\s+\d+\s*$|mc\s+(mb|alias|policy|anonymous|admin)|createdb|psql\s.*-c|clickhouse-client\s.*--query|aws\s.*s3api\s+create-bucket)\b`,
    String.raw`/entrypoint\.sh\s+db\s+(migrate|createdb|init)\b|\bdb\s+(migrate|init|setup|seed)\s*$`,
    String.raw`(^|[\s:.])(migrate|migrations?:run|db:migrate|migrate:latest|upgrade\s+head)(\s|$)`,
    String.raw`\b(node|python[\d.]*|tsx|ts-node|bun|deno\s+run)\s+(\S*/)?(migrat|seed|setup|init|create[-_])[\w.-]*`,
  ].join('|'),
);

function lastStep(command: string): string {
  const steps = command
    .replace(/^\s*(sh|bash|ash|\/bin\/sh|\/bin\/bash)\s+-[a-z]*c\s+/, '')
    .replace(/^["']|["']\s*$/g, '')
    .split(/&&|\|\||;|\n/)
    .map((s) => s.trim().replace(/^["']|["']$/g, ''))
    .filter((s) => s !== '');
  return steps.at(-1) ?? '';
}

/** What the service's command does that exits (its last step), if it does. */
export function exitingCommand(service: ComposeService): string | undefined {
  const command = commandText(service);
  if (command === '') return undefined;
  const last = lastStep(command);
  const m = EXITS.exec(last);
  if (!m) return undefined;
  return last.length > 60 ? `${last.slice(0, 57)}…` : last;
}

// ---- healthchecks, environment, ports, labels ----

const HEALTH_ROLES: [RegExp, Role][] = [
  [/\bpg_isready\b/, 'postgres'],
  [/\b(redis|valkey|keydb)-cli\b[^|&;]*\bping\b/, 'redis'],
  [/\bclickhouse(-client|\s+client)\b|:8123\/(ping|\?query)/, 'clickhouse'],
  [/\bmysqladmin\s+ping\b|\bhealthcheck\.sh\s+--(connect|innodb)/, 'mysql'],
  [/\bmongo(sh)?\b.*\b(ping|serverStatus)\b/, 'mongodb'],
];

function healthRole(service: ComposeService): RoleInfo | undefined {
  const test = service.healthcheck?.test;
  if (!test || service.healthcheck?.disabled) return undefined;
  const text = Array.isArray(test.value) ? test.value.join(' ') : test.value;
  for (const [re, role] of HEALTH_ROLES) {
    const m = re.exec(text);
    if (m) return said(role, 'healthcheck', `healthcheck ${m[0]}`, test);
  }
  return undefined;
}

const envAt = (service: ComposeService, key: string) => service.environment[key];

/** Variables only a database server's own image reads. */
const SERVER_ENV: [RegExp, Role][] = [
  [/^(PGDATA|POSTGRES_INITDB_ARGS|POSTGRES_INITDB_WALDIR|POSTGRES_HOST_AUTH_METHOD)$/, 'postgres'],
  [/^(REDIS_ARGS|REDIS_AOF_ENABLED|REDIS_RDB_POLICY(_DISABLED)?|VALKEY_EXTRA_FLAGS)$/, 'redis'],
  [/^(CLICKHOUSE_DEFAULT_ACCESS_MANAGEMENT|CLICKHOUSE_SKIP_USER_SETUP)$/, 'clickhouse'],
  [
    /^(MYSQL_ROOT_PASSWORD|MARIADB_ROOT_PASSWORD|MYSQL_ALLOW_EMPTY_PASSWORD|MARIADB_RANDOM_ROOT_PASSWORD)$/,
    'mysql',
  ],
  [/^(MONGO_INITDB_ROOT_USERNAME|MONGO_INITDB_DATABASE)$/, 'mongodb'],
  [/^(PGBOUNCER_\w+|DATABASES_HOST)$/, 'pgbouncer'],
];

/** Variables a client of a database or cache reads: the service uses them, it does not serve them. */
const CLIENT_ENV =
  /^(\w+_)?(DATABASE_URL|DB_URL|DB_DSN|DATABASE_DSN|POSTGRES_(URL|DSN|HOST|SERVER)|PG_?HOST|DB_HOST(NAME)?|REDIS_(URL|HOST|DSN|HOSTNAME)|CACHE_URL|CELERY_BROKER_URL|BROKER_URL|CLICKHOUSE_(URL|HOST|DSN)|MONGO(DB)?_(URL|URI|HOST)|SQLALCHEMY_DATABASE_URI|SPRING_DATASOURCE_URL|AMQP_URL|RABBITMQ_URL|KAFKA_BOOTSTRAP_SERVERS)$/;

function serverEnvRole(service: ComposeService): RoleInfo | undefined {
  const keys = Object.keys(service.environment);
  for (const [re, role] of SERVER_ENV) {
    const key = keys.find((k) => re.test(k));
    if (key) return said(role, 'environment', `environment ${key}`, envAt(service, key));
  }
  // POSTGRES_PASSWORD/USER/DB are read by the server image and by many apps: the server's only
  // when nothing else says client (no host to connect to, no dependency, no port that no database
  // listens on: a Spring backend on 8080 with POSTGRES_DB connects to PostgreSQL, it is not one).
  const pg = keys.find((k) => /^POSTGRES_(PASSWORD|USER|DB)$/.test(k));
  const client = keys.some((k) => CLIENT_ENV.test(k));
  const otherPort = service.ports.some(
    (p) => p.container !== null && !PORT_ROLES.some(([port]) => port === p.container),
  );
  if (pg && !client && !otherPort && service.dependsOn.length === 0)
    return said('postgres', 'environment', `environment ${pg}`, envAt(service, pg));
  return undefined;
}

function clientEnv(service: ComposeService): RoleInfo | undefined {
  const key = Object.keys(service.environment).find((k) => CLIENT_ENV.test(k));
  return key ? said('app', 'environment', `environment ${key} (a client)`, envAt(service, key)) : undefined;
}

const PORT_ROLES: [number, Role][] = [
  [5432, 'postgres'],
  [6379, 'redis'],
  [8123, 'clickhouse'],
  [6432, 'pgbouncer'],
  [3306, 'mysql'],
  [27017, 'mongodb'],
];

function portRole(service: ComposeService): RoleInfo | undefined {
  for (const p of service.ports) {
    const role = PORT_ROLES.find(([port]) => port === p.container)?.[1];
    if (role) return said(role, 'ports', `port ${p.container}`, p);
  }
  return undefined;
}

/** Labels of a reverse proxy's routing: the service is served through the proxy, so it is an app. */
const PROXY_LABEL =
  /^(traefik\.(http|tcp)\.(routers|services)\.|traefik\.enable$|caddy(_\d+)?(\.|$)|virtual\.host|com\.centurylinklabs)/;

function labelRole(service: ComposeService): RoleInfo | undefined {
  const key = Object.keys(service.labels).find(
    (k) => PROXY_LABEL.test(k) && !(k === 'traefik.enable' && service.labels[k] === 'false'),
  );
  return key ? said('app', 'labels', `label ${key}`, service) : undefined;
}

// ---- the role of a service ----

/** Roles a service has by what it is, without looking at the other services. */
function ownRole(service: ComposeService, configured: string | undefined): RoleInfo {
  if (configured) return said(configured, 'config', `roles.${service.name}: ${configured}`);
  const image = service.image?.value;
  const byImage = image ? imageRole(image) : undefined;
  if (byImage && image) return said(byImage, 'image', `image ${shortImage(image)}`, service.image);
  const command = commandText(service);
  const server = SERVER_COMMANDS.find(([re]) => re.test(command));
  if (server) {
    const m = server[0].exec(command)!;
    return said(server[1], 'command', `command ${m[0].trim()}`, service.command ?? service.entrypoint);
  }
  const app = appCommand(service);
  if (app) return said('app', 'command', `command ${app}`, service.command ?? service.entrypoint);
  return healthRole(service) ?? serverEnvRole(service) ?? portRole(service) ?? buildRole(service) ?? none();
}

/** A database or proxy image built in the project: `build: ./postgres`, `dockerfile: docker/redis.Dockerfile`. */
const BUILD_ROLES: [RegExp, Role][] = [
  [/(^|[/._-])(postgres|postgresql|postgis|timescaledb|pgvector)([/._-]|$)/i, 'postgres'],
  [/(^|[/._-])(redis|valkey|keydb)([/._-]|$)/i, 'redis'],
  [/(^|[/._-])clickhouse([/._-]|$)/i, 'clickhouse'],
  [/(^|[/._-])pgbouncer([/._-]|$)/i, 'pgbouncer'],
  // A proxy built from a local `FROM nginx` Dockerfile: `build: ./nginx`, `proxy/Dockerfile`.
  [/(^|[/._-])(nginx|traefik|caddy|haproxy|envoy|proxy)([/._-]|$)/i, 'proxy'],
];

function buildRole(service: ComposeService): RoleInfo | undefined {
  const b = service.build;
  if (!b) return undefined;
  const path = `${b.context}/${b.dockerfile ?? ''}`;
  const role = BUILD_ROLES.find(([re]) => re.test(path))?.[1];
  return role ? said(role, 'build', `build ${path.replace(/\/$/, '')}`, b) : undefined;
}

const rolesCache = new WeakMap<
  ComposeFacts,
  { roles: Record<string, string>; byName: Map<string, RoleInfo> }
>();

/** Roles whose dependants are apps: what a long-running service uses for data. */
const DATA_ROLES: readonly string[] = [...DATABASE_ROLES, 'pgbouncer', 'queue', 'search', 'object-storage'];

/**
 * The role of every service of a compose project. Signals, strongest first:
 * 1. the config's `roles:`;
 * 2. the image, when it is a known piece of infrastructure (PostgreSQL family with postgis,
 *    timescaledb, pgvector and `<org>/<app>-postgres`; Redis, Valkey, KeyDB, Dragonfly; ClickHouse;
 *    PgBouncer; proxies, admin UIs, mail, monitoring, object storage, queues, search);
 * 3. the command: a database server (`redis-server`, `postgres -c`), or application code in any
 *    language (uvicorn, node, java -jar, puma, sidekiq, mix phx.server, a Go binary…);
 * 4. the healthcheck (`pg_isready`, `redis-cli ping`, `clickhouse-client`);
 * 5. the environment a server image reads (`PGDATA`, `POSTGRES_*` with nothing that says client);
 * 6. published or exposed ports (5432, 6379, 8123, 6432);
 * 7. a build whose context or Dockerfile is named after a database (`build: ./postgres`);
 * then, for a service none of these place, what it does in the project: it depends on a database
 * (app), it reads a database URL (app), a proxy routes to it (labels: app), it is built from
 * source (app), or it runs an application image (`ghcr.io/<org>/<app>`, `<org>/<app>:tag`: app).
 */
export function projectRoles(facts: ComposeFacts, roles: Record<string, string>): Map<string, RoleInfo> {
  const cached = rolesCache.get(facts);
  if (cached && cached.roles === roles) return cached.byName;
  const byName = new Map<string, RoleInfo>();
  for (const s of facts.services) byName.set(s.name, ownRole(s, roles[s.name]));
  const isData = (name: string) => DATA_ROLES.includes(byName.get(name)?.role ?? '');
  for (const s of facts.services) {
    if (!byName.get(s.name)?.role) byName.set(s.name, contextRole(s, isData));
  }
  rolesCache.set(facts, { roles, byName });
  return byName;
}

function contextRole(s: ComposeService, isData: (name: string) => boolean): RoleInfo {
  const dep = s.dependsOn.find((d) => isData(d.service));
  if (dep) return said('app', 'depends_on', `depends_on ${dep.service}`, dep);
  const env = clientEnv(s);
  if (env) return env;
  const label = labelRole(s);
  if (label) return label;
  if (s.build) return said('app', 'build', `build ${s.build.context}`, s.build);
  const image = s.image?.value;
  if (image) {
    const repo = imageRepository(image);
    if (repo.includes('/') && !BASE_IMAGE.test(repo))
      return said('app', 'image', `image ${shortImage(image)} (an application image)`, s.image);
  }
  return none();
}

/**
 * What a project's services say of each other, found once per project (the checks ask per service,
 * and a scan of the project per question made a 5,000-service file take a minute): its services,
 * and for each service the first that waits for it with `service_completed_successfully`.
 */
const projectIndexes = new WeakMap<
  ComposeFacts,
  { members: Set<ComposeService>; waiters: Map<string, string> }
>();

function projectIndex(facts: ComposeFacts): { members: Set<ComposeService>; waiters: Map<string, string> } {
  let index = projectIndexes.get(facts);
  if (!index) {
    const waiters = new Map<string, string>();
    for (const s of facts.services)
      for (const d of s.dependsOn)
        if (d.condition === 'service_completed_successfully' && !waiters.has(d.service))
          waiters.set(d.service, s.name);
    index = { members: new Set(facts.services), waiters };
    projectIndexes.set(facts, index);
  }
  return index;
}

/**
 * The role of one service: with its project (`facts`), every signal above; without it, only what
 * the service itself says.
 */
export function serviceRole(
  service: ComposeService,
  roles: Record<string, string>,
  facts?: ComposeFacts,
): RoleInfo {
  if (facts && projectIndex(facts).members.has(service))
    return projectRoles(facts, roles).get(service.name) ?? none();
  const own = ownRole(service, roles[service.name]);
  return own.role ? own : contextRole(service, () => false);
}

/** `image postgres:16`: what told the role, for evidence and `--explain-roles`. */
export function roleReason(info: RoleInfo): string {
  if (!info.role) return 'no signal: name it under roles: in the config';
  return info.value ?? info.from;
}

/** `role app (depends_on db)`: a role and its reason, in one short note. */
export function roleNote(info: RoleInfo): string {
  return info.role ? `role ${info.role} (${roleReason(info)})` : 'no known role';
}

// ---- one-shot jobs ----

/** Roles a user may give in the config to mark a service as a one-shot job. */
const ONE_SHOT_ROLES = new Set(['job', 'oneshot', 'one-shot', 'task', 'tool', 'tools']);
const ONE_SHOT_PROFILES = new Set([
  'tools',
  'tool',
  'tooling',
  'cli',
  'migrate',
  'migration',
  'migrations',
  'init',
  'setup',
  'jobs',
]);
/**
 * Words of run-once containers, in a name or a command's last step: migrations, setup, seeding,
 * backups, test runners (playwright, cypress, e2e, tests).
 */
const ONE_SHOT_WORD =
  /(^|[\s/._:-])(migrat\w*|alembic|init|initdb|setup|seed\w*|bootstrap|createdb|create[-_]\w+|createbuckets|provision\w*|backup|restore|wait[-_]for\w*|change[-_]vol\w*|fix[-_]perm\w*|playwright|cypress|e2e|tests?|pytest)(?=$|[\s/._:-])/i;

const KEEPS_RUNNING = /^(always|unless-stopped|any)$/;

/**
 * Why a service is a one-shot job rather than a long-running one, or undefined when it runs for
 * good. Judged by behaviour:
 * - the config gives it a job role (`job`, `oneshot`, `task`, `tool`; any other role in the config
 *   makes it long-running), or it belongs to a tools-like profile (`tools`, `cli`, `migrate`, `init`, `setup`…);
 * - another service waits for it to finish (`condition: service_completed_successfully`);
 * - it neither restarts for good (`restart` absent, `"no"` or `on-failure`) nor has a healthcheck,
 *   and its command ends in a step that exits (a migration, `chown`, `mc mb`, `exit 0`), whatever
 *   its image; or, with no such command, it is not a server (database, infrastructure, application
 *   command) and its name says it runs once (migrate, init, setup, seed, create…).
 * - or, with the Dockerfiles it builds read (`dockerfiles`), it only builds and tags an image: no
 *   command or anything else a running container needs in compose, a stage without CMD or
 *   ENTRYPOINT, a base for other builds or a plain OS/runtime image (see `buildOnlyReason`).
 * A word in the command of a service that restarts or has a healthcheck never makes it a job.
 */
export function oneShotReason(
  service: ComposeService,
  roles: Record<string, string>,
  facts?: ComposeFacts,
  dockerfiles?: readonly DockerfileFacts[],
): string | undefined {
  const configured = roles[service.name];
  if (configured && ONE_SHOT_ROLES.has(configured)) return `role ${configured} in the config`;
  // Any other role the user gives says the service runs for good.
  if (configured) return undefined;
  const profile = service.profiles.find((p) => ONE_SHOT_PROFILES.has(p));
  if (profile) return `profile ${profile}`;
  const waiter = facts && projectIndex(facts).waiters.get(service.name);
  if (waiter) return `${waiter} waits for it with service_completed_successfully`;
  const restart = service.restart?.value ?? service.deployRestartCondition?.value;
  if (restart !== undefined && KEEPS_RUNNING.test(restart)) return undefined;
  if (service.healthcheck && !service.healthcheck.disabled) return undefined;
  const policy = `restart ${restart ?? 'not set'}`;
  // The last step decides: `migrate && serve` serves, `node scripts/migrate.js` exits. A command
  // that exits makes a job whatever the image: a database or collector image run as a migrator
  // (`signoz-otel-collector migrate sync up`, `clickhouse-client --query …`) serves nothing.
  const command = commandText(service);
  const exits = exitingCommand(service);
  if (exits) return `${policy} and its command ends with "${exits}"`;
  const buildOnly = buildOnlyReason(service, facts, dockerfiles);
  if (buildOnly) return `${policy}, no healthcheck, build-only: ${buildOnly}`;
  const role = serviceRole(service, roles, facts);
  if (role.role !== undefined && role.role !== 'app' && role.role !== 'worker') return undefined;
  if (SERVING_COMMAND.test(command)) return undefined;
  const byName = ONE_SHOT_WORD.exec(service.name);
  if (byName) return `${policy}, no healthcheck, not a server, and named "${service.name}"`;
  // With no command in compose, the Dockerfile's name tells: `Dockerfile.playwright`, `e2e.Dockerfile`.
  const dockerfile = command === '' ? service.build?.dockerfile?.split('/').at(-1) : undefined;
  const byDockerfile = dockerfile ? ONE_SHOT_WORD.exec(dockerfile) : null;
  if (byDockerfile && dockerfile)
    return `${policy}, no healthcheck, no command, and built from ${dockerfile}`;
  const byCommand = ONE_SHOT_WORD.exec(lastStep(command));
  return byCommand
    ? `${policy}, no healthcheck, not a server, and its command runs "${byCommand[2]}"`
    : undefined;
}

export function isLongRunning(
  service: ComposeService,
  roles: Record<string, string>,
  facts?: ComposeFacts,
  dockerfiles?: readonly DockerfileFacts[],
): boolean {
  return oneShotReason(service, roles, facts, dockerfiles) === undefined;
}

// ---- Redis as a cache ----

/** Shell-like words of a command: quotes removed, `""` kept as an empty word. */
function words(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  // `["sh", "-c", "redis-server --save ''"]`: the shell string holds words of its own.
  if (Array.isArray(v)) return v.flatMap((x) => (/\s/.test(x) ? words(x) : [x]));
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  for (let m = re.exec(v); m; m = re.exec(v)) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/**
 * Why a Redis service keeps nothing on disk, if it does not: `--save ""` (no RDB snapshots) with
 * append-only off (`--appendonly no`, Redis's default), or Bitnami's `REDIS_RDB_POLICY_DISABLED=yes`
 * with `REDIS_AOF_ENABLED=no`. Such a cache needs no volume.
 */
export function redisPersistenceOff(service: ComposeService): string | undefined {
  const w = [...words(service.entrypoint?.value), ...words(service.command?.value)];
  const arg = (name: string) => {
    const i = w.findIndex((x) => x === name || x.startsWith(`${name}=`));
    if (i < 0) return undefined;
    const x = w[i]!;
    return x.includes('=') ? x.slice(x.indexOf('=') + 1) : (w[i + 1] ?? '');
  };
  const save = arg('--save');
  const aof = arg('--appendonly');
  if (save !== undefined && save.replace(/["']/g, '') === '' && aof !== 'yes')
    return `--save "" and --appendonly ${aof ?? 'no (default)'}`;
  const env = service.environment;
  if (env.REDIS_RDB_POLICY_DISABLED?.value === 'yes' && env.REDIS_AOF_ENABLED?.value === 'no')
    return 'REDIS_RDB_POLICY_DISABLED=yes and REDIS_AOF_ENABLED=no';
  return undefined;
}

// ---- explaining the guesses ----

export interface RoleExplanation {
  service: string;
  role?: string;
  from: RoleSignal;
  /** What told the role: `image postgres:16`, `depends_on db`… */
  reason: string;
  file?: string;
  line?: number;
  /** Why the service runs once, when it does. */
  oneShot?: string;
}

/** Each service's role and why, for `strisk audit --explain-roles`: what a user reads to correct a guess. */
export function explainRoles(
  facts: ComposeFacts,
  roles: Record<string, string>,
  dockerfiles?: readonly DockerfileFacts[],
): RoleExplanation[] {
  const byName = projectRoles(facts, roles);
  return facts.services.map((s) => {
    const oneShot = oneShotReason(s, roles, facts, dockerfiles);
    const guessed = byName.get(s.name) ?? none();
    // A run-once service that nothing else places is a job, and why it runs once is its reason.
    const info =
      !guessed.role && oneShot ? { role: 'job', from: guessed.from, value: `one-shot: ${oneShot}` } : guessed;
    return {
      service: s.name,
      ...(info.role ? { role: info.role } : {}),
      from: info.from,
      reason: roleReason(info),
      ...(info.file ? { file: info.file, line: info.line } : { file: s.file, line: s.line }),
      ...(oneShot ? { oneShot } : {}),
    };
  });
}

/** Where each database keeps its data in the official and Bitnami images (compose/named-volumes, k8s/data-volumes). */
export function databaseDataDirs(): Record<string, string[]> {
  return {
    clickhouse: ['/var/lib/clickhouse', '/bitnami/clickhouse'],
    postgres: [
      '/var/lib/postgresql/data',
      '/var/lib/postgresql',
      '/bitnami/postgresql',
      '/home/postgres/pgdata',
    ],
    redis: ['/data', '/bitnami/redis/data', '/bitnami/valkey/data'],
    mysql: ['/var/lib/mysql', '/bitnami/mysql/data', '/bitnami/mariadb/data'],
    mongodb: ['/data/db', '/bitnami/mongodb'],
  };
}
