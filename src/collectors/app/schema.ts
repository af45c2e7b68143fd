import { z } from 'zod';
import { InlineIgnoreSchema } from '../inline-ignores.js';

/**
 * What the app collector reads of a FastAPI project: facts from its Python source (parsed with
 * tree-sitter), its dependency manifests and the commands that start its server. Every finding
 * carries the file (relative to the project root, `/`-separated) and the 1-based line.
 */

/** A Python expression as written, with its value when it is a literal or resolves to one. */
export const ValueSchema = z.object({
  text: z.string(),
  /** The literal value; for `os.environ.get("X", "d")` the default; absent when not statically known. */
  value: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  /** The environment variable the value comes from, when it does. */
  env: z.string().optional(),
  /** Where the value was resolved when that is elsewhere (a settings attribute). */
  from: z.object({ file: z.string(), line: z.number().int() }).optional(),
});
export type Value = z.infer<typeof ValueSchema>;

const Loc = { file: z.string(), line: z.number().int() };

/** A call: its name as written and resolved through the imports (`requests.get`, `redis.asyncio.from_url`). */
export const CallSchema = z.object({
  ...Loc,
  name: z.string(),
  /** Fully qualified through imports; a method on a module-level client is `<factory>().<method>`. */
  qualified: z.string(),
  awaited: z.boolean(),
  /** Arguments, read for calls to the libraries the checks know (route calls to anything else have none). */
  args: z.record(z.string(), ValueSchema).default({}),
  positional: z.array(ValueSchema).default([]),
});
export type Call = z.infer<typeof CallSchema>;

export const RouteCallSchema = CallSchema.extend({
  /** Helper functions between the route and this call, outermost first; empty for the route's own body. */
  via: z.array(z.string()).default([]),
});
export type RouteCall = z.infer<typeof RouteCallSchema>;

export const RouteSchema = z.object({
  ...Loc,
  method: z.string(),
  path: z.string(),
  handler: z.string(),
  async: z.boolean(),
  /** The object the decorator hangs on: `app`, `router`. */
  owner: z.string(),
  responseModel: z.string().nullable(),
  /** Other decorators, e.g. `limiter.limit("10/minute")`. */
  decorators: z.array(z.string()).default([]),
  calls: z.array(RouteCallSchema).default([]),
});
export type Route = z.infer<typeof RouteSchema>;

export const MiddlewareSchema = z.object({
  ...Loc,
  /** Class as written, and qualified through the imports. */
  name: z.string(),
  qualified: z.string(),
  how: z.enum(['add_middleware', 'middleware-list', 'decorator']),
  /** The app it is added to, as written (`app`, `api`): each FastAPI instance has its own stack. */
  app: z.string().default(''),
  args: z.record(z.string(), ValueSchema).default({}),
  /** For a project middleware with an async `dispatch`/`__call__` (or an async decorated function): the calls it makes, as for routes. */
  calls: z.array(RouteCallSchema).default([]),
});
export type Middleware = z.infer<typeof MiddlewareSchema>;

export const ImportSchema = z.object({
  ...Loc,
  module: z.string(),
  /** The imported name for `from m import n`; absent for `import m`. */
  name: z.string().optional(),
  alias: z.string().optional(),
});
export type Import = z.infer<typeof ImportSchema>;

/** A module-level class definition with its bases, qualified. */
export const ClassSchema = z.object({ ...Loc, name: z.string(), bases: z.array(z.string()) });

export const SettingSchema = z.object({
  ...Loc,
  env: z.string(),
  default: z.union([z.string(), z.number(), z.boolean(), z.null()]).optional(),
  /** The settings attribute that holds it, when it is one. */
  attribute: z.string().optional(),
});
export type Setting = z.infer<typeof SettingSchema>;

export const DependencySchema = z.object({
  ...Loc,
  /** Normalised (PEP 503): lower case, runs of `-_.` as `-`. */
  name: z.string(),
  spec: z.string(),
  extras: z.array(z.string()).default([]),
  /** `main`, `dev` (or another group name), `lock` for lock files. */
  group: z.string(),
});
export type Dependency = z.infer<typeof DependencySchema>;

export const ServerCommandSchema = z.object({
  ...Loc,
  source: z.enum(['dockerfile', 'compose', 'procfile', 'gunicorn-config', 'python']),
  /** The compose service or Procfile process type. */
  service: z.string().optional(),
  argv: z.array(z.string()),
  server: z.enum(['uvicorn', 'gunicorn', 'hypercorn', 'fastapi', 'other']),
  /** Options as given: `--workers` → `4`, flags without a value → `true`. Short forms are expanded. */
  options: z.record(z.string(), z.union([z.string(), z.boolean()])).default({}),
  /** Worker count when given; null when given but not a number (an expression, a variable). */
  workers: z.number().int().nullable().optional(),
  workerClass: z.string().optional(),
  /** Environment the command runs with (compose `environment`), only the server-related keys. */
  env: z.record(z.string(), z.string().nullable()).default({}),
});
export type ServerCommand = z.infer<typeof ServerCommandSchema>;

export const FileErrorSchema = z.object({ ...Loc, message: z.string() });
export type FileError = z.infer<typeof FileErrorSchema>;

export const AppFactsSchema = z.object({
  /** The directory read, as given. */
  dir: z.string(),
  /** Python files parsed (relative paths). */
  files: z.array(z.string()),
  /** Files that could not be parsed: their findings are missing, checks that need them report error. */
  errors: z.array(FileErrorSchema).default([]),
  /** `FastAPI(...)` instances and their arguments (e.g. `debug=True`). */
  apps: z.array(z.object({ ...Loc, name: z.string(), args: z.record(z.string(), ValueSchema) })).default([]),
  routes: z.array(RouteSchema),
  middleware: z.array(MiddlewareSchema),
  imports: z.array(ImportSchema),
  classes: z.array(ClassSchema).default([]),
  /**
   * Every call to something the checks care about (pools, clients, HTTP calls, limiters, logging),
   * anywhere in the source, qualified through the imports.
   */
  calls: z.array(CallSchema),
  /** Dict literals that configure logging (`dictConfig`), as key paths → values. */
  loggingDicts: z.array(z.object({ ...Loc, entries: z.record(z.string(), ValueSchema) })).default([]),
  settings: z.array(SettingSchema),
  dependencies: z.array(DependencySchema),
  /** Manifests read (requirements*.txt, pyproject.toml, lock files). */
  manifests: z.array(z.string()),
  servers: z.array(ServerCommandSchema),
  /** `# strisk-ignore CHECK: REASON` comments in the Python files (absent when there are none). */
  ignores: z.array(InlineIgnoreSchema).optional(),
});
export type AppFacts = z.infer<typeof AppFactsSchema>;

declare module '../../core/check.js' {
  interface SourceData {
    app: AppFacts;
  }
}
