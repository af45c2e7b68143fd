import { z } from 'zod';
import type { DockerfileFacts, Instruction } from '../../collectors/dockerfile/schema.js';
import { defineCheck, type Evidence } from '../../core/check.js';
import {
  atStage,
  chainInstructions,
  commandsOf,
  mountsOf,
  programOf,
  type ShippedStage,
} from '../../facts/dockerfile.js';
import { buildOnlyItem, onlyBuildOnly, shippedImagesOf } from '../../facts/build-only.js';

const options = z.object({
  /** Package names (globs) that are build-time only: compilers, headers, build tools. */
  buildPackages: z
    .array(z.string())
    .default([
      'gcc',
      'gcc-*',
      'g++',
      'g++-*',
      'clang',
      'make',
      'cmake',
      'build-essential',
      'build-base',
      '*-dev',
      '*-devel',
      'cargo',
      'rustc',
      'gfortran',
      'autoconf',
      'automake',
      'libtool',
      'pkg-config',
      'pkgconf',
    ]),
});

const glob = (pattern: string) =>
  new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);

/** Package-manager options that take a value (the value is not a package). */
const VALUE_OPTIONS = new Set(['-o', '-t', '-c', '--target-release', '--virtual', '--repository', '-X']);

function positional(args: string[]): string[] {
  const out: string[] = [];
  for (let k = 0; k < args.length; k++) {
    const a = args[k] as string;
    if (VALUE_OPTIONS.has(a)) k++;
    else if (!a.startsWith('-')) out.push(a);
  }
  return out;
}

interface Installed {
  name: string;
  /** The `apk add --virtual` group the package was installed in. */
  group?: string;
}

interface PackageOps {
  installed: Installed[];
  removed: Set<string>;
  aptInstall: boolean;
  apkAdd: { noCache: boolean } | undefined;
}

const optionValue = (args: string[], ...names: string[]) =>
  names
    .map((n) => args.indexOf(n))
    .filter((k) => k >= 0)
    .map((k) => args[k + 1])[0];

/** Package installs and removals in one RUN, with version pins and arch suffixes dropped. */
function packageOps(i: Instruction): PackageOps {
  const ops: PackageOps = { installed: [], removed: new Set(), aptInstall: false, apkAdd: undefined };
  const clean = (p: string) => p.split(/[=:<>~]/)[0] as string;
  for (const cmd of commandsOf(i)) {
    const { program, rest } = programOf(cmd);
    const sub = positional(rest)[0];
    const args = rest.slice(rest.indexOf(sub as string) + 1);
    const names = positional(args).map(clean);
    const remove = () => {
      for (const n of names) ops.removed.add(n);
    };
    if (program === 'apt-get' || program === 'apt') {
      if (sub === 'install') ops.installed.push(...names.map((name) => ({ name })));
      if (sub === 'install' || sub === 'update') ops.aptInstall = true;
      if (sub === 'purge' || sub === 'remove') remove();
    } else if (program === 'apk') {
      if (sub === 'add') {
        const group = optionValue(args, '--virtual', '-t');
        ops.apkAdd = { noCache: args.includes('--no-cache') || ops.apkAdd?.noCache === true };
        ops.installed.push(...names.map((name) => ({ name, ...(group && { group }) })));
      }
      if (sub === 'del') remove();
    } else if (['yum', 'dnf', 'microdnf'].includes(program)) {
      if (sub === 'install') ops.installed.push(...names.map((name) => ({ name })));
      if (sub === 'remove' || sub === 'erase') remove();
    }
  }
  return ops;
}

const removes = (i: Instruction, path: RegExp) =>
  commandsOf(i).some((c) => programOf(c).program === 'rm' && c.some((t) => path.test(t)));

/**
 * Whether a RUN removes `dir` (`/var/lib/apt/lists`): the directory, its contents (`dir/*`) or a
 * directory above it (`rm -rf /var/lib`).
 */
function removesDir(i: Instruction, dir: string): boolean {
  return commandsOf(i).some(
    (c) =>
      programOf(c).program === 'rm' &&
      c.slice(1).some((t) => {
        const path = t.replace(/\/\*$|\/+$/, '');
        return (
          !t.startsWith('-') &&
          path.startsWith('/') &&
          path.length > 1 &&
          (dir === path || dir.startsWith(`${path}/`) || path.startsWith(`${dir}/`))
        );
      }),
  );
}

/** `ARG NAME=value` / `ENV NAME=value` (quoted or not) declared by an instruction, in order. */
function declared(i: Instruction, globals: DockerfileFacts['globalArgs']): [string, string][] {
  if (i.keyword !== 'ARG' && i.keyword !== 'ENV') return [];
  const out: [string, string][] = [];
  for (const m of i.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)(?:=("([^"]*)"|'([^']*)'|\S*))?/g)) {
    const name = m[1] as string;
    if (m[2] !== undefined) out.push([name, m[3] ?? m[4] ?? m[2]]);
    else if (i.keyword === 'ARG' && typeof globals[name] === 'string') out.push([name, globals[name]]);
  }
  return out;
}

/** A `$NAME` / `${NAME}` package list replaced by the names in its ARG/ENV value, when known. */
function expand(names: string[], vars: Map<string, string>): string[] {
  return names.flatMap((n) => {
    const ref = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$/.exec(n)?.[1];
    const value = ref === undefined ? undefined : vars.get(ref);
    return value === undefined
      ? [n]
      : value
          .split(/\s+/)
          .filter(Boolean)
          .map((p) => p.split(/[=:<>~]/)[0] as string);
  });
}
const cacheMount = (i: Instruction, target?: RegExp) =>
  mountsOf(i).some(
    (m) => m.type === 'cache' && (!target || target.test(m.target ?? m.dst ?? m.destination ?? '')),
  );

/** `pip install`, `uv pip install`/`uv sync` and `poetry install` that leave a cache in the layer. */
function cachedInstall(i: Instruction, env: string): string | undefined {
  if (cacheMount(i) || removes(i, /\.cache|POETRY_CACHE_DIR/)) return undefined;
  for (const cmd of commandsOf(i)) {
    const { program, rest } = programOf(cmd);
    if (program === 'pip' && rest[0] === 'install') {
      if (!rest.includes('--no-cache-dir') && !/PIP_NO_CACHE_DIR=(?!0|false|no)/i.test(env))
        return cmd.join(' ');
    } else if (program === 'uv' && (rest[0] === 'sync' || (rest[0] === 'pip' && rest[1] === 'install'))) {
      if (!rest.includes('--no-cache') && !/UV_NO_CACHE=(?!0|false|no)/i.test(env)) return cmd.join(' ');
    } else if (program === 'poetry' && rest[0] === 'install' && !rest.includes('--no-cache')) {
      return cmd.join(' ');
    }
  }
  return undefined;
}

function judge(df: DockerfileFacts, { stage, why }: ShippedStage, patterns: RegExp[]): Evidence[] {
  const out: Evidence[] = [];
  let env = '';
  const vars = new Map<string, string>();
  for (const i of chainInstructions(df, stage)) {
    if (i.keyword === 'ENV') env += ` ${i.args}`;
    for (const [name, value] of declared(i, df.globalArgs)) vars.set(name, value);
    if (i.keyword !== 'RUN') continue;
    const fail = (observed: string, expected: string) =>
      out.push({ ...atStage(df, stage, i.line), status: 'fail', observed, expected, note: why });
    const raw = packageOps(i);
    // Package lists kept in an ARG/ENV (`apt-get install ${RUNTIME_PACKAGES}`) are judged by name.
    const ops = {
      ...raw,
      installed: raw.installed.flatMap((p) => expand([p.name], vars).map((name) => ({ ...p, name }))),
      removed: new Set(expand([...raw.removed], vars)),
    };
    const left = ops.installed.filter(
      (p) =>
        patterns.some((g) => g.test(p.name)) &&
        !ops.removed.has(p.name) &&
        !(p.group && ops.removed.has(p.group)),
    );
    if (left.length > 0) {
      fail(
        `${left.map((p) => p.name).join(' ')} installed in a shipped stage`,
        'build packages only in a build stage',
      );
    }
    const unknown = ops.installed.filter((p) => p.name.startsWith('$') && !ops.removed.has(p.name));
    for (const p of unknown) {
      out.push({
        ...atStage(df, stage, i.line),
        status: 'warn',
        observed: `packages from ${p.name}`,
        note: `not resolved; ${why}`,
      });
    }
    if (ops.aptInstall && !removesDir(i, '/var/lib/apt/lists') && !cacheMount(i, /^\/var\/lib\/apt/)) {
      fail('apt lists left in the layer', 'rm -rf /var/lib/apt/lists/* in the same RUN');
    }
    if (
      ops.apkAdd &&
      !ops.apkAdd.noCache &&
      !removesDir(i, '/var/cache/apk') &&
      !cacheMount(i, /^\/var\/cache\/apk/)
    ) {
      fail('apk cache left in the layer', 'apk add --no-cache');
    }
    const cached = cachedInstall(i, env);
    if (cached) fail(`\`${cached}\` keeps its download cache`, '--no-cache-dir or RUN --mount=type=cache');
  }
  return out.length > 0
    ? out
    : [{ ...atStage(df, stage, stage.line), status: 'pass', observed: 'shipped stage clean', note: why }];
}

const FIX = `# build stage: compilers and headers live here only
FROM python:3.12-slim AS build
RUN apt-get update && apt-get install -y --no-install-recommends gcc libpq-dev \\
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip wheel --no-cache-dir --wheel-dir /wheels -r requirements.txt

# final stage: runtime libraries only
FROM python:3.12-slim
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 \\
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/* && rm -rf /wheels`;

export default defineCheck({
  id: 'dockerfile/build-deps',
  title: 'Shipped stages carry no build dependencies or package caches',
  failureTitle: 'A shipped stage carries compilers, headers or package caches',
  description:
    'Compilers and `-dev` headers are needed to build wheels, not to run them; in the final image they ' +
    'add hundreds of MB and attack surface (checklist 3.1: "remove build dependencies in final stage", ' +
    'final image < 500 MB). Judges each shipped stage: the stage compose builds (`build.target`, else the ' +
    'last stage), or, without compose, every stage no other stage builds on. Fails when such a stage (or ' +
    'a stage it is built FROM) installs a build ' +
    'package (gcc, g++, build-essential, *-dev, libpq-dev...) without purging it in the same RUN - a ' +
    'later RUN cannot shrink an earlier layer; when `apt-get update/install` leaves ' +
    '/var/lib/apt/lists in its layer (remove it in the same RUN, or use a cache mount); when `apk add` ' +
    'runs without `--no-cache`; and when pip/uv/poetry installs keep their cache (use `--no-cache-dir`, ' +
    'PIP_NO_CACHE_DIR, or `RUN --mount=type=cache`). Build stages that only feed others are not judged: ' +
    'their layers do not ship. ' +
    'A Dockerfile that only build-only compose services build (`build:` with a tag and nothing else, no CMD or ' +
    'ENTRYPOINT: a base image other builds start from) is listed, not judged: it is not a shipped app image. ' +
    'https://docs.docker.com/build/building/best-practices/#apt-get',
  seedRef: '3.1',
  severity: 'medium',
  kind: 'auto',
  requires: ['dockerfile'],
  optional: ['compose'],
  options,
  run(input, o) {
    const patterns = o.buildPackages.map(glob);
    // A Dockerfile only build-only services build is a base for other builds (a builder image, whose
    // build tools are its purpose): listed, not judged.
    const evidence = shippedImagesOf(input).flatMap(({ df, shipped, buildOnly }) =>
      buildOnly ? [buildOnlyItem(df, buildOnly)] : shipped.flatMap((s) => judge(df, s, patterns)),
    );
    if (evidence.length > 0 && evidence.every((e) => e.status === 'info')) return onlyBuildOnly(evidence);
    const failed = evidence.filter((e) => e.status === 'fail');
    const warned = evidence.filter((e) => e.status === 'warn');
    if (failed.length === 0 && warned.length === 0) {
      return { status: 'pass', message: 'no build packages or caches in the shipped stages', evidence };
    }
    const status = failed.length > 0 ? 'fail' : 'warn';
    return {
      status,
      message: [...failed, ...warned].map((e) => `${e.subject}: ${e.observed}`).join('; '),
      evidence,
      remediation: {
        summary:
          'Install build packages in a build stage only; clean apt lists and pip caches in the same RUN.',
        change: FIX,
        applies: 'rebuild',
      },
    };
  },
});
