// The command that starts the server, from a Dockerfile CMD/ENTRYPOINT, compose `command`, a
// Procfile or gunicorn.conf.py: which server, its options, and the worker count when given.
import type { ServerCommand } from './schema.js';

const SERVERS = ['uvicorn', 'gunicorn', 'hypercorn', 'fastapi'] as const;
/** Options that take no value, per server (anything else starting with `-` takes the next token). */
const BOOLEAN_FLAGS = new Set(
  '--reload --proxy-headers --no-proxy-headers --access-log --no-access-log --use-colors --no-use-colors --preload --daemon -D --reuse-port --server-header --no-server-header --date-header --no-date-header --factory --debug --check-config --print-config --capture-output --spew --no-sendfile --reload-include'.split(
    ' ',
  ),
);
const SHORT: Record<string, string> = {
  '-w': '--workers',
  '-k': '--worker-class',
  '-b': '--bind',
  '-c': '--config',
};
/** Compose/Procfile environment keys that change how the server runs. */
export const SERVER_ENV_KEYS = [
  'WEB_CONCURRENCY',
  'GUNICORN_CMD_ARGS',
  'UVICORN_WORKERS',
  'UVICORN_LOOP',
  'UVICORN_HTTP',
  'UVICORN_LOG_LEVEL',
  'LOG_LEVEL',
];

/** A POSIX-shell-like split: quotes and backslashes, no expansion. */
export function shellSplit(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let has = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += c;
    } else if (c === '"' || c === "'") {
      quote = c;
      has = true;
    } else if (c === '\\' && i + 1 < text.length) cur += text[++i];
    else if (/\s/.test(c)) {
      if (cur || has) out.push(cur);
      cur = '';
      has = false;
    } else cur += c;
  }
  if (cur || has) out.push(cur);
  return out;
}

/** `["sh", "-c", "exec uvicorn ..."]` → the argv of the inner command. */
function unwrapShell(argv: string[]): string[] {
  const i = argv.findIndex((a, k) => a === '-c' && /(^|\/)(ba|da)?sh$/.test(argv[k - 1] ?? ''));
  if (i >= 0 && argv[i + 1]) {
    const inner = argv[i + 1]!.split(/&&|;|\|\|/).map((part) => shellSplit(part.trim()));
    return inner.find((a) => findServer(a) >= 0) ?? inner.at(-1) ?? [];
  }
  return argv;
}

function findServer(argv: string[]): number {
  return argv.findIndex((a, i) => {
    const base = a.split('/').at(-1)!;
    if ((SERVERS as readonly string[]).includes(base)) return true;
    return argv[i - 1] === '-m' && (SERVERS as readonly string[]).includes(a);
  });
}

export function parseServerCommand(
  argvIn: string[],
  where: Pick<ServerCommand, 'file' | 'line' | 'source' | 'service'>,
  env: Record<string, string | null> = {},
): ServerCommand | undefined {
  let argv = unwrapShell(argvIn.filter((a) => a !== 'exec'));
  if (argv[0] === 'exec') argv = argv.slice(1);
  const at = findServer(argv);
  if (at < 0) return undefined;
  const server = argv[at]!.split('/').at(-1) as ServerCommand['server'];
  const options: Record<string, string | boolean> = {};
  const rest = [
    ...argv.slice(at + 1),
    ...(server === 'gunicorn' && env.GUNICORN_CMD_ARGS ? shellSplit(env.GUNICORN_CMD_ARGS) : []),
  ];
  for (let i = 0; i < rest.length; i++) {
    const tok = rest[i]!;
    if (!tok.startsWith('-')) continue;
    const eq = tok.indexOf('=');
    const key = SHORT[eq > 0 ? tok.slice(0, eq) : tok] ?? (eq > 0 ? tok.slice(0, eq) : tok);
    if (eq > 0) options[key] = tok.slice(eq + 1);
    else if (BOOLEAN_FLAGS.has(key) || i + 1 >= rest.length || rest[i + 1]!.startsWith('-'))
      options[key] = true;
    else options[key] = rest[++i]!;
  }
  const workersText =
    typeof options['--workers'] === 'string'
      ? options['--workers']
      : (env.WEB_CONCURRENCY ?? (server === 'uvicorn' ? env.UVICORN_WORKERS : undefined));
  const workers =
    workersText === undefined || workersText === null
      ? undefined
      : /^\d+$/.test(workersText)
        ? Number(workersText)
        : null;
  const workerClass = typeof options['--worker-class'] === 'string' ? options['--worker-class'] : undefined;
  const keptEnv = Object.fromEntries(Object.entries(env).filter(([k]) => SERVER_ENV_KEYS.includes(k)));
  return {
    ...where,
    argv,
    server: SERVERS.includes(server as never) ? server : 'other',
    options,
    ...(workers !== undefined ? { workers } : {}),
    ...(workerClass ? { workerClass } : {}),
    env: keptEnv,
  };
}

/** Procfile lines `web: uvicorn app.main:app --workers 2`. */
export function parseProcfile(file: string, text: string): ServerCommand[] {
  return text.split('\n').flatMap((line, i) => {
    const m = /^([\w-]+):\s*(.+)$/.exec(line.trim());
    if (!m) return [];
    const cmd = parseServerCommand(shellSplit(m[2]!), {
      file,
      line: i + 1,
      source: 'procfile',
      service: m[1]!,
    });
    return cmd ? [cmd] : [];
  });
}

/** Dockerfile ENTRYPOINT + CMD of the last stage (exec form JSON or shell form). */
export function dockerCommandArgv(args: string): string[] {
  const trimmed = args.trim();
  if (trimmed.startsWith('[')) {
    try {
      const parsed = JSON.parse(trimmed) as unknown;
      if (Array.isArray(parsed)) return parsed.map(String);
    } catch {
      // not JSON: the shell form
    }
  }
  return ['/bin/sh', '-c', trimmed];
}
